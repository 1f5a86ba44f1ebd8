from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Master usernames: Allow Account Access, Access Other Accounts, Username Privileges."""

    name = "practicegate.access"
    label = "access"

    def ready(self):
        from practicegate.access import actions  # noqa: F401  (registers action codes)
