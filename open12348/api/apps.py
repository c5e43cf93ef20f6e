from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "open12348.api"
    verbose_name = _("开放接口")

    def ready(self):
        # Registers the OpenAPI descriptions of our authentication classes.
        from open12348.api import schema  # noqa: F401
