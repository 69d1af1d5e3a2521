from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shoka.audit"
    verbose_name = "Audit"
