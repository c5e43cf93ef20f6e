from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "open12348.workorders"
    verbose_name = "工单"
