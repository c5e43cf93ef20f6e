from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "open12348.catalog"
    verbose_name = "服务目录"
