from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Billing: the account's billing settings, clearinghouses, claims and claim batches (X12 837P)."""

    name = "practicegate.billing"
    label = "billing"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        # Claim batches (the batches feature): their action codes.
        from practicegate.billing import actions_batches  # noqa: F401
