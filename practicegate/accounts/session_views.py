"""Your sessions (/me/sessions/): the browsers signed in as this username, and signing them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from practicegate.accounts import sessions
from practicegate.core.decorators import signed_in
from practicegate.core.errors import ServiceError
from practicegate.core.reauth import recently_authenticated, stamp

ASK_PASSWORD = "Please enter your password to sign out sessions. Nothing was signed out."
WRONG_PASSWORD = "That password is not right. Nothing was signed out."


class PasswordAgainForm(forms.Form):
    """Signing sessions out asks for the password unless it was entered in the last minutes
    (OWASP ASVS 5.0 7.5.2), as the pages of Account Access do."""

    password = forms.CharField(label="Your password", strip=False, required=False,
                               max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _password_refusal(request) -> str | None:
    """None if the password is fresh or posted now, else why not. A posted password is checked as
    log-in checks one: a wrong one is logged and counts toward the same lock-out."""
    if recently_authenticated(request):
        return None
    form = PasswordAgainForm(request.POST)
    password = form.cleaned_data["password"] if form.is_valid() else ""
    if not password:
        return ASK_PASSWORD
    user = authenticate(request, username=request.user.get_username(), password=password)
    locked = getattr(request, "axes_locked_out", False)
    request.axes_locked_out = False  # this page says so itself, in place of the log-in page
    if locked:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return (f"Too many wrong passwords for this username from your network. Please wait {minutes} "
                "minutes and try again. Nothing was signed out.")
    if user is None or user.pk != request.user.pk:
        return WRONG_PASSWORD
    stamp(request)
    return None


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
                  {"lines": lines, "others": sum(1 for line in lines if not line.current),
                   "ask_password": not recently_authenticated(request)})


@signed_in
@require_POST
def sign_out(request, row_id: int):
    row = sessions.session_of(request.user, row_id)
    if row is None:
        raise Http404("No such session")
    if refusal := _password_refusal(request):
        messages.error(request, refusal)
        return redirect("sessions:index")
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
    if refusal := _password_refusal(request):
        messages.error(request, refusal)
        return redirect("sessions:index")
    count = sessions.sessions_end_others(actor=request.user, current_id=sessions.current_row_id(request),
                                         context=request.audit)
    if count:
        messages.success(request, f"Signed out everywhere else ({count} session{'s' if count != 1 else ''}). "
                                  "Only this browser is still signed in.")
    else:
        messages.info(request, "No other browser was signed in.")
    return redirect("sessions:index")
