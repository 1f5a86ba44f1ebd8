"""The three master files described once, so pages, services and CSV share one shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Model

from practicegate.masterfiles import forms
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer


@dataclass(frozen=True)
class Kind:
    key: str  # also the prefix of URL names and action codes
    section: str
    model: type[Model]
    form_class: type
    title: str
    noun: str
    order: tuple[str, ...]  # unique within an account, for keyset pages
    natural_key: str  # what the import matches existing rows by
    csv_columns: tuple[str, ...]
    csv_required: tuple[str, ...]
    code_like: re.Pattern | None  # a query that looks like a code searches the code prefix
    word_field: str
    listed: tuple[str, ...]  # what a row of the list shows (attributes; methods are called)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.form_class.base_fields)


DIAGNOSIS = Kind(
    key="diagnosis", section="diagnosis_codes", model=DiagnosisCode,
    form_class=forms.DiagnosisCodeForm, title="Diagnosis Codes", noun="diagnosis code",
    order=("code",), natural_key="code",
    csv_columns=("code", "description", "active"), csv_required=("code", "description"),
    code_like=re.compile(r"^[A-Za-z](?:\d[0-9A-Za-z]?(?:\.?[0-9A-Za-z]{0,4})?)?$"),
    word_field="description",
    listed=("pk", "display_code", "description", "active"),
)
BILLING = Kind(
    key="billing", section="billing_codes", model=BillingCode,
    form_class=forms.BillingCodeForm, title="Billing Codes", noun="billing code",
    order=("code",), natural_key="code",
    csv_columns=("code", "description", "modifier1", "modifier2", "modifier3", "modifier4",
                 "fee", "units", "active"),
    csv_required=("code", "description"),
    code_like=re.compile(r"^(?:[A-Za-z]\d{0,4}|\d{1,5}|\d{4}[FTUftu])$"),
    word_field="description",
    listed=("pk", "code", "description", "modifier1", "modifier2", "modifier3", "modifier4", "fee", "units",
            "active"),
)
PAYER = Kind(
    key="payer", section="payers", model=InsurancePayer,
    form_class=forms.PayerForm, title="Insurance Payers", noun="payer",
    order=("name", "id"), natural_key="payer_id",
    csv_columns=("name", "payer_id", "address", "city", "state", "zip_code", "phone",
                 "payer_type", "notes", "active"),
    csv_required=("name",),
    code_like=None,
    word_field="name",
    listed=("pk", "name", "payer_id", "get_payer_type_display", "city", "state", "phone", "active"),
)
KINDS: dict[str, Kind] = {k.key: k for k in (DIAGNOSIS, BILLING, PAYER)}
