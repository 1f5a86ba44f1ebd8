"""A username's e-mail address: entered, confirmed by a mailed link, changed, removed.

An address entered (at Allow Account Access, at sign-up or by the username under My
e-mail) waits in `pending_email` until the link mailed to it is opened; only then does
it become `email` with `email_confirmed_at`, the address password resets and notices
use. The link is signed (Django's signing, its own salt) and names the username and
a fingerprint of the waiting address and the moment it was entered: it expires after
PRACTICEGATE_EMAIL_CONFIRM_HOURS, and stops working once used or once another address
is entered. A change tells the old confirmed address, with the new one masked.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from practicegate.accounts import mail
from practicegate.accounts.models import User
from practicegate.accounts.selectors import log_account_of, own_time_zone
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core import localtime
from practicegate.core.errors import ServiceError

SALT = "practicegate.accounts.email-confirm"
LINK_INVALID = ("This confirmation link does not work any more: it was used already, it expired, or a newer "
                "address was entered since. Enter the address again under My e-mail to get a new link.")


def mask(address: str) -> str:
    """An address shown without giving it away: first letters only (a…@e…)."""
    local, _, domain = (address or "").partition("@")
    if not local or not domain:
        return "…"
    return f"{local[0]}…@{domain[0]}…"


def _fingerprint(user: User) -> str:
    stamp = user.pending_email_at.isoformat() if user.pending_email_at else ""
    return salted_hmac(SALT, f"{user.pk}|{user.pending_email.casefold()}|{stamp}").hexdigest()[:24]


def confirm_token(user: User) -> str:
    return signing.dumps([user.pk, _fingerprint(user)], salt=SALT, compress=False)


def user_of_token(token: str) -> User | None:
    """The username whose waiting address the token still confirms, or None (bad, used or expired)."""
    try:
        user_id, fingerprint = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CONFIRM_HOURS * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).exclude(pending_email="").first()
    if user is None or not constant_time_compare(fingerprint, _fingerprint(user)):
        return None
    return user


def confirm_link(site: str, user: User) -> str:
    return site.rstrip("/") + reverse("email_confirm", kwargs={"token": confirm_token(user)})


def _local_moment(user: User, moment) -> str:
    with timezone.override(own_time_zone(user)):
        return localtime.when_text(moment)


def _send_confirmation(site: str, user: User) -> None:
    body = render_to_string("accounts/mail/email_confirm.txt", {
        "username": user.username, "link": confirm_link(site, user), "hours": settings.EMAIL_CONFIRM_HOURS})
    mail.send_to_address(user.pending_email, "Confirm the e-mail address of your PracticeGate username", body)


def _send_change_notice(old_address: str, user: User, new_address: str, moment) -> None:
    body = render_to_string("accounts/mail/email_changed.txt", {
        "username": user.username, "new": mask(new_address) if new_address else "", "when": _local_moment(user, moment)})
    mail.send_to_address(old_address, "The e-mail address of your PracticeGate username was changed", body)


def address_wait_for_link(*, user: User, address: str, site: str) -> None:
    """Keep `address` waiting for its link and mail the link once the caller's transaction commits.

    No event: the caller's own event says it (sign-up's, or email_set's). Without a `site` (demo
    data) no mail is sent and the address simply waits.
    """
    user.pending_email, user.pending_email_at = address, timezone.now()
    user.save(update_fields=["pending_email", "pending_email_at"])
    if site:
        transaction.on_commit(lambda: _send_confirmation(site, user))


@transaction.atomic
def email_set(*, actor: User, user: User, address: str, site: str, context=None) -> str:
    """Enter `address` for `user` (blank: remove its address); the new one waits for its link.

    Returns the audit action written: auth.email_add, auth.email_change or auth.email_remove.
    The link goes to the new address and a notice to the old confirmed one, once committed.
    """
    address = (address or "").strip()
    old_confirmed = mail.confirmed_address(user)
    now = timezone.now()
    if address:
        action = "auth.email_change" if (old_confirmed or user.pending_email) else "auth.email_add"
        address_wait_for_link(user=user, address=address, site=site)
    elif old_confirmed or user.pending_email:
        action = "auth.email_remove"
        user.email, user.email_confirmed_at = "", None
        user.pending_email, user.pending_email_at = "", None
        user.save(update_fields=["email", "email_confirmed_at", "pending_email", "pending_email_at"])
    else:
        raise ServiceError("This username has no e-mail address to remove.")
    record(action, account=log_account_of(user), actor=actor, context=context, target=user,
           detail={"username": user.username, "address": mask(address) if address else "",
                   "confirmed_before": bool(old_confirmed)})
    if site and old_confirmed and old_confirmed.casefold() != address.casefold():
        transaction.on_commit(lambda: _send_change_notice(old_confirmed, user, address, now))
    return action


@transaction.atomic
def email_confirm(*, user: User, context=None) -> None:
    """Make the waiting address the username's confirmed one (the link was opened)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.pending_email:
        raise ServiceError(LINK_INVALID)
    user.email, user.email_confirmed_at = user.pending_email, timezone.now()
    user.pending_email, user.pending_email_at = "", None
    user.save(update_fields=["email", "email_confirmed_at", "pending_email", "pending_email_at"])
    record("auth.email_confirm", account=log_account_of(user), actor=user,
           context=context, target=user, detail={"address": mask(user.email)})


def email_confirm_failure_record(*, context=None) -> None:
    """Log a confirmation link that did not work (bad, used or expired): who it was is unknown."""
    record("auth.email_confirm", account=None, actor=None, actor_username="", context=context,
           outcome=Outcome.FAILURE, detail={"reason": "link not valid"})
