"""Forms of the Clients section. ClientForm is also the row check a CSV import can reuse.

Text is NFC-normalized and control characters refused; dates, phones and ZIP codes are
checked here so that bad input gets a message beside its field, never a 500.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practicegate.clients import selectors, text
from practicegate.clients.models import (
    ClientDiagnosis,
    Priority,
    Relationship,
    Sex,
    Subscriber,
)
from practicegate.core.versioning import VersionField
from practicegate.masterfiles import validators as mf
from practicegate.records.csvfiles import defuse

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
OLDEST_AGE_YEARS = 125
NAME_PUNCTUATION = set(" '’ʼ-‐.,")
PHONE_REGION = "US"
STATE_CHOICES = [("", "—")] + [(s, s) for s in mf.US_STATES]


def date_field(label: str, *, required: bool = True, **kw) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "Enter a date as YYYY-MM-DD or MM/DD/YYYY."}, **kw)


def clean_line(value: str, max_length: int) -> str:
    """One line of text: NFC, single spaces, no control characters, within `max_length`."""
    if text.has_control(value or ""):
        raise ValidationError("Please remove invisible or control characters.")
    value = text.nfc(value or "")
    if len(value) > max_length:
        raise ValidationError(f"Use at most {max_length} characters.")
    return value


def person_name(value: str, max_length: int = 100) -> str:
    """A name in any script: letters and marks, spaces, apostrophes, hyphens, periods."""
    value = clean_line(value, max_length)
    for ch in value:
        if ch in NAME_PUNCTUATION or ch in {"\u200c", "\u200d"}:
            continue
        if unicodedata.category(ch)[0] not in {"L", "M"}:
            raise ValidationError("A name has letters, spaces, apostrophes, hyphens and periods only.")
    if value and not any(unicodedata.category(ch)[0] == "L" for ch in value):
        raise ValidationError("A name needs at least one letter.")
    return value


def phone_number(value: str) -> str:
    """Any phone number people type -> E.164 ('+15035550123'); US numbers need no +1."""
    raw = clean_line(value, 30)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number with area code, for example (503) 555-0123.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("This is not a phone number that can be dialed: check the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """National format for US numbers ((503) 555-0123), international for the others."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
        raise ValidationError(f"{what} is before the client's date of birth ({born:%Y-%m-%d}).")
    return value


def as_typed(value):
    """A stored value as an edit form shows it: text that starts like a formula keeps its apostrophe,
    so saving the form again keeps it (mf.not_a_formula removes the apostrophe again)."""
    return defuse(value) if isinstance(value, str) else value


