"""Your sessions (/me/sessions/): the browsers signed in as this username, and signing them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from practicegate.accounts import sessions
from practicegate.core.decorators import signed_in
from practicegate.core.errors import ServiceError


@dataclass(frozen=True)
class SessionLine:
    """One row of the page: never the session's key, only its row's id."""

    id: int
    browser: str
    system: str
    ip: str
    signed_in: datetime
    last_active: datetime
    current: bool


@signed_in
@require_GET
def index(request):
    current = sessions.current_row_id(request)
    lines = [SessionLine(row.pk, *sessions.device_of(row.user_agent), row.ip, row.created_at, row.last_seen_at,
                         row.pk == current)
             for row in sessions.live_sessions_of(request.user)]
    lines.sort(key=lambda line: not line.current)  # this session first, then the most recent
    return render(request, "accounts/sessions.html",
                  {"lines": lines, "others": sum(1 for line in lines if not line.current)})


@signed_in
@require_POST
def sign_out(request, row_id: int):
    row = sessions.session_of(request.user, row_id)
    if row is None:
        raise Http404("No such session")
    try:
        sessions.session_end(actor=request.user, row=row, current_id=sessions.current_row_id(request),
                             context=request.audit)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        browser, system = sessions.device_of(row.user_agent)
        messages.success(request, f"Signed out {browser} on {system}. That browser must log in again.")
    return redirect("sessions:index")


@signed_in
@require_POST
def sign_out_others(request):
    count = sessions.sessions_end_others(actor=request.user, current_id=sessions.current_row_id(request),
                                         context=request.audit)
    if count:
        messages.success(request, f"Signed out everywhere else ({count} session{'s' if count != 1 else ''}). "
                                  "Only this browser is still signed in.")
    else:
        messages.info(request, "No other browser was signed in.")
    return redirect("sessions:index")
