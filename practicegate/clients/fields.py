"""Field checks the Clients forms share: one line of text, a code, a person's name, dates.

Text follows the rules of core.text (NFC, no invisible characters, no spreadsheet formula);
this module adds what a client's record needs on top: names in any script, length limits
counted after NFC, and dates that cannot be in the future or before the client was born.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practicegate.core import text
from practicegate.core.localtime import day_text
from practicegate.records.formats import US_STATES

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
OLDEST_AGE_YEARS = 125
NAME_PUNCTUATION = set(" '’ʼ-‐.,")
STATE_CHOICES = [("", "—")] + [(s, s) for s in US_STATES]


def date_field(label: str, *, required: bool = True, **kw) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "Enter a date as MM/DD/YYYY (or YYYY-MM-DD)."}, **kw)


def clean_line(value: str, max_length: int, *, code: bool = False) -> str:
    """One line of text as core.text cleans it, within `max_length` (counted after NFC).

    A code (a member ID, an e-mail address) takes no joiner: core.text says why."""
    if code and text.has_invisible(value, joiners=False):
        raise ValidationError(text.INVISIBLE_MESSAGE)
    value = text.clean_text(value)
    if len(value) > max_length:
        raise ValidationError(f"Use at most {max_length} characters.")
    return value


def person_name(value: str, max_length: int = 100) -> str:
    """A name in any script: letters and marks, spaces, apostrophes, hyphens, periods."""
    value = clean_line(value, max_length)
    for ch in value:
        if ch in NAME_PUNCTUATION or ch in text.JOINERS:  # clean_line let through only joiners that join
            continue
        if unicodedata.category(ch)[0] not in {"L", "M"}:
            raise ValidationError("A name has letters, spaces, apostrophes, hyphens and periods only.")
    if value and not any(unicodedata.category(ch)[0] == "L" for ch in value):
        raise ValidationError("A name needs at least one letter.")
    return value


def birth_date(value: date | None) -> date | None:
    today = timezone.localdate()
    if value is None:
        return value
    if value > today:
        raise ValidationError("A date of birth cannot be in the future.")
    if value < today.replace(year=today.year - OLDEST_AGE_YEARS, day=min(today.day, 28)):
        raise ValidationError(f"This date of birth is more than {OLDEST_AGE_YEARS} years ago: check the year.")
    return value


def not_future(value: date | None, what: str, *, slack_days: int = 0) -> date | None:
    if value is not None and value > timezone.localdate() + timedelta(days=slack_days):
        raise ValidationError(f"{what} cannot be in the future.")
    return value


def not_before_birth(value: date | None, client, what: str) -> date | None:
    """A client's diagnosis or coverage cannot start before the client was born (0001-01-01)."""
    born = getattr(client, "birth_date", None)
    if value is not None and born is not None and value < born:
        raise ValidationError(f"{what} is before the client's date of birth ({day_text(born)}).")
    return value


class TextForm(forms.Form):
    """Every CharField is checked as one line of text (core.text: NFC, no invisible characters)
    that a spreadsheet would not run as a formula (after normalising, so leading spaces hide
    nothing), as the master files' forms and every CSV import check it. Phones are parsed, not
    kept as typed; codes take no joiner."""

    phone_fields: tuple[str, ...] = ()
    code_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            field = self.fields[name]
            if isinstance(value, str) and type(field) is forms.CharField and name not in self.errors:
                try:
                    data[name] = clean_line(value, getattr(field, "limit", field.max_length or 200),
                                            code=name in self.code_fields)
                    if name not in self.phone_fields:
                        data[name] = text.not_a_formula(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


def text_field(label: str, max_length: int, *, required: bool = False, **kw) -> forms.CharField:
    """A one-line text field; its `limit` is checked after NFC (decomposed input may be longer)."""
    field = forms.CharField(label=label, max_length=max_length * 2, required=required, strip=False,
                            widget=forms.TextInput(attrs={"maxlength": max_length}),
                            error_messages={"max_length": f"Use at most {max_length} characters."}, **kw)
    field.limit = max_length
    return field
