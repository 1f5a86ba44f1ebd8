from django.apps import AppConfig


class MasterfilesConfig(AppConfig):
    """Diagnosis codes, billing codes and insurance payers, and copying them between accounts."""

    name = "practicegate.masterfiles"
    label = "masterfiles"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        # The action codes are registered before any request can log them.
        from practicegate.core.demo import DemoPart, register_demo_part
        from practicegate.core.sections import register_menu_url
        from practicegate.masterfiles import actions, actions_copy, demo, log_targets  # noqa: F401
        from practicegate.masterfiles.kinds import KINDS

        for kind in KINDS.values():
            register_menu_url(kind.section, f"masterfiles:{kind.key}-list")
        register_demo_part(DemoPart("masterfiles", demo.build, after=("accounts",)))
