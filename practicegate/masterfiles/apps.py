from django.apps import AppConfig


class MasterfilesConfig(AppConfig):
    """Diagnosis codes, billing codes and insurance payers, and copying them between accounts."""

    name = "practicegate.masterfiles"
    label = "masterfiles"

    def ready(self):
        # Register the action codes before any request can log them.
        from practicegate.masterfiles import actions, actions_copy  # noqa: F401
