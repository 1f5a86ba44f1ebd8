from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Billing: the account's billing settings, clearinghouses, claims and claim batches (X12 837P)."""

    name = "practicegate.billing"
    label = "billing"
