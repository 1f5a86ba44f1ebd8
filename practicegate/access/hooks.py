"""What the access app does when lower layers change something (feature: roles)."""

from __future__ import annotations

from practicegate.access import notices, roles


def seed_new_account(sender, instance, created, raw=False, **kwargs):
    """A new account starts with the roles Front desk, Clinician and Biller."""
    if created and not raw:
        roles.seed_roles(instance)


def two_factor_notice(sender, account, required, actor, context=None, **kwargs):
    """Tell the owner and admins that the account's two-factor requirement changed."""
    text = (f"{actor.username} now requires two-factor log-in of every username in this account."
            if required else f"{actor.username} stopped requiring two-factor log-in in this account.")
    notices.notice_owners(account=account, kind="two_factor", text=text, actor=actor, context=context)
