"""Forgot password: a reset link mailed to each username whose confirmed address was asked for.

Someone types a username or an e-mail address. Every active username it names (by its
username, or by its confirmed address) gets its own mail with a link made by Django's
token generator: it works once (the token covers the password) and expires after
PRACTICEGATE_PASSWORD_RESET_TIMEOUT seconds. The page answers the same whether or not
anything matched. Requests are counted per typed value (kept only as a keyed hash) and
per IP in a window; past either limit nothing is sent, and the page still answers the same.
Setting the new password changes nothing else: two-factor log-in stays on.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from practicegate.accounts import mail
from practicegate.accounts.models import ResetThrottle, User
from practicegate.accounts.selectors import log_account_of
from practicegate.accounts.usernames import username_key
from practicegate.audit.models import Outcome
from practicegate.audit.services import record

RESET_SUBJECT = "Reset the password of your PracticeGate username"


def _typed_key(typed: str) -> str:
    return "who:" + salted_hmac("practicegate.accounts.reset-throttle", typed.strip().casefold()).hexdigest()


@transaction.atomic
def _within_limit(key: str, limit: int) -> bool:
    """Count one request under `key`; whether it is still within `limit` for the current window."""
    now = timezone.now()
    ResetThrottle.objects.filter(window_start__lt=now - settings.PASSWORD_RESET_WINDOW).delete()
    row, _ = ResetThrottle.objects.select_for_update().get_or_create(key=key[:200], defaults={"window_start": now})
    row.count += 1
    row.save(update_fields=["count"])
    return row.count <= limit


def users_asked_for(typed: str) -> list[User]:
    """The active usernames with a confirmed address that `typed` names: as a username, or by that address."""
    typed = typed.strip()
    if not typed:
        return []
    found = User.objects.filter(is_active=True, email_confirmed_at__isnull=False).exclude(email="")
    named = Q(username_key=username_key(typed))
    if "@" in typed:
        named |= Q(email__iexact=typed)
    return [user for user in found.filter(named).order_by("pk") if user.has_usable_password()]


def reset_link(site: str, user: User) -> str:
    path = reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                     "token": default_token_generator.make_token(user)})
    return site.rstrip("/") + path


def _send_reset(site: str, user: User) -> None:
    body = render_to_string("accounts/password_reset_email.txt", {
        "username": user.username, "link": reset_link(site, user),
        "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60)})
    mail.send_to_user(user, RESET_SUBJECT, body)


@transaction.atomic
def password_reset_request(*, typed: str, ip: str, site: str, context=None) -> int:
    """Mail a reset link to each username `typed` names, unless throttled; log the request either way.

    Returns how many links were sent (the page never shows it: it answers the same to everyone).
    """
    asked_by = "e-mail address" if "@" in typed else "username"
    name_ok = _within_limit(_typed_key(typed), settings.PASSWORD_RESET_LIMIT_PER_NAME)
    ip_ok = _within_limit(f"ip:{ip}", settings.PASSWORD_RESET_LIMIT_PER_IP) if ip else True
    users = users_asked_for(typed)
    if not (name_ok and ip_ok):
        reason = "too many requests for this " + asked_by if not name_ok else "too many requests from this IP"
        for user in users or [None]:
            record("auth.password_reset_request", account=log_account_of(user), actor=None,
                   actor_username=user.username if user else "", context=context, target=user,
                   outcome=Outcome.DENIED, detail={"asked_by": asked_by, "reason": reason})
        return 0
    if not users:
        record("auth.password_reset_request", account=None, actor=None, actor_username="", context=context,
               outcome=Outcome.FAILURE, detail={"asked_by": asked_by, "reason": "no username with a confirmed "
                                                                               "address matched"})
        return 0
    for user in users:
        record("auth.password_reset_request", account=log_account_of(user), actor=None,
               actor_username=user.username, context=context, target=user, detail={"asked_by": asked_by})
        transaction.on_commit(lambda user=user: _send_reset(site, user))
    return len(users)
