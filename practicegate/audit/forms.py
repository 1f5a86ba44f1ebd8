"""The Activity Log's filter form: every value checked, every mistake explained."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from practicegate.audit.actions import grouped_actions
from practicegate.audit.models import Outcome
from practicegate.audit.selectors import EventFilter
from practicegate.core.localtime import day_text
from practicegate.core.paging import CursorField
from practicegate.core.sections import SECTIONS
from practicegate.core.text import reject_control_characters

# The widest dates a filter takes: a day on either side stays a valid datetime in every time zone.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)


class FilterDateField(forms.DateField):
    """A date the filter can turn into a moment without overflowing; outside the range, a message."""

    widget = forms.DateInput(attrs={"type": "date", "min": EARLIEST_DATE.isoformat(),
                                    "max": LATEST_DATE.isoformat()})

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                f"Enter a date from {day_text(EARLIEST_DATE)} to {day_text(LATEST_DATE)}.",
                code="out_of_range")


class CursorForm(forms.Form):
    """Keyset cursors, carried in the pager's links: a bad one gets a message, not a 500."""

    before = CursorField()
    after = CursorField()

    def clean(self):
        data = super().clean()
        if data.get("before") is not None and data.get("after") is not None:
            raise forms.ValidationError("Use either an older-page or a newer-page link, not both.")
        return data


class ActivityFilterForm(CursorForm):
    username = forms.CharField(required=False, max_length=150, validators=[reject_control_characters],
                               help_text="Choose one, or type part of a name.",
                               widget=forms.TextInput(attrs={"list": "usernames-seen", "autocomplete": "off"}))
    action = forms.ChoiceField(required=False)
    section = forms.ChoiceField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *Outcome.choices])
    date_from = FilterDateField(required=False, label="From (date)")
    date_to = FilterDateField(required=False, label="To (date, inclusive)")
    target_type = forms.CharField(required=False, max_length=64, validators=[reject_control_characters])
    target_id = forms.CharField(required=False, max_length=64, label="Target id",
                                validators=[reject_control_characters])
    pages = forms.BooleanField(required=False, label="Include page views")  # "Opened a page": left out unless asked

    def __init__(self, *args, usernames: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.usernames = usernames or []  # the account's usernames, past ones too (the filter's choices)
        # Other apps register their action codes at start-up, so build the list now.
        self.fields["action"].choices = [("", "Any action"), *grouped_actions()]
        self.fields["section"].choices = [("", "Any section")] + [(s.key, s.label) for s in SECTIONS]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def event_filter(self) -> EventFilter:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = until = None
        if data.get("date_from"):
            since = datetime.combine(data["date_from"], time.min, tzinfo=zone)
        if data.get("date_to"):
            until = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
        username, usernames = self.matched_usernames()
        return EventFilter(
            username=username,
            usernames=usernames,
            page_views=bool(data.get("pages")),
            action=data.get("action") or "",
            section=data.get("section") or "",
            outcome=data.get("outcome") or "",
            since=since,
            until=until,
            target_type=data.get("target_type") or "",
            target_id=data.get("target_id") or "",
        )

    def matched_usernames(self) -> tuple[str, tuple[str, ...]]:
        """(one username, or "" and every username the text is part of); case does not matter."""
        typed = (self.cleaned_data.get("username") or "").strip()
        if not typed:
            return "", ()
        folded = typed.casefold()
        if any(name.casefold() == folded for name in self.usernames):
            return typed, ()
        partial = tuple(name for name in self.usernames if folded in name.casefold())
        if len(partial) == 1:
            return partial[0], ()
        return ("", partial) if partial else (typed, ())
