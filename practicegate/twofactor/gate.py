"""What a username sees when an account requires two-factor log-in and this session has
not proved a code (the membership rule in accounts.rule decides that)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from practicegate.audit.context import audit_context
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.twofactor.services import has_second_factor


def two_factor_refusal(request, membership):
    """Log the refusal and send the username to set-up (no two-factor yet) or to the code check.

    Whether the requirement is met is decided by the membership rule (accounts.rule).
    """
    account = membership.account
    has_it = has_second_factor(request.user)
    record("access.denied", account=account, actor=request.user, context=audit_context(request),
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
