"""Session lifetimes: end sessions idle too long or older than the absolute lifetime."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser

from practicegate.audit.services import record
from practicegate.audit.signals import log_account_of


class SessionLifetimeMiddleware:
    """End sessions idle too long or older than the absolute lifetime, and log it."""

    touch_every = 30  # seconds; avoids a session write on every single request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
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
                record(
                    "auth.session_expired",
                    account=log_account_of(user),
                    actor=user,
                    request=request,
                    detail={"reason": reason},
                )
                session.flush()
                request.user = AnonymousUser()
                messages.info(request, "Your session ended. Please log in again.")
            elif now - last > self.touch_every:
                session["pg_last"] = now
        return self.get_response(request)
