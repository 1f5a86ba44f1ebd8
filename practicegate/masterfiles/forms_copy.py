"""Forms of Copy Codes to Another Account. They shape the input; the copy service decides.

The account fields list the accounts the username may pick, but accept any
slug-shaped value: an account chosen outside the list (a forged request) goes
on to the service, which refuses it and logs the refusal.
"""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug

from practicegate.accounts.models import Membership
from practicegate.core.sections import Level
from practicegate.masterfiles.copy import MAX_DESTINATIONS
from practicegate.masterfiles.copy_sql import FILES


class _AnySlugChoice(forms.ChoiceField):
    def valid_value(self, value):
        return True


class _AnySlugMultipleChoice(forms.MultipleChoiceField):
    def valid_value(self, value):
        return True


def _slug(value: str) -> None:
    if len(value) > 60:
        raise forms.ValidationError("That account name is too long.")
    validate_slug(value)


def _account_choices(user, level: Level) -> list[tuple[str, str]]:
    """Accounts where the username has `level` on at least one of the files."""
    sections = [f.section for f in FILES.values()]
    rows = Membership.objects.select_related("account").filter(user=user).order_by("account__name", "account__id")
    return [(m.account.slug, m.account.name) for m in rows if any(m.can(s, level) for s in sections)]


class CopyForm(forms.Form):
    source = _AnySlugChoice(label="Copy From", validators=[_slug],
                            error_messages={"required": "Choose the account to Copy From."})
    destinations = _AnySlugMultipleChoice(
        label="Copy To", widget=forms.CheckboxSelectMultiple,
        help_text="One or more accounts where your username has Full Access to the chosen files.",
        error_messages={"required": "Choose at least one account to Copy To."})
    files = forms.MultipleChoiceField(
        label="Files", widget=forms.CheckboxSelectMultiple,
        choices=[(key, f.label) for key, f in FILES.items()],
        error_messages={"required": "Choose at least one file to copy.",
                        "invalid_choice": "Choose files from the list."})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose an account")] + _account_choices(user, Level.VIEW)
        self.fields["destinations"].choices = _account_choices(user, Level.FULL)

    def clean_destinations(self):
        slugs = self.cleaned_data["destinations"]
        if len(slugs) > MAX_DESTINATIONS:
            raise forms.ValidationError(f"Copy into at most {MAX_DESTINATIONS} accounts at a time.")
        for slug in slugs:
            _slug(slug)
        return list(dict.fromkeys(slugs))

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") in (data.get("destinations") or []):
            self.add_error("destinations", "The Copy From account cannot also be a Copy To account.")
        return data


class CopyNowForm(CopyForm):
    differences = forms.ChoiceField(
        label="When a code exists in both with differences",
        widget=forms.RadioSelect, initial="keep",
        choices=[("keep", "Keep the destination's version"), ("replace", "Replace it with the Copy From version")],
        error_messages={"required": "Choose what to do with differences.",
                        "invalid_choice": "Choose keep or replace."})
