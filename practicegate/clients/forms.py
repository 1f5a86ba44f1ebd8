"""Forms of the Clients section. ClientForm is also the row check a CSV import can reuse.

Text follows core.text (NFC, no invisible characters, no formula; the field checks are in
clients.fields); dates, phones and ZIP codes are checked here so that bad input gets a
message beside its field, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify

from practicegate.clients.duplicates import numbers
from practicegate.clients.fields import (
    STATE_CHOICES,
    TextForm,
    birth_date,
    date_field,
    not_before_birth,
    not_future,
    person_name,
    text_field,
)
from practicegate.clients.lookups import LookupField
from practicegate.clients.models import (
    ClientDiagnosis,
    Priority,
    Relationship,
    Sex,
    Subscriber,
)
from practicegate.clients.services import NO_POINTER
from practicegate.core import text
from practicegate.masterfiles.lookups import BILLING_CODES, DIAGNOSIS_CODES, PAYERS
from practicegate.records import formats
from practicegate.records.editing import VersionField


def as_typed(value):
    """A stored value as an edit form shows it: text that starts like a formula keeps its apostrophe,
    so saving the form again keeps it (text.not_a_formula removes the apostrophe again)."""
    return text.defuse(value) if isinstance(value, str) else value


class ClientForm(TextForm):
    """Demographics: the add and edit pages, and each row of a CSV import."""

    first_name = text_field("First name", 100, required=True)
    middle_name = text_field("Middle name", 100)
    last_name = text_field("Last name", 100, required=True)
    preferred_name = text_field("Preferred name", 100)
    birth_date = date_field("Date of birth")
    sex = forms.ChoiceField(label="Sex (for claims)", choices=[("", "—")] + Sex.choices)
    gender_identity = text_field("Gender identity", 60, help_text="Optional, in the client's own words.")
    address1 = text_field("Address", 100)
    address2 = text_field("Address line 2", 100)
    city = text_field("City", 80)
    state = forms.ChoiceField(label="State", choices=STATE_CHOICES, required=False)
    zip_code = text_field("ZIP", 10, help_text="5 or 9 digits")
    home_phone = text_field("Home phone", 30)
    mobile_phone = text_field("Mobile phone", 30)
    work_phone = text_field("Work phone", 30)
    email = forms.EmailField(label="E-mail", max_length=254, required=False)
    emergency_name = text_field("Emergency contact", 120)
    emergency_relationship = text_field("Emergency contact's relationship", 60)
    emergency_phone = text_field("Emergency contact's phone", 30)
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
                    data[name] = text.phone_for_storage(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        if "zip_code" in data and "zip_code" not in self.errors:
            try:
                data["zip_code"] = formats.zip_code(data["zip_code"])
            except ValidationError as exc:
                self.add_error("zip_code", exc)
        if "birth_date" in data and "birth_date" not in self.errors:
            try:
                birth_date(data["birth_date"])
            except ValidationError as exc:
                self.add_error("birth_date", exc)
        if data.get("email"):
            data["email"] = data["email"].strip()
            if text.has_invisible(data["email"], joiners=False):
                self.add_error("email", text.INVISIBLE_MESSAGE)
            else:
                try:
                    data["email"] = text.not_a_formula(data["email"])
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


class MarkedField:
    """A bound field whose label says "(required)" in words when the field must be filled, so
    core/_form.html (which prints the label) marks it without relying on colour. The field's own
    label stays plain: conflict notes and the Access history name fields by it."""

    def __init__(self, bound):
        self._bound = bound

    def __getattr__(self, name):
        return getattr(self._bound, name)

    def __str__(self):
        return str(self._bound)

    def __html__(self):
        return self._bound.__html__()

    @property
    def label(self):
        label = self._bound.label
        if self._bound.field.required:
            return format_html('{} <span class="required">(required)</span>', label)
        return label


@dataclass(frozen=True)
class FieldGroup:
    """One fieldset of a long form, shaped like a form for core/_form.html (its own fields only)."""

    legend: str
    slug: str
    fields: tuple

    def visible_fields(self):
        return self.fields

    def hidden_fields(self):
        return ()

    def non_field_errors(self):
        return ()


class FieldsetsMixin:
    """A form shown in fieldsets (clients/_fieldsets.html), required fields marked in words."""

    fieldsets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def groups(self) -> list[FieldGroup]:
        return [FieldGroup(legend, slugify(legend), tuple(MarkedField(self[name]) for name in names if name in self.fields))
                for legend, names in self.fieldsets]


class SamePersonForm(forms.Form):
    """What Add Client and Edit Demographics ask when the client may be someone already in the account:
    the numbers of the clients shown (kept in the page) and the box that says it is someone else."""

    different_person = forms.BooleanField(label="This is a different person", required=False)
    shown_matches = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def clean_shown_matches(self) -> tuple[int, ...]:
        parts = (self.cleaned_data.get("shown_matches") or "").split(",")
        return tuple(int(p) for p in parts if p.isascii() and p.isdigit() and len(p) <= 9)

    def different_from(self) -> tuple[int, ...]:
        """The client numbers the user said this is not (only those shown to them, only when ticked)."""
        data = getattr(self, "cleaned_data", {})
        return data.get("shown_matches", ()) if data.get("different_person") else ()

    def show_matches(self, matches) -> None:
        """Keep the numbers of `matches` in the form, the box not ticked: it is ticked for these clients only."""
        self.data = self.data.copy()
        self.data["shown_matches"] = ",".join(str(n) for n in numbers(matches))
        self.data.pop("different_person", None)

    def kept_matches(self) -> tuple[int, ...]:
        """The numbers shown before, as posted back (also when another field has an error)."""
        raw = str(self.data.get("shown_matches", "") or "")
        return tuple(int(p) for p in raw.split(",") if p.isascii() and p.isdigit() and len(p) <= 9)


CLIENT_FIELDSETS = (
    ("Name", ("first_name", "middle_name", "last_name", "preferred_name")),
    ("Birth and sex", ("birth_date", "sex", "gender_identity")),
    ("Contact", ("home_phone", "mobile_phone", "work_phone", "email")),
    ("Address", ("address1", "address2", "city", "state", "zip_code")),
    ("Emergency contact", ("emergency_name", "emergency_relationship", "emergency_phone")),
    ("Intake", ("intake_date",)),
)


class ClientAddForm(FieldsetsMixin, ClientForm, SamePersonForm):
    """The Add Client page: the demographics in fieldsets, and the same-person question."""

    fieldsets = CLIENT_FIELDSETS


class ClientEditForm(FieldsetsMixin, ClientForm, SamePersonForm):
    fieldsets = CLIENT_FIELDSETS
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
    void_reason = text_field("Reason", 200, required=True)
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
    code = LookupField(DIAGNOSIS_CODES, label="Diagnosis code",
                       help_text="An ICD-10-CM code or words of its description, for example F41.1 or "
                                 "generalized anxiety; one of this account's active diagnosis codes.")
    field_order = ["code", "is_primary", "start_date", "end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].bind(self.account)


class DiagnosisEditForm(DiagnosisLineForm):
    version = VersionField()


# --- Insurance policies ----------------------------------------------------------

class PolicyLineForm(TextForm):
    code_fields = ("member_id", "group_number")

    priority = forms.TypedChoiceField(label="Priority", choices=Priority.choices, coerce=int)
    member_id = text_field("Member ID", 40, required=True)
    group_number = text_field("Group number", 40)
    subscriber = forms.ChoiceField(label="Subscriber", choices=Subscriber.choices, initial=Subscriber.SELF)
    subscriber_name = text_field("Subscriber's name", 120, help_text="When the subscriber is another person.")
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
    payer = LookupField(PAYERS, label="Insurance payer",
                        help_text="The payer ID or words of the payer's name; one of this account's active payers.")
    field_order = ["payer", "priority", "member_id", "group_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].bind(self.account)


class PolicyEditForm(PolicyLineForm):
    version = VersionField()


# --- Services ------------------------------------------------------------------------

class ServiceLineForm(forms.Form):
    service_date = date_field("Date of service")
    units = forms.IntegerField(label="Units", min_value=1, max_value=formats.UNITS_MAX, required=False,
                               help_text="The billing code's default units when left empty.")
    fee = forms.CharField(label="Fee", max_length=14, required=False,
                          help_text="The billing code's fee times the units when left empty.")
    diagnosis1 = forms.ModelChoiceField(label="Diagnosis pointer 1", queryset=None, required=False,
                                        help_text="At least one: the diagnosis this service treats.")
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
        return formats.fee(raw)

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
        elif not any(filled) and not any(n in self.errors for n in self.pointer_fields):
            if self.fields["diagnosis1"].queryset.exists():
                self.add_error("diagnosis1", NO_POINTER)
            else:
                self.add_error("diagnosis1", "This client has no diagnosis yet: add one on the Diagnoses tab "
                                             "first (a service without a diagnosis cannot be billed).")
        return data


class ServiceAddForm(ServiceLineForm):
    billing_code = LookupField(BILLING_CODES, label="Billing code",
                               help_text="The CPT or HCPCS code or words of its description, for example 90837; "
                                         "one of this account's active billing codes.")
    field_order = ["service_date", "billing_code", "units", "fee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_code"].bind(self.account)


class ServiceEditForm(ServiceLineForm):
    version = VersionField()


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("active", "Active"), ("discharged", "Discharged"), ("all", "All")])

    def clean_q(self):
        return text.clean_text(self.cleaned_data["q"])
