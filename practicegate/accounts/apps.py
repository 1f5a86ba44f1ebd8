from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "practicegate.accounts"
    label = "accounts"

    def ready(self):
        from practicegate.accounts import signals  # noqa: F401
