from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "open12348.content"
    verbose_name = _("信息发布")
