from django.apps import AppConfig


class QueuingConfig(AppConfig):
    name = "open12348.queuing"
    verbose_name = "大厅排队叫号"
