"""Your sessions: every browser signed in as a username, listed on its own page and ended from it.

Django keeps each session in its session table, keyed by the cookie's key. Beside it one
`UserSession` row per signed-in session holds what the page shows (browser, IP address,
signed in, last active) and names the session only by the SHA-256 of its key: no page, event
or column of ours holds a key. Both live in the database, so every app server sees the same list,
and ending a session deletes both rows: that browser's next request finds no session, on any server.

The row is made when the username signs in (the `user_logged_in` signal) and kept current by
the session middleware at most once a minute (`session_seen`); the session data remembers
the row's id, so a session whose row is gone is ended on its next request too.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from ua_parser import parse as parse_user_agent

from practicegate.accounts.models import User, UserSession
from practicegate.accounts.selectors import log_account_of
from practicegate.audit.context import audit_context
from practicegate.audit.readable import register_keys
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError

# What the session data keeps about its row: the row's id, when it was last brought up to date,
# and the hash it was brought up to date with (a new key, as after a password change, differs).
ROW_ID = "pg_session_row"
SEEN_AT = "pg_session_seen"
HASHED = "pg_session_hash"
TOUCH_EVERY = 60  # seconds: the row's "last active" is written at most this often per session

CURRENT_SESSION = "This is the session you are using. To end it, use Log out."

register_keys({"browser": "browser", "session_ip": "its IP address", "sessions_ended": "sessions signed out",
               "this_session_kept": "this session kept"})


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


class _KeyHash(models.Func):
    """The SHA-256 of a text column as lowercase hex, computed by the database (as key_hash does)."""

    output_field = models.CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="SHA256(%(expressions)s)", **extra)  # Django's

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection,
                              template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')", **extra)


def _session_model():
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def _live_since() -> tuple:
    """(last active after, signed in after): older rows are sessions the lifetime rules ended."""
    now = timezone.now()
    idle = timedelta(seconds=settings.SESSION_IDLE_SECONDS + TOUCH_EVERY)  # the row lags by up to a minute
    return now - idle, now - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)


# --- reads ---------------------------------------------------------------------------------------

def live_sessions_of(user: User) -> list[UserSession]:
    """The username's sessions still alive by the idle and absolute limits, the most recent first."""
    seen_after, started_after = _live_since()
    return list(user.signed_in_sessions.filter(last_seen_at__gt=seen_after, created_at__gt=started_after)
                .order_by("-last_seen_at", "-id"))


def session_of(user: User, row_id: int) -> UserSession | None:
    """One session of this username by its id; None for another username's (the view answers 404)."""
    return user.signed_in_sessions.filter(pk=row_id).first()


def current_row_id(request) -> int | None:
    return request.session.get(ROW_ID)


@lru_cache(maxsize=1024)
def device_of(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) in words, read from a user-agent header."""
    found = parse_user_agent(user_agent or "")
    browser = found.user_agent
    system = found.os
    browser_text = (f"{browser.family} {browser.major}" if browser.major else browser.family) \
        if browser and browser.family != "Other" else "Unknown browser"
    system_text = " ".join(p for p in (system.family, system.major) if p) \
        if system and system.family != "Other" else "unknown system"
    return browser_text, system_text


def browser_text(user_agent: str) -> str:
    browser, system = device_of(user_agent)
    return f"{browser} on {system}"


# --- the row's life, driven by log-in, log-out and the session middleware --------------------------

def _note(session, row: UserSession) -> None:
    session[ROW_ID] = row.pk
    session[SEEN_AT] = time.time()
    session[HASHED] = row.key_hash


def session_begin(request, user: User) -> UserSession | None:
    """Make the row of a session that has just signed in (or one signed in before rows existed)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    if session.session_key is None:
        session.save()
    context = audit_context(request)
    seen_after, started_after = _live_since()
    # The sessions this username's lifetime rules have ended since, and this browser's former row.
    stale = Q(last_seen_at__lte=seen_after) | Q(created_at__lte=started_after)
    if session.get(ROW_ID) is not None:
        stale |= Q(pk=session[ROW_ID])
    user.signed_in_sessions.filter(stale).delete()
    now = timezone.now()
    row, _ = UserSession.objects.update_or_create(
        key_hash=key_hash(session.session_key),
        defaults={"user": user, "ip": context.ip, "user_agent": context.user_agent, "created_at": now,
                  "last_seen_at": now})
    _note(session, row)
    return row


