"""Helpers of the Copy Codes tests: rows to seed an account with, and level sets."""

from __future__ import annotations

from decimal import Decimal

from practicegate.core.sections import full_levels
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer


def levels(**overrides) -> dict:
    return {**full_levels(), **overrides}


def seed(account, *, diagnosis=(), billing=(), payers=()):
    """Rows given as dicts (only the fields that matter to a test)."""
    DiagnosisCode.objects.bulk_create(DiagnosisCode(account=account, **row) for row in diagnosis)
    BillingCode.objects.bulk_create(BillingCode(account=account, **row) for row in billing)
    InsurancePayer.objects.bulk_create(InsurancePayer(account=account, **row) for row in payers)


SOURCE_DIAGNOSIS = [
    {"code": "F411", "description": "Generalized anxiety disorder"},
    {"code": "F329", "description": "Major depressive disorder, single episode, unspecified"},
    {"code": "F4310", "description": "Post-traumatic stress disorder, unspecified", "active": False},
]


SOURCE_BILLING = [
    {"code": "90837", "description": "Psychotherapy, 60 minutes", "fee": Decimal("150.00")},
    {"code": "90791", "description": "Psychiatric diagnostic evaluation", "fee": Decimal("200.00"),
     "modifier1": "95"},
]


SOURCE_PAYERS = [
    {"name": "Aetna", "payer_id": "60054", "city": "Hartford", "state": "CT"},
    {"name": "County Mental Health Fund", "payer_id": "", "phone": "555-0100"},
]
