from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "open12348.assist"
    verbose_name = _("智能服务")
