"""Forms of the Billing section. Text follows core.text (NFC, no invisible characters, no formula);
identifiers follow billing.identifiers."""

from __future__ import annotations

import re

from django import forms

from practicegate.billing import identifiers
from practicegate.billing.models import (
    ClaimStatus,
    Frequency,
    PlaceOfService,
    ProviderKind,
    TaxIdKind,
    UsageIndicator,
)
from practicegate.core import text
from practicegate.records import formats
from practicegate.records.editing import VersionField


def _text(label: str, max_length: int, *, required: bool = False, **kw):
    return forms.CharField(label=label, max_length=max_length, required=required, strip=False, **kw)


class _CleanText(forms.Form):
    """Every text field cleaned the one way (NFC, no invisible characters, not a formula)."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and type(self.fields[name]) is forms.CharField:
                try:
                    data[name] = text.not_a_formula(text.clean_text(value))
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class VersionForm(forms.Form):
    """A button that changes a row carries the version of the page it was pressed on."""

    version = VersionField()


class BillingSettingsForm(_CleanText):
    provider_kind = forms.ChoiceField(label="The billing provider is", choices=ProviderKind.choices,
                                      widget=forms.RadioSelect)
    name = _text("Organization name, or the person's last name", 60, required=True)
    first_name = _text("First name (a person only)", 35)
    npi = forms.CharField(label="NPI", max_length=14, required=False, help_text="10 digits")
    taxonomy = forms.CharField(label="Taxonomy code", max_length=12, required=False,
                               help_text="For example 101YM0800X (mental health counselor)")
    tax_id_kind = forms.ChoiceField(label="Tax ID type", choices=TaxIdKind.choices)
    tax_id = forms.CharField(label="Tax ID", max_length=14, required=False,
                             help_text="9 digits. Leave empty to keep the one saved.")
    address1 = _text("Address", 55, required=True)
    address2 = _text("Address line 2", 55)
    city = _text("City", 30, required=True)
    state = forms.CharField(label="State", max_length=2, help_text="Two letters, for example NY")
    zip_code = forms.CharField(label="ZIP+4", max_length=12, help_text="All 9 digits, for example 12207-1234")
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    pay_to_address1 = _text("Pay-to address (only when payments go elsewhere)", 55)
    pay_to_address2 = _text("Pay-to address line 2", 55)
    pay_to_city = _text("Pay-to city", 30)
    pay_to_state = forms.CharField(label="Pay-to state", max_length=2, required=False)
    pay_to_zip_code = forms.CharField(label="Pay-to ZIP", max_length=12, required=False)
    place_of_service = forms.ChoiceField(label="Default place of service", choices=PlaceOfService.choices)
    rendering_last_name = _text("Rendering provider's last name (only when not the billing provider)", 60)
    rendering_first_name = _text("Rendering provider's first name", 35)
    rendering_npi = forms.CharField(label="Rendering provider's NPI", max_length=14, required=False)
    rendering_taxonomy = forms.CharField(label="Rendering provider's taxonomy code", max_length=12, required=False)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("phone"):
            self.initial = {**self.initial, "phone": text.phone_display(self.initial["phone"])}

    def clean_npi(self):
        return identifiers.npi(self.cleaned_data["npi"])

    def clean_rendering_npi(self):
        return identifiers.npi(self.cleaned_data["rendering_npi"])

    def clean_taxonomy(self):
        return identifiers.taxonomy(self.cleaned_data["taxonomy"])

    def clean_rendering_taxonomy(self):
        return identifiers.taxonomy(self.cleaned_data["rendering_taxonomy"])

    def clean_tax_id(self):
        return identifiers.tax_id(self.cleaned_data["tax_id"])

    def clean_state(self):
        value = formats.state(self.cleaned_data["state"])
        if not value:
            raise forms.ValidationError("Enter the state as two letters.")
        return value

    def clean_pay_to_state(self):
        return formats.state(self.cleaned_data["pay_to_state"])

    def clean_zip_code(self):
        return identifiers.zip9(self.cleaned_data["zip_code"])

    def clean_pay_to_zip_code(self):
        return identifiers.zip9(self.cleaned_data["pay_to_zip_code"], required=False)

    def clean_phone(self):
        return text.phone_for_storage(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("provider_kind") == ProviderKind.PERSON and not data.get("first_name"):
            self.add_error("first_name", "A person needs a first name.")
        if data.get("provider_kind") == ProviderKind.ORGANIZATION:
            data["first_name"] = ""
        pay_to = [data.get(f) for f in ("pay_to_address1", "pay_to_city", "pay_to_state", "pay_to_zip_code")]
        if any(pay_to) and not all(pay_to):
            self.add_error("pay_to_address1", "Give the whole pay-to address (street, city, state, ZIP), "
                                              "or leave it all empty.")
        if data.get("rendering_last_name") and not data.get("rendering_npi"):
            self.add_error("rendering_npi", "A rendering provider needs an NPI.")
        if data.get("rendering_npi") and not data.get("rendering_last_name"):
            self.add_error("rendering_last_name", "Enter the rendering provider's name.")
        return data


class ClearinghouseForm(_CleanText):
    name = _text("Clearinghouse name", 60, required=True)
    receiver_id = forms.CharField(label="Receiver ID", max_length=15, help_text="The clearinghouse's ID (ISA08)")
    submitter_id = forms.CharField(label="Submitter ID", max_length=15,
                                   help_text="Your ID at the clearinghouse (ISA06)")
    submitter_name = _text("Submitter name", 60, required=True)
    contact_name = _text("Contact name", 60, required=True)
    contact_phone = forms.CharField(label="Contact phone", max_length=30, required=False)
    contact_email = forms.EmailField(label="Contact e-mail", max_length=80, required=False)
    usage = forms.ChoiceField(label="Test or production", choices=UsageIndicator.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("contact_phone"):
            self.initial = {**self.initial, "contact_phone": text.phone_display(self.initial["contact_phone"])}

    def _id(self, name):
        value = self.cleaned_data[name].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{1,15}", value):
            raise forms.ValidationError("Up to 15 letters and digits, as the clearinghouse gave it.")
        return value

    def clean_receiver_id(self):
        return self._id("receiver_id")

    def clean_submitter_id(self):
        return self._id("submitter_id")

    def clean_contact_phone(self):
        return text.phone_for_storage(self.cleaned_data["contact_phone"])


class ClearinghouseEditForm(ClearinghouseForm):
    version = VersionField()


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Every status"), *ClaimStatus.choices])


class BuildForm(forms.Form):
    through = forms.DateField(label="Services dated up to", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              help_text="Leave empty to bill every unbilled service.")


class CorrectionForm(forms.Form):
    frequency = forms.ChoiceField(label="Correction", widget=forms.RadioSelect, choices=[
        (Frequency.REPLACEMENT, "Replace the claim (frequency 7)"),
        (Frequency.VOID, "Void the claim (frequency 8)")])
    reference = forms.CharField(label="The payer's claim number for it", max_length=50,
                                help_text="From the payer's acknowledgment or remittance.")
    version = VersionField()

    def clean_reference(self):
        value = text.clean_text(self.cleaned_data["reference"])
        if not re.fullmatch(r"[A-Za-z0-9\-]{1,50}", value):
            raise forms.ValidationError("Up to 50 letters, digits or hyphens.")
        return value


_MODIFIERS = re.compile(r"[A-Za-z0-9]{2}")


class ClaimEditForm(forms.Form):
    """The claim's place of service and prior authorization, and each line's modifiers and pointers."""

    place_of_service = forms.ChoiceField(label="Place of service", choices=PlaceOfService.choices)
    prior_authorization = forms.CharField(label="Prior authorization number", max_length=50, required=False)
    version = VersionField()

    def __init__(self, *args, lines=(), diagnoses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_numbers = [line.line_number for line in lines]
        self.diagnosis_count = len(diagnoses)
        for line in lines:
            n = line.line_number
            self.fields[f"line{n}_modifiers"] = forms.CharField(
                label=f"Line {n} ({line.service_date:%m/%d/%Y} {line.procedure_code}) modifiers", max_length=20,
                required=False, help_text="Up to four, separated by spaces, for example HO 95")
            self.fields[f"line{n}_pointers"] = forms.CharField(
                label=f"Line {n} diagnosis pointers", max_length=20, required=False,
                help_text=f"Up to four numbers from 1 to {len(diagnoses)}, in order, for example 1 2")
            self.initial.setdefault(f"line{n}_modifiers", " ".join(line.modifiers))
            self.initial.setdefault(f"line{n}_pointers", " ".join(map(str, line.pointers)))

    def clean_prior_authorization(self):
        value = text.clean_text(self.cleaned_data["prior_authorization"])
        if value and not re.fullmatch(r"[A-Za-z0-9\-]{1,50}", value):
            raise forms.ValidationError("Up to 50 letters, digits or hyphens.")
        return value

    def clean(self):
        data = super().clean()
        lines = {}
        for n in self.line_numbers:
            mods = (data.get(f"line{n}_modifiers") or "").replace(",", " ").split()
            if len(mods) > 4 or not all(_MODIFIERS.fullmatch(m) for m in mods):
                self.add_error(f"line{n}_modifiers", "Up to four modifiers of two letters or digits each.")
            elif len(set(m.upper() for m in mods)) != len(mods):
                self.add_error(f"line{n}_modifiers", "The same modifier is listed twice.")
            raw = (data.get(f"line{n}_pointers") or "").replace(",", " ").split()
            pointers = [int(p) for p in raw if p.isascii() and p.isdigit() and len(p) <= 2]
            if len(pointers) != len(raw) or len(pointers) > 4 or len(set(pointers)) != len(pointers) \
                    or any(not 1 <= p <= self.diagnosis_count for p in pointers):
                self.add_error(f"line{n}_pointers",
                               f"Up to four different numbers from 1 to {self.diagnosis_count}.")
            lines[n] = {"modifiers": [m.upper() for m in mods], "pointers": pointers}
        data["lines"] = lines
        return data
