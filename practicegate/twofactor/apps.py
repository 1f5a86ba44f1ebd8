from django.apps import AppConfig


class TwofactorConfig(AppConfig):
    """Two-factor log-in (TOTP and recovery codes, via django-otp)."""

    name = "practicegate.twofactor"
    label = "twofactor"

    def ready(self):
        from practicegate.twofactor import actions  # noqa: F401
