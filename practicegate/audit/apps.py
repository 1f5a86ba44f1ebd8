from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "practicegate.audit"
    label = "audit"

    def ready(self):
        from practicegate.audit import signals  # noqa: F401  (log-in/log-out receivers)
