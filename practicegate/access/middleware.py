"""The one access rule for every account-scoped URL, applied once per request."""

from __future__ import annotations

from contextlib import ExitStack

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from practicegate.access import emergency
from practicegate.accounts.rule import Refusal, verdict_with_accounts
from practicegate.accounts.selectors import log_account_of, own_time_zone
from practicegate.audit.context import audit_context
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core import localtime
from practicegate.core.decorators import SAFE_METHODS, needed_level
from practicegate.core.scoping import account_scope
from practicegate.core.sections import BY_KEY, MEMBERS, SECTION_KEYS
from practicegate.twofactor.gate import two_factor_refusal


def _log_not_found(request, response) -> None:
    """Leave a trace of a 404 for an account-scoped URL asked by a signed-in username.

    Inside an account the username belongs to (a foreign or missing id) it goes to that
    account's log. Otherwise (not a member, no such account, no such page) it goes to the
    username's own home account: the account named in the URL must not learn of a
    username that is not its member, and the answer stays the same 404 either way.
    Only the path is kept (ids, never PHI values: no query string).
    """
    if response.status_code != 404 or not request.path.startswith("/a/"):
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    member = request.account is not None
    account = request.account if member else log_account_of(user)
    record("access.not_found", account=account, actor=user, context=request.audit, outcome=Outcome.DENIED,
           section="" if getattr(request, "section", MEMBERS) == MEMBERS else request.section,
           detail={"method": request.method, "path": request.path[:200],
                   "where": "member" if member else "not_member"})


def _in_scope(content, account):
    """Yield a streaming body's chunks inside the account's scope, as its view ran."""
    with account_scope(account):
        yield from content


class AccountMiddleware:
    """Resolve /a/<account>/ once per request and apply the access rule.

    Non-members get 404 (an account's existence is not revealed); members below
    the level the view's section needs get a 403 page, and the refusal is logged.
    Views outside any account need a signed-in user unless marked @public.
    Times on the page are shown in the account's zone, or outside an account in the
    username's own (core.localtime).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.membership = None
        request.levels = {}
        request.emergency = None  # the member's emergency access in force (the banner shows it)
        request.emergency_used = None  # the same grant, when it is what opened this page
        audit_context(request)  # request.audit: who and from where, for every event of this request
        # process_view narrows it to the account's zone or the username's own.
        localtime.activate("")  # the default zone, until process_view knows whose page this is
        try:
            # The account is known only in process_view (it needs the resolved URL); the scope it
            # opens there is entered on this stack and closed when the `with` ends.
            with ExitStack() as request._pg_scope:
                response = self.get_response(request)
                self._log_page_view(request, response)
                _log_not_found(request, response)
        finally:
            timezone.deactivate()  # the thread's next request starts from nothing
        del request._pg_scope
        if request.account is not None and response.streaming and not response.is_async:
            # The server reads a streaming body after this method returns: keep it in the scope.
            response.streaming_content = _in_scope(response.streaming_content, request.account)
        return response

    @staticmethod
    def _log_page_view(request, response) -> None:
        """Every successful account request leaves an event; services log their own
        changes, and a page that logged nothing else is logged as opened (the request's
        audit context counts what was written with it)."""
        if request.account is None or request.audit.written or response.status_code >= 400:
            return
        if request.method not in SAFE_METHODS:
            return  # an unsafe request is logged by its service; the completeness test checks it
        record("page.view", account=request.account, actor=request.user, context=request.audit,
               section="" if request.section == MEMBERS else request.section,
               detail={"path": request.path[:200]})

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "account" not in view_kwargs:
            if getattr(view_func, "pg_public", False):
                return None
            if request.user.is_authenticated:
                localtime.activate(own_time_zone(request.user))
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
                                                             section=section, needed=needed, context=request.audit)
        if verdict.refusal is Refusal.NOT_MEMBER:
            raise Http404("No such account")
        if verdict.refusal is Refusal.TWO_FACTOR:
            return two_factor_refusal(request, verdict.membership)
        membership = verdict.membership
        request.membership = membership
        request.account = membership.account
        localtime.activate(membership.account.time_zone)
        request.levels = {key: membership.level(key) for key in SECTION_KEYS}
        request.section = section
        # Tenant models answer only inside a scope: this request's is its account, for the
        # view and its templates (see core.scoping).
        request._pg_scope.enter_context(account_scope(membership.account))
        # Emergency access ("break the glass"): asked only of members Clients is closed to; an
        # active grant opens its one client's read-only pages, and nothing else (access.emergency).
        request.emergency = emergency.active_grant(membership)
        if verdict.allowed:
            return None
        if emergency.grant_allows(request.emergency, section=section, needed=needed, view=view_func,
                                  view_kwargs=view_kwargs):
            request.emergency_used = request.emergency
            return None
        record(
            "access.denied",
            account=membership.account,
            actor=request.user,
            context=request.audit,
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
