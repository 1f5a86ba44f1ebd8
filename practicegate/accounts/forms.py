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
from practicegate.core.localtime import NOT_A_ZONE, default_zone, is_zone, zone_choices
from practicegate.core.text import reject_control_characters, reject_invisible_in_text


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


class TimeZoneField(forms.ChoiceField):
    """A time zone from the list (US zones first); anything else gets one plain message."""

    def __init__(self, *, blank_label: str = "", **kwargs):
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("error_messages", {"invalid_choice": NOT_A_ZONE, "required": NOT_A_ZONE})
        super().__init__(choices=(), **kwargs)
        self.choices = ([("", blank_label)] if blank_label else []) + list(zone_choices())

    def validate(self, value):
        super().validate(value)
        if value and not is_zone(value):
            raise ValidationError(NOT_A_ZONE, code="invalid_choice")


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
    # Left out of a post (a script): the default zone; a wrong one gets a message.
    time_zone = TimeZoneField(required=False,
                              help_text="Every time in the account is shown in this zone. You can change it in Settings.")

    field_order = ["provider_name", "email", "time_zone", "username", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = default_zone()

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or default_zone()


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


class PasswordResetForm(forms.Form):
    """Forgot password: a username or the e-mail address of one (the page answers the same either way)."""

    who = forms.CharField(label="Your username or e-mail address", max_length=254,
                          validators=[reject_control_characters],
                          widget=forms.TextInput(attrs={"autocomplete": "username"}))

    def clean_who(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["who"].strip())


def optional_email_field(**kwargs) -> forms.EmailField:
    kwargs.setdefault("label", "E-mail address (optional)")
    kwargs.setdefault("help_text", "For resetting a forgotten password. We mail a link to it; it is used once "
                                   "that link is opened.")
    return forms.EmailField(required=False, max_length=254, **kwargs)


class OwnEmailForm(forms.Form):
    """My e-mail: a new address (blank removes it), with the current password."""

    email = optional_email_field(label="New e-mail address",
                                 help_text="Leave it empty to remove your address. We mail a link to the new "
                                           "address; it is used once you open that link.")
    password = forms.CharField(label="Your current password", strip=False, max_length=settings.PASSWORD_MAX_LENGTH,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your current password.")
        return password


class AccountSettingsForm(forms.Form):
    name = forms.CharField(label="Provider name", max_length=120, validators=[reject_invisible_in_text])
    email = forms.EmailField(max_length=254)
    # Left out of a post: the account keeps its zone.
    time_zone = TimeZoneField(required=False, help_text="Every time on this account's pages is shown in this zone.")


class OwnTimeZoneForm(forms.Form):
    """A username's own zone: its pages outside any account (My Activity) show times in it."""

    time_zone = TimeZoneField(required=False, blank_label="Same as my home account",
                              label="Time zone of my own pages")
