"""Session lifetimes: end sessions idle too long or older than the absolute lifetime."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import LazyObject

from practicegate.accounts.selectors import log_account_of
from practicegate.accounts.sessions import session_forget, session_seen
from practicegate.audit.context import audit_context
from practicegate.audit.services import record


def _resolved(user):
    """The user behind auth's and django-otp's lazy wrappers, loaded now (each wrapper would
    otherwise forward every later attribute read, dozens per page, through its proxy)."""
    while isinstance(user, LazyObject):
        user.is_authenticated  # noqa: B018 - loads the wrapped user (and its OTP device)
        user = user._wrapped
    return user


class SessionLifetimeMiddleware:
    """End sessions idle too long or older than the absolute lifetime, and log it; keep each
    session's row of "Your sessions" current, and end a session whose row was deleted.

    It is the first to need the signed-in username, so it also puts the loaded user
    itself on the request, in place of the lazy wrappers (see _resolved).
    """

    touch_every = 30  # seconds; avoids a session write on every single request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = user = _resolved(request.user)
        if user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault("pg_started", now)
            last = session.setdefault("pg_last", now)
            reason = None
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                reason = "absolute"
            elif now - last > settings.SESSION_IDLE_SECONDS:
                reason = "idle"
            if reason:
                session_forget(request)
                record(
                    "auth.session_expired",
                    account=log_account_of(user),
                    actor=user,
                    context=audit_context(request),
                    detail={"reason": reason},
                )
                session.flush()
                request.user = AnonymousUser()
                request.audit.actor = None
                messages.info(request, "Your session ended. Please log in again.")
            elif not session_seen(request):  # its row is gone: signed out from another browser
                session.flush()
                request.user = AnonymousUser()
                audit_context(request).actor = None
                messages.info(request, "This session was signed out from another browser. Please log in again.")
            elif now - last > self.touch_every:
                session["pg_last"] = now
        return self.get_response(request)
