"""Forms of the access pages. Every field is bounded; odd input gets a message, never a 500."""

from __future__ import annotations

from django import forms
from django.conf import settings

from practicegate.accounts.forms import NewUsernameForm, optional_email_field
from practicegate.core.sections import SECTIONS, Level, level_of
from practicegate.core.text import reject_control_characters


class AllowAccessForm(NewUsernameForm):
    """Allow Account Access: Username, Password, Password again (the sign-up rules), an optional e-mail."""

    email = optional_email_field()


class FindAccountForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150, validators=[reject_control_characters])
    password = forms.CharField(label="Password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(label="Two-factor code", required=False, max_length=32,
                           validators=[reject_control_characters],
                           help_text="Only if that username uses two-factor log-in.",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class JoinAccountForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)


class RedeemCodeForm(forms.Form):
    join_code = forms.CharField(
        label="Join code", max_length=100, validators=[reject_control_characters],
        help_text="20 letters and digits. Capitals, dashes and spaces do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false", "class": "join-code-input"}))


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class LevelsForm(forms.Form):
    """One choice of Full Access / View Only / No Access for every section in the registry."""

    def __init__(self, *args, initial_levels: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for section in SECTIONS:
            self.fields[section.key] = forms.TypedChoiceField(
                label=section.label,
                choices=[(int(level), level.label) for level in reversed(Level)],
                coerce=int,
                widget=forms.RadioSelect,
                initial=int(level_of(initial_levels or {}, section.key)),
            )

    def levels(self) -> dict[str, int]:
        return {section.key: int(self.cleaned_data[section.key]) for section in SECTIONS}
