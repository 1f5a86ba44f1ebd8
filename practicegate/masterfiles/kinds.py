"""The three master files described once: pages, services, CSV, the menu and the copy derive from here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from practicegate.core.sections import BY_KEY
from practicegate.masterfiles import forms
from practicegate.masterfiles.matching import (
    BILLING_MATCHER,
    DIAGNOSIS_MATCHER,
    PAYER_MATCHER,
    Matcher,
)
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer


@dataclass(frozen=True)
class Kind:
    key: str  # the prefix of URL names and action codes
    section: str  # the access rule's section, and the key of KINDS
    copy_name: str  # what `codes copy --files`, the copy form and the copy's log call this file
    model: type[Model]
    form_class: type
    noun: str
    order: tuple[str, ...]  # unique within an account, for keyset pages
    natural_key: str  # what the import matches existing rows by
    csv_columns: tuple[str, ...]
    csv_required: tuple[str, ...]
    matcher: Matcher  # what a search matches (masterfiles.matching)
    listed: tuple[str, ...]  # what a row of the list shows (attributes; methods are called)
    # Payers match by payer ID, or by name between payers that both have none (the copy).
    by_payer_id: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.form_class.base_fields)

    @property
    def title(self) -> str:
        return BY_KEY[self.section].label

    @property
    def label(self) -> str:
        """The title in a sentence ("Insurance payers")."""
        return self.title[:1] + self.title[1:].lower()

    @property
    def match(self) -> tuple[str, ...]:
        """What a copy matches a destination row by (payers: see by_payer_id)."""
        return (self.natural_key,)

    @property
    def compare(self) -> tuple[str, ...]:
        """What makes two matched rows identical for a copy: every column a person exports."""
        if self.by_payer_id:
            return self.csv_columns
        return tuple(c for c in self.csv_columns if c not in self.match)


DIAGNOSIS = Kind(
    key="diagnosis", section="diagnosis_codes", copy_name="diagnosis", model=DiagnosisCode,
    form_class=forms.DiagnosisCodeForm, noun="diagnosis code",
    order=("code",), natural_key="code",
    csv_columns=("code", "description", "active"), csv_required=("code", "description"),
    matcher=DIAGNOSIS_MATCHER,
    listed=("pk", "display_code", "description", "active"),
)
BILLING = Kind(
    key="billing", section="billing_codes", copy_name="billing", model=BillingCode,
    form_class=forms.BillingCodeForm, noun="billing code",
    order=("code",), natural_key="code",
    csv_columns=("code", "description", "modifier1", "modifier2", "modifier3", "modifier4",
                 "fee", "units", "active"),
    csv_required=("code", "description"),
    matcher=BILLING_MATCHER,
    listed=("pk", "code", "description", "modifier1", "modifier2", "modifier3", "modifier4", "fee", "units",
            "active"),
)
PAYER = Kind(
    key="payer", section="payers", copy_name="payers", model=InsurancePayer,
    form_class=forms.PayerForm, noun="payer",
    order=("name", "id"), natural_key="payer_id",
    csv_columns=("name", "payer_id", "address", "city", "state", "zip_code", "phone",
                 "payer_type", "notes", "active", "claim_filing_indicator"),
    csv_required=("name",),
    matcher=PAYER_MATCHER,
    listed=("pk", "name", "payer_id", "get_payer_type_display", "city", "state", "phone", "active"),
    by_payer_id=True,
)
KINDS: dict[str, Kind] = {k.section: k for k in (DIAGNOSIS, BILLING, PAYER)}
