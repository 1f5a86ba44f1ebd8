"""Forms of two-factor log-in. Codes are checked for shape here and against devices in services."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from practicegate.core.text import reject_control_characters, reject_invisible_in_text
from practicegate.twofactor import ceremony, recovery

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


# --- Passkeys -------------------------------------------------------------------
NO_PASSKEY_ANSWER = ("Your browser did not send a passkey. Press the button again and follow your "
                     "browser's steps; passkeys need a recent browser with JavaScript on.")


class PasskeyAnswerField(forms.CharField):
    """The browser's answer (a WebAuthn credential as JSON), filled in by twofactor/passkeys.js."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20000)
        kwargs.setdefault("error_messages", {"required": NO_PASSKEY_ANSWER, "max_length": NO_PASSKEY_ANSWER})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValidationError(NO_PASSKEY_ANSWER) from None
        if not isinstance(parsed, dict):
            raise ValidationError(NO_PASSKEY_ANSWER)
        return parsed


class PasskeyOptionsForm(forms.Form):
    """Which exchange the browser is starting (the options endpoint answers with its challenge)."""

    purpose = forms.ChoiceField(choices=[(p, p) for p in ceremony.PURPOSES])


class PasskeyAnswerForm(forms.Form):
    credential = PasskeyAnswerField()
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class PasskeyAddForm(forms.Form):
    name = forms.CharField(label="Name for this passkey", max_length=64,
                           validators=[reject_control_characters, reject_invisible_in_text],
                           help_text="So you can tell your passkeys apart, for example “Office laptop” "
                                     "or “My phone”.")
    password = forms.CharField(label="Your password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    credential = PasskeyAnswerField()


class PasskeyRemoveForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    credential = PasskeyAnswerField(required=False)
