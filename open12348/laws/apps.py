from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawsConfig(AppConfig):
    name = "open12348.laws"
    verbose_name = _("法律法规库")

    def ready(self):
        from open12348.laws import receivers  # noqa: F401  (content cases → search index)
