from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "open12348.api"
    verbose_name = "开放接口"

    def ready(self):
        # Registers the OpenAPI descriptions of our authentication classes.
        from open12348.api import schema  # noqa: F401
