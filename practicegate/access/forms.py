"""Forms of the access pages. Every field is bounded; odd input gets a message, never a 500."""

from __future__ import annotations

from django import forms
from django.conf import settings

from practicegate.accounts.forms import NewUsernameForm, optional_email_field
from practicegate.core.sections import SECTIONS, Level, level_of
from practicegate.core.text import reject_control_characters

STARTING_CHOICE = "starting"


def starting_label(starting: dict[str, int] | None) -> str:
    if starting is not None and set(starting.values()) == {int(Level.FULL)}:
        return "Full Access everywhere (this account's starting privileges)"
    return "This account's starting privileges (set under Username Privileges)"


def role_field(roles, *, least=None, starting=None, label: str = "Role") -> forms.ChoiceField:
    """A choice of the account's roles, plus its starting privileges; the least role preselected."""
    choices = [(str(r.pk), r.name) for r in roles] + [(STARTING_CHOICE, starting_label(starting))]
    return forms.ChoiceField(label=label, choices=choices, required=False,
                             initial=str(least.pk) if least is not None else STARTING_CHOICE,
                             error_messages={"invalid_choice": "Choose one of this account's roles."},
                             help_text="The privileges the username starts with. You can change them later "
                                       "under Username Privileges.")


class AllowAccessForm(NewUsernameForm):
    """Allow Account Access: Username, Password, Password again (the sign-up rules), an optional
    e-mail, and a role."""

    email = optional_email_field()

    def __init__(self, *args, roles=(), least=None, starting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = role_field(roles, least=least, starting=starting)


class JoinCodeForm(forms.Form):
    def __init__(self, *args, roles=(), least=None, starting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = role_field(roles, least=least, starting=starting, label="Role of the username who joins")


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


# --- Roles (feature: roles) -------------------------------------------------------------------

class RoleForm(LevelsForm):
    """A role: its name and a level for every section."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"] = forms.CharField(label="Role name", max_length=60,
                                              validators=[reject_control_characters])
        self.order_fields(["name"])


class ApplyRoleForm(forms.Form):
    """Apply a role to a username in several accounts: the accounts offered are only those the
    actor may manage now; any other value is refused without naming anything."""

    username = forms.CharField(label="Username", max_length=150, validators=[reject_control_characters])
    role = forms.ChoiceField(label="Role", error_messages={"invalid_choice": "Choose one of this account's roles."})
    accounts = forms.MultipleChoiceField(
        label="Accounts", widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose among the accounts listed.",
                        "required": "Choose at least one account."})
    step = forms.ChoiceField(choices=[("preview", "preview"), ("confirm", "confirm")], initial="preview",
                             widget=forms.HiddenInput, required=False)

    def __init__(self, *args, roles=(), accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(str(r.pk), r.name) for r in roles]
        self.fields["accounts"].choices = [(a.slug, a.name) for a in accounts]


class NoticeSettingsForm(forms.Form):
    emails = forms.ChoiceField(label="E-mails of owner notices", widget=forms.RadioSelect, choices=[
        ("on", "Send me these e-mails"),
        ("off", "Do not send me these e-mails (emergency access notices are still sent)"),
    ])
