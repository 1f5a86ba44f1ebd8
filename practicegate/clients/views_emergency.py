"""The page where a member without access to Clients uses emergency access ("break the glass")."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from practicegate.access import emergency as glass
from practicegate.clients.emergency import BreakGlassForm, emergency_open
from practicegate.core.decorators import account_view
from practicegate.core.sections import MEMBERS

TEMPLATE = "clients/emergency.html"


@account_view(MEMBERS)
@require_http_methods(["GET", "POST"])
def break_glass(request, account):
    """Name one client (number or last name, and date of birth) and say why; open it read-only."""
    membership = request.membership
    available = glass.may_break_glass(membership)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "available": available, "grant": request.emergency,
               "minutes": membership.account.emergency_minutes}
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    if not available:  # the page says why; the access rule itself let this member in
        return render(request, TEMPLATE, context, status=400)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    try:
        grant = emergency_open(actor=request.user, membership=membership, number=data.get("number"),
                               last_name=data.get("last_name", ""), birth_date=data["birth_date"],
                               reason=data["reason"], context=request.audit)
    except glass.EmergencyRefused as exc:
        form.add_error(None, str(exc))
        return render(request, TEMPLATE, context, status=429 if isinstance(exc, glass.TooManyTries) else 400)
    return redirect("clients:detail", account=account, number=grant.client_number)
