from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Billing: the account's billing settings, clearinghouses, claims and claim batches (X12 837P)."""

    name = "practicegate.billing"
    label = "billing"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        # The action codes are registered before any request can log them.
        from practicegate.billing import actions, actions_batches, actions_paper, demo  # noqa: F401
        from practicegate.core.demo import DemoPart, register_demo_part
        from practicegate.core.sections import register_menu_url

        register_menu_url("billing", "billing:home")
        register_demo_part(DemoPart("billing", demo.build, after=("clients",)))
