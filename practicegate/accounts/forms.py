"""Forms for sign-up, log-in and passwords. Every field is bounded and validated."""

from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from practicegate.accounts.models import User
from practicegate.accounts.services import username_refusal
from practicegate.core.text import reject_invisible_in_text


def password_field(label: str = "Password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=settings.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UsernameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("validators", [UnicodeUsernameValidator()])
        kwargs.setdefault(
            "help_text", "Letters, digits and @ . + - _ only. Not case-sensitive."
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFKC", value) if value else value


class NewUsernameForm(forms.Form):
    """A new username and its password, as sign-up and Allow Account Access both ask."""

    username = UsernameField()
    password1 = password_field("Password")
    password2 = password_field("Password again")

    def clean_username(self):
        username = self.cleaned_data["username"]
        refusal = username_refusal(username)
        if refusal:
            raise ValidationError(refusal)
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            candidate = User(username=data.get("username") or "", email=data.get("email") or "")
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignupForm(NewUsernameForm):
    provider_name = forms.CharField(label="Provider name", max_length=120,
                                    validators=[reject_invisible_in_text])
    email = forms.EmailField(max_length=254)

    field_order = ["provider_name", "email", "username", "password1", "password2"]


class LoginForm(auth_forms.AuthenticationForm):
    username = UsernameField(validators=[], help_text="")
    password = forms.CharField(label="Password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": "That username and password do not match. Please try again.",
        "inactive": "That username and password do not match. Please try again.",
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(settings.PASSWORD_MAX_LENGTH))
        self.fields["new_password1"].help_text = (
            f"At least {settings.PASSWORD_MIN_LENGTH} characters. Any characters, spaces included."
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(settings.PASSWORD_MAX_LENGTH))


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(max_length=254)


class AccountSettingsForm(forms.Form):
    name = forms.CharField(label="Provider name", max_length=120, validators=[reject_invisible_in_text])
    email = forms.EmailField(max_length=254)
