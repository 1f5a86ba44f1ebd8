from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Billing: the account's billing settings, clearinghouses, claims and claim batches (X12 837P)."""

    name = "practicegate.billing"
    label = "billing"

    def ready(self):
        # paper claims: the action codes of the CMS-1500 downloads
        from practicegate.billing import actions_paper  # noqa: F401
