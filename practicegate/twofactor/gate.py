"""The account-wide rule: an account that requires two-factor log-in opens only to a
session that proved a code. AccountMiddleware calls this once the membership is known."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.twofactor.services import has_two_factor


def two_factor_gate(request, membership):
    """None to go on; else a redirect to set-up (no two-factor yet) or to the code check."""
    account = membership.account
    if not account.require_two_factor:
        return None
    checker = getattr(request.user, "is_verified", None)
    if checker is not None and checker():
        return None
    has_it = has_two_factor(request.user)
    record("access.denied", account=account, actor=request.user, request=request,
           outcome=Outcome.DENIED,
           detail={"reason": "two_factor_required", "method": request.method, "path": request.path[:200]})
    if has_it:
        messages.info(request, f"{account.name} asks for your two-factor code.")
        target = reverse("twofactor:verify")
    else:
        messages.info(request, f"{account.name} requires two-factor log-in. Set it up to continue.")
        target = reverse("twofactor:setup")
    # After set-up, come back to the page asked for (a GET; a refused POST changed nothing).
    back = request.get_full_path() if request.method == "GET" else f"/a/{account.slug}/"
    return redirect(f"{target}?{urlencode({'next': back})}")
