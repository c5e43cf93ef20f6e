from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuingConfig(AppConfig):
    name = "open12348.queuing"
    verbose_name = _("大厅排队叫号")
