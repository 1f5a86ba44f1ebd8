from django.apps import AppConfig


class TwofactorConfig(AppConfig):
    """Two-factor log-in (TOTP and recovery codes, via django-otp)."""

    name = "practicegate.twofactor"
    label = "twofactor"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        from practicegate.twofactor import actions  # noqa: F401  (registers action codes)
