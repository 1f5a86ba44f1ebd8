"""Pages of emergency access that belong to the account's administration: the owner's setting
(Settings), and the list of uses with their reviews (Account Access, Full Access).

The page where a member uses emergency access is in the Clients section (clients.views_emergency).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from practicegate.access import emergency
from practicegate.access.forms import ConfirmPasswordForm
from practicegate.access.recheck import password_right
from practicegate.audit.phi import record_phi_read
from practicegate.core.decorators import account_view
from practicegate.core.sections import Level


class EmergencySettingsForm(ConfirmPasswordForm):
    enabled = forms.BooleanField(label="Allow emergency access in this account", required=False)
    minutes = forms.IntegerField(
        label="How long one use lasts (minutes)", min_value=emergency.MINUTES_MIN, max_value=emergency.MINUTES_MAX,
        help_text=f"Between {emergency.MINUTES_MIN} and {emergency.MINUTES_MAX} minutes.",
        error_messages={"invalid": "Enter a number of minutes."})
    field_order = ["enabled", "minutes", "password"]


class ReviewForm(forms.Form):
    note = forms.CharField(label="Review note", max_length=emergency.NOTE_MAX * 2, strip=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_note(self):
        return emergency.clean_note(self.cleaned_data.get("note") or "")


@account_view("settings")
@require_http_methods(["GET", "POST"])
def emergency_settings(request, account):
    """The owner turns emergency access on or off and sets its length, confirming with the password."""
    acct = request.account
    is_owner = request.membership.is_owner
    form = EmergencySettingsForm(request.POST if request.method == "POST" else None,
                                 initial={"enabled": acct.emergency_access, "minutes": acct.emergency_minutes})
    status = 200
    if request.method == "POST":
        if not is_owner:
            emergency.owner_only_refusal(actor=request.user, account=acct, context=request.audit)
            return render(request, "access/emergency_settings.html", {"form": None, "is_owner": False}, status=403)
        if form.is_valid():
            right, locked = password_right(request, form)
            if right:
                try:
                    emergency.emergency_settings_change(actor=request.user, account=acct, context=request.audit,
                                                        enabled=form.cleaned_data["enabled"],
                                                        minutes=form.cleaned_data["minutes"])
                except emergency.EmergencyRefused as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "Emergency access is now on." if form.cleaned_data["enabled"]
                                     else "Emergency access is now off.")
                    return redirect("access:emergency-settings", account=acct.slug)
            status = 429 if locked else 400
        else:
            status = 400
    return render(request, "access/emergency_settings.html",
                  {"form": form if is_owner else None, "is_owner": is_owner}, status=status)


@account_view(emergency.ACCESS, level=Level.FULL)
@require_http_methods(["GET"])
def emergency_report(request, account):
    """Every use of emergency access here: who, which client, why, when, how many pages, the review."""
    rows = emergency.report(request.account)
    # The reasons may name a client's circumstances: reading them is logged like a client page.
    record_phi_read(request, target_type="emergency_access_list",
                    detail={"shown": len(rows), "grants": [row.grant.pk for row in rows]})
    return render(request, "access/emergency_report.html", {"rows": rows, "form": None, "form_grant": None})


@account_view(emergency.ACCESS, level=Level.FULL)
@require_POST
def emergency_review(request, account, grant_id):
    if emergency.grant_in(request.account, grant_id) is None:
        raise Http404("No such emergency access")
    form = ReviewForm(request.POST)
    if not form.is_valid():  # the list again, with the note's problem beside the form it came from
        return render(request, "access/emergency_report.html",
                      {"rows": emergency.report(request.account), "form": form, "form_grant": grant_id}, status=400)
    try:
        emergency.emergency_review(actor=request.user, account=request.account, grant_id=grant_id,
                                   note=form.cleaned_data["note"], context=request.audit)
    except emergency.EmergencyRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Marked as reviewed.")
    return redirect("access:emergency-report", account=request.account.slug)
