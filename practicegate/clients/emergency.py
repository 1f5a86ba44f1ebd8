"""Emergency access, the Clients side: find the one client a member names, and open the grant.

The member names the client by client number, or by last name, and the date of birth. Only
a match of both opens anything; any other answer is the same neutral message, so the page
cannot be used to learn who is a client here, and tries that match nothing are logged and
limited (access.emergency).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from practicegate.access import emergency
from practicegate.clients import selectors
from practicegate.clients.fields import birth_date, date_field, person_name, text_field
from practicegate.core.text import fold

NO_MATCH = ("No client matches those details. Check the client number or last name and the date of birth, "
            "or ask someone with access to Clients.")
TOO_MANY = "Too many tries that matched no client. Please wait 15 minutes, or ask someone with access to Clients."


class BreakGlassForm(forms.Form):
    number = forms.IntegerField(label="Client number", required=False, min_value=1, max_value=2_000_000_000,
                                error_messages={"invalid": "Enter the client number in digits."})
    last_name = text_field("Or the client's last name", 100)
    birth_date = date_field("Date of birth", validators=[birth_date])
    reason = forms.CharField(label="Why do you need this client's record now?", max_length=emergency.REASON_MAX * 2,
                             strip=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_last_name(self):
        value = self.cleaned_data.get("last_name") or ""
        return person_name(value) if value.strip() else ""

    def clean_reason(self):
        return emergency.clean_reason(self.cleaned_data.get("reason") or "")

    def clean(self):
        data = super().clean()
        if not data.get("number") and not data.get("last_name") and "number" not in self.errors:
            raise ValidationError("Enter the client number, or the client's last name.")
        return data


def emergency_open(*, actor, membership, number: int | None, last_name: str, birth_date, reason: str,
                   context=None):
    """Open emergency access to the client these details name, or refuse neutrally (and log it)."""
    account = membership.account
    if not emergency.may_break_glass(membership):
        raise emergency.EmergencyRefused("Emergency access is not available to you in this account.")
    if emergency.too_many_misses(actor=actor, account=account):
        raise emergency.TooManyTries(TOO_MANY)
    client = _the_one(account, number=number, last_name=last_name, birth_date=birth_date)
    if client is None:
        emergency.miss_record(actor=actor, account=account, how="number" if number else "last_name", context=context)
        raise emergency.EmergencyRefused(NO_MATCH)
    return emergency.grant_open(actor=actor, membership=membership, client_id=client.pk,
                                client_number=client.number, reason=reason, context=context)


def _the_one(account, *, number, last_name, birth_date):
    """The client both details name, or None (also when a last name and date fit several)."""
    clients = selectors.clients_of(account).filter(birth_date=birth_date)
    if number:
        found = list(clients.filter(number=number))
    else:  # the few clients born that day, compared by folded last name (any script, any case)
        wanted = fold(last_name)
        found = [c for c in clients.only("id", "number", "last_name")[:500] if fold(c.last_name) == wanted]
    return found[0] if len(found) == 1 else None
