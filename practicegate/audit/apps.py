from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "practicegate.audit"
    label = "audit"
