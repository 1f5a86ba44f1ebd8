"""The password page: one check of the signed-in username's own password, wherever it is asked.

The confirm-password page posts to itself when it only has a page to return to, and to
the route a kept form waits for when the form was sent after the window (core.reauth):
both use `password_page` to check and, if the password is wrong, to ask again.
"""

from __future__ import annotations

from django.shortcuts import render

from practicegate.access import credentials
from practicegate.access.forms import ConfirmPasswordForm
from practicegate.audit.context import audit_context
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core import kept_forms
from practicegate.core.params import param
from practicegate.core.reauth import RESUME_FIELD, stamp

TEMPLATE = "access/confirm_password.html"


def password_right(request, form: ConfirmPasswordForm) -> tuple[bool, bool]:
    """Check a valid form's password; stamp and log either way. Return (right, locked)."""
    # The second factor was proven at log-in; here only the password is asked again.
    check = credentials.check_credentials(request, username=request.user.get_username(),
                                          password=form.cleaned_data["password"], second_factor=False)
    if check.ok and check.user.pk == request.user.pk:
        stamp(request)
        record("auth.reauth", account=request.account, actor=request.user, context=audit_context(request))
        return True, False
    locked = check.reason == "locked"
    record("auth.reauth_failed", account=request.account, actor=request.user, context=audit_context(request),
           outcome=Outcome.FAILURE)
    form.add_error("password", check.message if locked else "That is not your password.")
    return False, locked


def password_page(request, form: ConfirmPasswordForm, *, next_path: str = "", resume: str = "",
                  action: str = "", status: int = 200):
    return render(request, TEMPLATE, {"form": form, "next": next_path, "resume": resume, "action": action},
                  status=status)


def recheck_posted(request):
    """core.reauth's check for a kept form: None when the password is right, else the page again."""
    form = ConfirmPasswordForm(request.POST)
    resume = param(request.POST, RESUME_FIELD)[:100]
    locked = False
    if form.is_valid():
        right, locked = password_right(request, form)
        if right:
            return None
    # Asked again at this route: the kept form still waits here (if it has not expired).
    waiting = kept_forms.waiting(request, resume) == request.path
    return password_page(request, form, resume=resume if waiting else "", action=request.path,
                         status=429 if locked else 400)
