from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "practicegate.accounts"
    label = "accounts"

    def ready(self):
        # The receivers connect when their modules load, which needs the models ready.
        from practicegate.accounts import auth_events, signals  # noqa: F401
