from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "open12348.core"
    verbose_name = _("基础")

    def ready(self):
        from open12348.core import checks  # noqa: F401  (registers system checks)


class AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "open12348.accounts.admin_site.Open12348AdminSite"
