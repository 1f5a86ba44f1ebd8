"""One form per master file, used by the add/edit pages and by every CSV row alike."""

from __future__ import annotations

from django import forms

from practicegate.core import text
from practicegate.masterfiles.icd10 import PRESETS
from practicegate.masterfiles.models import FilingIndicator, PayerType
from practicegate.records import formats
from practicegate.records.editing import VersionField


def _text(label: str, max_length: int, *, required: bool = True, multiline: bool = False, **kw):
    widget = forms.Textarea(attrs={"rows": 4}) if multiline else None
    return forms.CharField(label=label, max_length=max_length, required=required, strip=False,
                           widget=widget, **kw)


class MasterFileForm(forms.Form):
    """Field cleaners are named after records.formats; text fields follow core.text (NFC, no
    invisible characters, no formula)."""

    multiline_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and isinstance(self.fields[name], forms.CharField):
                try:
                    data[name] = text.not_a_formula(text.clean_text(value, multiline=name in self.multiline_fields))
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class DiagnosisCodeForm(MasterFileForm):
    code = forms.CharField(label="ICD-10-CM code", max_length=12, help_text="For example F41.1")
    description = _text("Description", 255)

    def clean_code(self):
        return formats.icd10_code(self.cleaned_data["code"])

    def clean_description(self):
        value = text.clean_text(self.cleaned_data["description"])
        if not value:
            raise forms.ValidationError("Enter a description.")
        return value


class BillingCodeForm(MasterFileForm):
    code = forms.CharField(label="CPT or HCPCS code", max_length=12, help_text="For example 90837")
    description = _text("Description", 255, help_text="Your own short wording.")
    modifier1 = forms.CharField(label="Modifier 1", max_length=4, required=False)
    modifier2 = forms.CharField(label="Modifier 2", max_length=4, required=False)
    modifier3 = forms.CharField(label="Modifier 3", max_length=4, required=False)
    modifier4 = forms.CharField(label="Modifier 4", max_length=4, required=False)
    fee = forms.CharField(label="Default fee", max_length=14, required=False,
                          help_text="In dollars, for example 150.00")
    units = forms.IntegerField(label="Default units", min_value=1, max_value=formats.UNITS_MAX,
                               required=False)

    def clean_code(self):
        return formats.billing_code(self.cleaned_data["code"])

    def clean_description(self):
        value = text.clean_text(self.cleaned_data["description"])
        if not value:
            raise forms.ValidationError("Enter a description.")
        return value

    def clean_modifier1(self):
        return formats.modifier(self.cleaned_data["modifier1"])

    def clean_modifier2(self):
        return formats.modifier(self.cleaned_data["modifier2"])

    def clean_modifier3(self):
        return formats.modifier(self.cleaned_data["modifier3"])

    def clean_modifier4(self):
        return formats.modifier(self.cleaned_data["modifier4"])

    def clean_fee(self):
        return formats.fee(self.cleaned_data["fee"])

    def clean_units(self):
        return self.cleaned_data["units"] or 1

    def clean(self):
        data = super().clean()
        mods = [data.get(f"modifier{i}", "") for i in range(1, 5)]
        filled = [m for m in mods if m]
        if len(set(filled)) != len(filled):
            self.add_error("modifier1", "The same modifier is listed twice.")
        # Modifiers fill from the first slot, so "modifier 2 without 1" cannot be stored.
        for i, value in enumerate(filled + [""] * (4 - len(filled)), start=1):
            data[f"modifier{i}"] = value
        return data


class PayerForm(MasterFileForm):
    multiline_fields = ("notes",)

    name = _text("Name", 120)
    payer_id = forms.CharField(label="Electronic payer ID", max_length=20, required=False)
    address = _text("Address", 200, required=False)
    city = _text("City", 80, required=False)
    state = forms.CharField(label="State", max_length=2, required=False,
                            help_text="Two letters, for example NY")
    zip_code = forms.CharField(label="ZIP", max_length=10, required=False)
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    payer_type = forms.ChoiceField(label="Type", choices=PayerType.choices,
                                   initial=PayerType.COMMERCIAL)
    # Billing: what kind of plan the payer's electronic claims go to (837P SBR09).
    claim_filing_indicator = forms.ChoiceField(
        label="Claim filing indicator", required=False,
        choices=[("", "Not set"), *FilingIndicator.choices],
        help_text="Needed for electronic claims, with the electronic payer ID.")
    notes = _text("Notes", 2000, required=False, multiline=True)
    phone_fields = ("phone",)  # shown as people read them, also in a conflict box (records.conflicts)

    def clean_name(self):
        value = text.clean_text(self.cleaned_data["name"])
        if not value:
            raise forms.ValidationError("Enter the payer's name.")
        return value

    def clean_payer_id(self):
        return formats.payer_id(self.cleaned_data["payer_id"])

    def clean_state(self):
        return formats.state(self.cleaned_data["state"])

    def clean_zip_code(self):
        return formats.zip_code(self.cleaned_data["zip_code"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The edit page shows the stored E.164 number as people read and type it.
        if self.initial.get("phone"):
            self.initial = {**self.initial, "phone": text.phone_display(self.initial["phone"])}

    def clean_phone(self):
        return text.phone_for_storage(self.cleaned_data["phone"])


_EDIT_FORMS: dict[type, type] = {}


def edit_form_class(form_class: type) -> type:
    """The edit page's form: the add form plus the version the page was loaded from."""
    if form_class not in _EDIT_FORMS:
        _EDIT_FORMS[form_class] = type(f"{form_class.__name__}Edit", (form_class,), {"version": VersionField()})
    return _EDIT_FORMS[form_class]


class VersionForm(forms.Form):
    """Deactivate and reactivate carry the version of the page they were pressed on."""

    version = VersionField()


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")

    def clean_q(self):
        try:
            return text.clean_text(self.cleaned_data["q"])
        except forms.ValidationError:
            return ""


class Icd10ImportForm(forms.Form):
    preset = forms.ChoiceField(label="Which codes", widget=forms.RadioSelect, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(key, p.label) for key, p in PRESETS.items()]
