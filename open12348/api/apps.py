from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "open12348.api"
    verbose_name = "开放接口"
