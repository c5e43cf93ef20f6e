from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "open12348.consultations"
    verbose_name = _("在线咨询与志愿服务")