def session_seen(request) -> bool:
    """Note that this signed-in session is in use (at most once a minute, or at once after its key
    changed). False if its row is gone: the session was signed out from elsewhere."""
    session = request.session
    if session.session_key is None:
        return True
    row_id = session.get(ROW_ID)
    if row_id is None:
        session_begin(request, request.user)
        return True
    digest = key_hash(session.session_key)
    if session.get(HASHED) == digest and time.time() - float(session.get(SEEN_AT) or 0) < TOUCH_EVERY:
        return True
    updated = UserSession.objects.filter(pk=row_id, user=request.user).update(
        key_hash=digest, last_seen_at=timezone.now(), ip=audit_context(request).ip)
    if not updated:
        return False
    session[SEEN_AT] = time.time()
    session[HASHED] = digest
    return True


def session_forget(request) -> None:
    """Drop the row of a session that ends (log out, idle or too old)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(ROW_ID) is not None:
        UserSession.objects.filter(pk=session[ROW_ID]).delete()


@receiver(user_logged_in, dispatch_uid="practicegate.sessions.begin")
def _on_login(sender, request, user, **kwargs):
    if request is not None:
        session_begin(request, user)


@receiver(user_logged_out, dispatch_uid="practicegate.sessions.forget")
def _on_logout(sender, request, user, **kwargs):
    if request is not None:
        session_forget(request)


# --- ending sessions: each a service that logs its own event -----------------------------------------

def _end(rows) -> int:
    """Delete these sessions: Django's rows (found by the hash of their key) and ours."""
    rows = list(rows)
    if not rows:
        return 0
    hashes = [row.key_hash for row in rows]
    _session_model().objects.annotate(hashed=_KeyHash("session_key")).filter(hashed__in=hashes).delete()
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


@transaction.atomic
def session_end(*, actor: User, row: UserSession, current_id: int | None, context=None) -> None:
    """Sign out one other session of the actor's own username."""
    if row.user_id != actor.pk:
        raise ServiceError("That session is not one of yours.")
    if row.pk == current_id:
        raise ServiceError(CURRENT_SESSION)
    _end([row])
    record("auth.session_end", account=log_account_of(actor), actor=actor, context=context, target=actor,
           detail={"browser": browser_text(row.user_agent), "session_ip": row.ip or "unknown"})


@transaction.atomic
def sessions_end_others(*, actor: User, current_id: int | None, context=None) -> int:
    """Sign out every session of the actor's username but this one; the count of them."""
    count = _end(actor.signed_in_sessions.exclude(pk=current_id))
    record("auth.sessions_end_others", account=log_account_of(actor), actor=actor, context=context,
           target=actor, detail={"sessions_ended": count})
    return count


def sessions_end_all(*, user: User, keep_id: int | None = None) -> int:
    """End every session of the username but `keep_id`, inside the caller's logged transaction
    (a new password; a username switched off for having no account left)."""
    rows = user.signed_in_sessions.all()
    return _end(rows if keep_id is None else rows.exclude(pk=keep_id))


def sessions_end_for_password(*, user: User, keep_id: int | None, reset: bool, context=None) -> int:
    """After a new password (inside its service's transaction): end every session of the username
    but the one that changed it (`keep_id`); a reset from an e-mail link keeps none."""
    count = sessions_end_all(user=user, keep_id=None if reset else keep_id)
    if count:
        record("auth.sessions_end_password", account=log_account_of(user), actor=user, context=context,
               target=user, detail={"sessions_ended": count, "reason": "password reset" if reset
                                    else "password change", "this_session_kept": not reset and bool(keep_id)})
    return count


@transaction.atomic
def sessions_end_by_command(*, user: User, channel: str) -> int:
    """An administrator signs a username out everywhere from the command line; logged with no actor."""
    count = sessions_end_all(user=user)
    record("auth.sessions_end_command", account=log_account_of(user), actor=None, channel=channel, target=user,
           detail={"sessions_ended": count})
    return count
