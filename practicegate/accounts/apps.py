from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "practicegate.accounts"
    label = "accounts"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        from practicegate.accounts import actions, auth_events, demo, log_targets, sessions, signals  # noqa: F401  (codes, receivers)
        from practicegate.core.demo import DemoPart, register_demo_part
        from practicegate.core.sections import register_menu_url

        register_menu_url("settings", "core:account-settings")
        register_demo_part(DemoPart("accounts", demo.build, demo.CREDENTIALS, exists=demo.exists))
