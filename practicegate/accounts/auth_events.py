"""Receivers that log authentication events Django and django-axes announce.

They live here, not in the activity log's app, because the chain an event goes to
is found from the user's memberships (selectors.log_account_of), which the
activity log sits below.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from practicegate.accounts.models import User
from practicegate.accounts.selectors import log_account_of
from practicegate.audit.context import audit_context
from practicegate.audit.models import Outcome
from practicegate.audit.services import record


def _known_user(username: str | None):
    if not username:
        return None
    return User.objects.named(username).first()


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    context = audit_context(request)
    if context is not None:
        context.actor = user  # from now on this request acts as the username that signed in
    record("auth.login", account=log_account_of(user), actor=user, context=context)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    context = audit_context(request)
    if user is not None:
        record("auth.logout", account=log_account_of(user), actor=user, context=context)
    if context is not None:
        context.actor = None


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    user = _known_user(username)
    record(
        "auth.login_failed",
        account=log_account_of(user),
        actor=None,
        actor_username=username,
        context=audit_context(request),
        outcome=Outcome.FAILURE,
        target=user,
    )


@receiver(user_locked_out)
def on_lockout(sender, request, username, ip_address, **kwargs):
    user = _known_user(username)
    record(
        "auth.lockout",
        account=log_account_of(user),
        actor_username=str(username or "")[:150],
        context=audit_context(request),
        outcome=Outcome.DENIED,
        target=user,
    )
