"""Helpers of the e-mail tests: a username given a confirmed address, as opening its link leaves it."""

from __future__ import annotations

from django.utils import timezone


def confirm_email(user, address: str):
    """Give `user` the confirmed address `address` (the state after its confirmation link was opened)."""
    user.email, user.email_confirmed_at = address, timezone.now()
    user.pending_email, user.pending_email_at = "", None
    user.save(update_fields=["email", "email_confirmed_at", "pending_email", "pending_email_at"])
    return user
