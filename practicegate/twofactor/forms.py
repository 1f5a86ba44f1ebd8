"""Forms of two-factor log-in. Codes are checked for shape here and against devices in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from practicegate.core.text import reject_control_characters
from practicegate.twofactor import recovery

SHAPE_MESSAGE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
TOTP_SHAPE_MESSAGE = "Enter the 6-digit code your authenticator app shows now."


def _code_widget(autocomplete: str = "one-time-code") -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "inputmode": "text", "spellcheck": "false",
                                  "autocapitalize": "off", "autofocus": True})


class CodeForm(forms.Form):
    """A current authenticator code or a recovery code."""

    code = forms.CharField(label="Code", max_length=64, validators=[reject_control_characters],
                           widget=_code_widget(),
                           help_text="The 6-digit code from your authenticator app, or a recovery code.")

    def clean_code(self):
        value = self.cleaned_data["code"]
        if recovery.normalize_totp_code(value) is None and recovery.normalize_recovery_code(value) is None:
            raise ValidationError(SHAPE_MESSAGE)
        return value


class SetupForm(forms.Form):
    """The first code, which proves the app holds the secret, and the password: turning on a
    second factor is a change of how one logs in, so a stolen session alone cannot do it."""

    code = forms.CharField(label="Code from your app", max_length=64, validators=[reject_control_characters],
                           widget=_code_widget())
    password = forms.CharField(label="Your password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_code(self):
        value = self.cleaned_data["code"]
        if recovery.normalize_totp_code(value) is None:
            raise ValidationError(TOTP_SHAPE_MESSAGE)
        return value


class ReauthForm(CodeForm):
    """Password and a current code, for turning two-factor log-in off or new recovery codes."""

    password = forms.CharField(label="Password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    field_order = ["password", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)


class RequirementForm(forms.Form):
    required = forms.BooleanField(required=False,
                                  label="Require two-factor log-in of every username with access to this account")
