"""Ask for the signed-in username's password again before sensitive actions.

`pg_auth_at` (seconds since the epoch) is stamped at log-in by accounts.signals
and again by the confirm-password page. Any view can use `@reauth_required`;
it must run inside an account (the confirm page lives under /a/<account>/access/).

A POST that arrives after the window is not lost: its values are kept server-side in
the session (core.kept_forms), and the password page sends the password back to the
route the form was posted to, with the kept form's handle. There the password is checked
and, if right, the kept values replace the request's and the view runs once, as if the
form had been sent with a fresh password: the user lands on its result.

Why keep the form rather than ask in place (a password field on each form): the window
usually runs out while a form is open, after the page was drawn without that field, and
browsers never send typed passwords back into a redrawn form, so asking in place would
still lose the new username's passwords. Keeping the POST works for every route of the
list through this one decorator, and the action still runs in a real POST to its own
route: CSRF, the access rule and the view's own checks apply at the moment it runs.
The password check itself belongs to the access app (throttling, its events), which
registers it here with `register_recheck`: core imports no app.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from practicegate.core import kept_forms
from practicegate.core.params import param

SESSION_KEY = "pg_auth_at"
RESUME_FIELD = "pg_reauth_resume"  # the kept form's handle, posted back with the password
NOT_KEPT_MESSAGE = ("Your password is confirmed, but the form you sent before it was no longer kept "
                    "(it expired or was already sent). Nothing was changed: please fill it in again.")
_recheck = []  # the password check, registered by the access app


def register_recheck(check: Callable) -> None:
    """Register `check(request)`: None when the POSTed password is right (stamped and logged),
    else the response that asks again."""
    _recheck[:] = [check]


def recently_authenticated(request) -> bool:
    try:
        stamped = float(request.session.get(SESSION_KEY, 0))
    except (TypeError, ValueError):
        return False
    return time.time() - stamped <= settings.REAUTH_SECONDS


def stamp(request) -> None:
    request.session[SESSION_KEY] = time.time()


def safe_next(request, candidate: str | None, fallback: str) -> str:
    """A same-site path to return to; anything else becomes the fallback."""
    if candidate and candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def confirm_url(request, next_path: str, resume: str | None = None) -> str:
    slug = request.account.slug
    query = {"next": next_path, **({"resume": resume} if resume else {})}
    return reverse("access:confirm-password", kwargs={"account": slug}) + "?" + urlencode(query)


def _referer_path(request) -> str | None:
    parts = urlsplit(request.META.get("HTTP_REFERER", ""))
    if parts.netloc != request.get_host():
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


ALL_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


def reauth_required(view=None, *, methods: Iterable[str] | None = None):
    """Send the user to the confirm-password page when the password is not fresh.

    A GET comes back to the same page afterwards; a POST is kept (see the module's
    docstring) and applied once when the password page posts the password back here.
    `methods` limits the check (a page anyone may list, whose POST grants access).
    The view is marked (`pg_reauth`: the methods checked) so a test can list the
    access-granting routes and fail for any that lacks it.
    """
    if view is None:
        return functools.partial(reauth_required, methods=methods)
    checked = frozenset(m.upper() for m in methods) if methods else ALL_METHODS

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and "POST" in checked and RESUME_FIELD in request.POST:
            return _resume(view, request, *args, **kwargs)
        if request.method not in checked or recently_authenticated(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return redirect(confirm_url(request, request.get_full_path()))
        back = safe_next(request, _referer_path(request), reverse("access:index", kwargs={"account": request.account.slug}))
        # No route of the list takes files; a request with files is not kept (files cannot be).
        resume = kept_forms.keep(request) if request.method == "POST" and not request.FILES else None
        return redirect(confirm_url(request, back, resume))

    wrapper.pg_reauth = checked
    return wrapper


def _resume(view, request, *args, **kwargs):
    """The password page posted back here: check the password, then apply the kept form once."""
    asked = _recheck[0](request)
    if asked is not None:
        return asked  # wrong password: asked again, the form stays kept
    kept = kept_forms.take(request, param(request.POST, RESUME_FIELD))
    if kept is None:
        messages.warning(request, NOT_KEPT_MESSAGE)
        return redirect("core:account-home", account=request.account.slug)
    request.POST = kept
    return view(request, *args, **kwargs)
