"""Request-wide rules: request ids, session lifetimes, security headers, and the
one access rule for every account-scoped URL."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import render

from practicegate.accounts.rule import Refusal, verdict_with_accounts
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core.scoping import account_scope
from practicegate.core.sections import BY_KEY, MEMBERS, SECTION_KEYS, Level

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


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
                from practicegate.audit.signals import log_account_of

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


class SecurityHeadersMiddleware:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/a/"):
            response["Cache-Control"] = "no-store"
        return response


def needed_level(view, method: str) -> Level:
    declared = getattr(view, "pg_level", None)
    if declared is not None:
        return Level(declared)
    return Level.VIEW if method in SAFE_METHODS else Level.FULL


class AccountMiddleware:
    """Resolve /a/<account>/ once per request and apply the access rule.

    Non-members get 404 (an account's existence is not revealed); members below
    the level the view's section needs get a 403 page, and the refusal is logged.
    Views outside any account need a signed-in user unless marked @public.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.membership = None
        request.levels = {}
        try:
            response = self.get_response(request)
            self._log_page_view(request, response)
        finally:
            opened = request.__dict__.pop("_pg_scope", None)
            if opened is not None:
                opened.__exit__(None, None, None)
        return response

    @staticmethod
    def _log_page_view(request, response) -> None:
        """Every successful account request leaves an event; services log their own
        changes, and a page that logged nothing else is logged as opened."""
        if request.account is None or getattr(request, "audit_events", 0) or response.status_code >= 400:
            return
        if request.method not in SAFE_METHODS:
            return  # an unsafe request is logged by its service; the completeness test checks it
        record("page.view", account=request.account, actor=request.user, request=request,
               section="" if request.section == MEMBERS else request.section,
               detail={"path": request.path[:200]})

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "account" not in view_kwargs:
            if getattr(view_func, "pg_public", False) or request.user.is_authenticated:
                return None
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL, REDIRECT_FIELD_NAME)

        section = getattr(view_func, "pg_section", None)
        if section is None:
            raise ImproperlyConfigured(f"{view_func.__module__}.{view_func.__name__} declares no section")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL, REDIRECT_FIELD_NAME)

        needed = needed_level(view_func, request.method)
        # One query answers the rule and fills the provider dropdown (see context_processors).
        verdict, request.my_accounts = verdict_with_accounts(request.user, view_kwargs["account"],
                                                             section=section, needed=needed, request=request)
        if verdict.refusal is Refusal.NOT_MEMBER:
            raise Http404("No such account")
        if verdict.refusal is Refusal.TWO_FACTOR:
            from practicegate.twofactor.gate import two_factor_refusal

            return two_factor_refusal(request, verdict.membership)
        membership = verdict.membership
        request.membership = membership
        request.account = membership.account
        request.levels = {key: membership.level(key) for key in SECTION_KEYS}
        request.section = section
        # Tenant models answer only inside a scope: this request's is its account, for the
        # view and its templates (see core.scoping).
        request._pg_scope = account_scope(membership.account)
        request._pg_scope.__enter__()
        if verdict.allowed:
            return None
        record(
            "access.denied",
            account=membership.account,
            actor=request.user,
            request=request,
            section=section,
            outcome=Outcome.DENIED,
            detail={"method": request.method, "path": request.path[:200], "needed": needed.label,
                    "has": membership.level(section).label},
        )
        return render(
            request,
            "core/403.html",
            {"section": BY_KEY[section], "needed": needed, "has": membership.level(section)},
            status=403,
        )
