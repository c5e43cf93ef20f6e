from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "open12348.portal"
    verbose_name = "门户"
