from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Master usernames: Allow Account Access, Access Other Accounts, Username Privileges."""

    name = "practicegate.access"
    label = "access"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        from practicegate.access import actions, demo  # noqa: F401  (actions: registers action codes)
        from practicegate.access.recheck import recheck_posted
        from practicegate.core.demo import DemoPart, register_demo_part
        from practicegate.core.reauth import register_recheck
        from practicegate.core.sections import register_menu_url

        register_menu_url("account_access", "access:index")
        # Roles and owner notices (feature: roles).
        from django.db.models.signals import post_save

        from practicegate.access import hooks
        from practicegate.accounts.models import Account
        from practicegate.twofactor.services import requirement_changed

        post_save.connect(hooks.seed_new_account, sender=Account, dispatch_uid="access.seed_roles")
        requirement_changed.connect(hooks.two_factor_notice, dispatch_uid="access.two_factor_notice")
        register_recheck(recheck_posted)
        register_demo_part(DemoPart("access", demo.build, tuple(demo.CREDENTIALS), after=("accounts",)))
