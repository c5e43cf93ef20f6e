from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "open12348.audit"
    verbose_name = "审计"
