from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "practicegate.audit"
    label = "audit"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        from practicegate.core.sections import register_menu_url

        register_menu_url("reports", "audit:activity-log")