class TextForm(forms.Form):
    """Every CharField is checked as one line of text (NFC, no control characters) that a
    spreadsheet would not run as a formula (after normalising, so leading spaces hide nothing),
    as the master files' forms and every CSV import check it. Phones are parsed, not kept as typed."""

    phone_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            field = self.fields[name]
            if isinstance(value, str) and type(field) is forms.CharField and name not in self.errors:
                try:
                    data[name] = clean_line(value, getattr(field, "limit", field.max_length or 200))
                    if name not in self.phone_fields:
                        data[name] = mf.not_a_formula(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


def _text(label: str, max_length: int, *, required: bool = False, **kw) -> forms.CharField:
    """A one-line text field; its `limit` is checked after NFC (decomposed input may be longer)."""
    field = forms.CharField(label=label, max_length=max_length * 2, required=required, strip=False,
                            widget=forms.TextInput(attrs={"maxlength": max_length}),
                            error_messages={"max_length": f"Use at most {max_length} characters."}, **kw)
    field.limit = max_length
    return field


class ClientForm(TextForm):
    """Demographics: the add and edit pages, and each row of a CSV import."""

    first_name = _text("First name", 100, required=True)
    middle_name = _text("Middle name", 100)
    last_name = _text("Last name", 100, required=True)
    preferred_name = _text("Preferred name", 100)
    birth_date = date_field("Date of birth")
    sex = forms.ChoiceField(label="Sex (for claims)", choices=[("", "—")] + Sex.choices)
    gender_identity = _text("Gender identity", 60, help_text="Optional, in the client's own words.")
    address1 = _text("Address", 100)
    address2 = _text("Address line 2", 100)
    city = _text("City", 80)
    state = forms.ChoiceField(label="State", choices=STATE_CHOICES, required=False)
    zip_code = _text("ZIP", 10, help_text="5 or 9 digits")
    home_phone = _text("Home phone", 30)
    mobile_phone = _text("Mobile phone", 30)
    work_phone = _text("Work phone", 30)
    email = forms.EmailField(label="E-mail", max_length=254, required=False)
    emergency_name = _text("Emergency contact", 120)
    emergency_relationship = _text("Emergency contact's relationship", 60)
    emergency_phone = _text("Emergency contact's phone", 30)
    intake_date = date_field("Intake date", required=False, help_text="Today when left empty.")

    name_fields = ("first_name", "middle_name", "last_name", "preferred_name", "emergency_name")
    phone_fields = ("home_phone", "mobile_phone", "work_phone", "emergency_phone")

    def clean(self):
        data = super().clean()
        for name in self.name_fields:
            if name in data and name not in self.errors:
                try:
                    data[name] = person_name(data[name], self.fields[name].limit)
                except ValidationError as exc:
                    self.add_error(name, exc)
        for name in ("first_name", "last_name"):
            if name in data and name not in self.errors and not data[name]:
                self.add_error(name, "This field is required.")
        for name in self.phone_fields:
            if name in data and name not in self.errors:
                try:
                    data[name] = phone_number(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        if "zip_code" in data and "zip_code" not in self.errors:
            try:
                data["zip_code"] = mf.zip_code(data["zip_code"])
            except ValidationError as exc:
                self.add_error("zip_code", exc)
        if "birth_date" in data and "birth_date" not in self.errors:
            try:
                birth_date(data["birth_date"])
            except ValidationError as exc:
                self.add_error("birth_date", exc)
        if data.get("email"):
            data["email"] = data["email"].strip()
            if text.has_control(data["email"]):
                self.add_error("email", "Please remove invisible or control characters.")
            else:
                try:
                    data["email"] = mf.not_a_formula(data["email"])
                except ValidationError as exc:
                    self.add_error("email", exc)
        intake = data.get("intake_date")
        if "intake_date" in data and "intake_date" not in self.errors:
            if intake is None:
                data["intake_date"] = intake = timezone.localdate()
            try:
                not_future(intake, "The intake date", slack_days=366)
            except ValidationError as exc:
                self.add_error("intake_date", exc)
            born = data.get("birth_date")
            if born and intake and intake < born and "intake_date" not in self.errors:
                self.add_error("intake_date", "The intake date is before the date of birth.")
        return data


class ClientEditForm(ClientForm):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intake_date"].required = True  # "today when empty" is for new clients only
        self.fields["intake_date"].help_text = ""


class DischargeForm(forms.Form):
    discharge_date = date_field("Discharge date")
    version = VersionField()

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_discharge_date(self):
        value = not_future(self.cleaned_data["discharge_date"], "The discharge date")
        if self.client is not None and value < self.client.intake_date:
            raise ValidationError("The discharge date is before the intake date.")
        return value


class ReadmitForm(forms.Form):
    intake_date = date_field("New intake date")
    version = VersionField()

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_intake_date(self):
        value = not_future(self.cleaned_data["intake_date"], "The intake date", slack_days=366)
        if self.client is not None and self.client.discharge_date and value < self.client.discharge_date:
            raise ValidationError("The new intake date is before the discharge date.")
        return value


class VoidForm(TextForm):
    void_reason = _text("Reason", 200, required=True)
    version = VersionField()


class EndForm(forms.Form):
    end_date = date_field("End date")
    version = VersionField()

    def __init__(self, *args, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line

    def clean_end_date(self):
        value = self.cleaned_data["end_date"]
        start = getattr(self.line, "start_date", None) or getattr(self.line, "effective_date", None)
        if start and value < start:
            raise ValidationError("The end date is before the start date.")
        return value


# --- Diagnoses ---------------------------------------------------------------------

class DiagnosisLineForm(forms.Form):
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)
    start_date = date_field("Start date")
    end_date = date_field("End date", required=False)

    def __init__(self, *args, client=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.account = client, account

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and "start_date" not in self.errors:
            try:
                not_future(start, "The start date", slack_days=1)
                not_before_birth(start, self.client, "The start date")
            except ValidationError as exc:
                self.add_error("start_date", exc)
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data


class DiagnosisAddForm(DiagnosisLineForm):
    code = forms.CharField(label="ICD-10-CM code", max_length=12, help_text="One of this account's active diagnosis codes, for example F41.1")
    field_order = ["code", "is_primary", "start_date", "end_date"]

    def clean_code(self):
        code = mf.icd10_code(self.cleaned_data["code"])
        row = selectors.active_diagnosis_code(self.account, code)
        if row is None:
            raise ValidationError("This account has no active diagnosis code like that (see Diagnosis Codes).")
        return row


class DiagnosisEditForm(DiagnosisLineForm):
    version = VersionField()


# --- Insurance policies ----------------------------------------------------------

class PolicyLineForm(TextForm):
    priority = forms.TypedChoiceField(label="Priority", choices=Priority.choices, coerce=int)
    member_id = _text("Member ID", 40, required=True)
    group_number = _text("Group number", 40)
    subscriber = forms.ChoiceField(label="Subscriber", choices=Subscriber.choices, initial=Subscriber.SELF)
    subscriber_name = _text("Subscriber's name", 120, help_text="When the subscriber is another person.")
    subscriber_birth_date = date_field("Subscriber's date of birth", required=False)
    relationship = forms.ChoiceField(label="Client's relationship to the subscriber",
                                     choices=[("", "—")] + Relationship.choices, required=False)
    effective_date = date_field("Effective date")
    end_date = date_field("End date", required=False)

    def __init__(self, *args, client=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.account = client, account

    def clean(self):
        data = super().clean()
        if "member_id" in data and not data.get("member_id") and "member_id" not in self.errors:
            self.add_error("member_id", "Enter the member ID.")
        if data.get("subscriber") == Subscriber.OTHER:
            if "subscriber_name" not in self.errors:
                try:
                    data["subscriber_name"] = person_name(data.get("subscriber_name", ""), 120)
                except ValidationError as exc:
                    self.add_error("subscriber_name", exc)
                else:
                    if not data["subscriber_name"]:
                        self.add_error("subscriber_name", "Enter the subscriber's name.")
            if not data.get("relationship"):
                self.add_error("relationship", "Choose the client's relationship to the subscriber.")
            if data.get("subscriber_birth_date") and "subscriber_birth_date" not in self.errors:
                try:
                    birth_date(data["subscriber_birth_date"])
                except ValidationError as exc:
                    self.add_error("subscriber_birth_date", exc)
        elif data.get("subscriber") == Subscriber.SELF:
            data.update(subscriber_name="", subscriber_birth_date=None, relationship="")
        start, end = data.get("effective_date"), data.get("end_date")
        if start and "effective_date" not in self.errors:
            try:
                not_future(start, "The effective date", slack_days=366)
                not_before_birth(start, self.client, "The effective date")
            except ValidationError as exc:
                self.add_error("effective_date", exc)
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the effective date.")
        return data


class PolicyAddForm(PolicyLineForm):
    payer = forms.ModelChoiceField(label="Insurance payer", queryset=None,
                                   error_messages={"invalid_choice": "Choose one of this account's active payers."})
    field_order = ["payer", "priority", "member_id", "group_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = selectors.active_payers(self.account)


class PolicyEditForm(PolicyLineForm):
    version = VersionField()


# --- Services ------------------------------------------------------------------------

class ServiceLineForm(forms.Form):
    service_date = date_field("Date of service")
    units = forms.IntegerField(label="Units", min_value=1, max_value=mf.UNITS_MAX, required=False,
                               help_text="The billing code's default units when left empty.")
    fee = forms.CharField(label="Fee", max_length=14, required=False,
                          help_text="The billing code's fee times the units when left empty.")
    diagnosis1 = forms.ModelChoiceField(label="Diagnosis pointer 1", queryset=None, required=False)
    diagnosis2 = forms.ModelChoiceField(label="Diagnosis pointer 2", queryset=None, required=False)
    diagnosis3 = forms.ModelChoiceField(label="Diagnosis pointer 3", queryset=None, required=False)
    diagnosis4 = forms.ModelChoiceField(label="Diagnosis pointer 4", queryset=None, required=False)

    pointer_fields = ("diagnosis1", "diagnosis2", "diagnosis3", "diagnosis4")

    def __init__(self, *args, client=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.account = client, account
        choices = (ClientDiagnosis.objects.filter(account=account, client=client, voided=False)
                   .select_related("code").order_by("-is_primary", "start_date", "id"))
        for name in self.pointer_fields:
            self.fields[name].queryset = choices
            self.fields[name].label_from_instance = lambda d: f"{d.code.display_code} {d.code.description}"
            self.fields[name].error_messages["invalid_choice"] = "Choose one of this client's diagnoses."

    def clean_fee(self):
        raw = self.cleaned_data["fee"]
        if not (raw or "").strip():
            return None
        return mf.fee(raw)

    def clean(self):
        data = super().clean()
        if data.get("service_date") and "service_date" not in self.errors:
            try:
                not_future(data["service_date"], "The date of service")
            except ValidationError as exc:
                self.add_error("service_date", exc)
            else:
                if self.client is not None and data["service_date"] < self.client.birth_date:
                    self.add_error("service_date", "The date of service is before the client's date of birth.")
        chosen = [data.get(n) for n in self.pointer_fields]
        seen = set()
        for name, dx in zip(self.pointer_fields, chosen, strict=True):
            if dx is None:
                continue
            if dx.pk in seen:
                self.add_error(name, "This diagnosis is already pointed to.")
            seen.add(dx.pk)
        filled = [dx is not None for dx in chosen]
        if any(filled[i + 1] and not filled[i] for i in range(3)):
            self.add_error("diagnosis1", "Fill the pointers in order, from pointer 1.")
        return data


class ServiceAddForm(ServiceLineForm):
    billing_code = forms.ModelChoiceField(label="Billing code", queryset=None,
                                          error_messages={"invalid_choice": "Choose one of this account's active billing codes."})
    field_order = ["service_date", "billing_code", "units", "fee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_code"].queryset = selectors.active_billing_codes(self.account)


class ServiceEditForm(ServiceLineForm):
    version = VersionField()


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("active", "Active"), ("discharged", "Discharged"), ("all", "All")])
    after = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean_q(self):
        value = self.cleaned_data["q"]
        if text.has_control(value):
            raise ValidationError("Please remove invisible or control characters.")
        return text.nfc(value)
