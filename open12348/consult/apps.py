from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "open12348.consult"
    verbose_name = _("在线咨询与志愿服务")
