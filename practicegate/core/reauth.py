"""Ask for the signed-in username's password again before sensitive actions.

`pg_auth_at` (seconds since the epoch) is stamped at log-in by accounts.signals
and again by the confirm-password page. Any view can use `@reauth_required`;
it must run inside an account (the confirm page lives under /a/<account>/access/).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

SESSION_KEY = "pg_auth_at"


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


def confirm_url(request, next_path: str) -> str:
    slug = request.account.slug
    return reverse("access:confirm-password", kwargs={"account": slug}) + "?" + urlencode({"next": next_path})


def _referer_path(request) -> str | None:
    parts = urlsplit(request.META.get("HTTP_REFERER", ""))
    if parts.netloc != request.get_host():
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


ALL_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


def reauth_required(view=None, *, methods: Iterable[str] | None = None):
    """Send the user to the confirm-password page when the password is not fresh.

    A GET comes back to the same page afterwards; a POST cannot be replayed, so it
    comes back to the page it was posted from (its form), to be submitted again.
    `methods` limits the check (a page anyone may list, whose POST grants access).
    The view is marked (`pg_reauth`: the methods checked) so a test can list the
    access-granting routes and fail for any that lacks it.
    """
    if view is None:
        return functools.partial(reauth_required, methods=methods)
    checked = frozenset(m.upper() for m in methods) if methods else ALL_METHODS

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in checked or recently_authenticated(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            back = request.get_full_path()
        else:
            back = safe_next(request, _referer_path(request), reverse("access:index", kwargs={"account": request.account.slug}))
        return redirect(confirm_url(request, back))

    wrapper.pg_reauth = checked
    return wrapper
