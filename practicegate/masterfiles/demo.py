"""Master files for the demo practice: enough in each account that copying has work to do."""

from __future__ import annotations

from decimal import Decimal

from practicegate.audit.models import Channel
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import services
from practicegate.masterfiles.kinds import BILLING, PAYER

# Common psychotherapy codes with our own short wording (CPT descriptors are copyrighted).
BILLING_CODES = [
    ("90791", "Intake evaluation", "200.00"),
    ("90792", "Intake evaluation with medical services", "250.00"),
    ("90832", "Therapy session, about 30 minutes", "90.00"),
    ("90834", "Therapy session, about 45 minutes", "130.00"),
    ("90837", "Therapy session, about 60 minutes", "170.00"),
    ("90839", "Crisis therapy, first hour", "190.00"),
    ("90840", "Crisis therapy, each added 30 minutes", "90.00"),
    ("90846", "Family therapy without the client", "140.00"),
    ("90847", "Family therapy with the client", "150.00"),
    ("90853", "Group therapy", "60.00"),
    ("90785", "Interactive complexity add-on", "20.00"),
    ("96127", "Brief standardized screening", "15.00"),
]

PAYERS = [
    dict(name="Blue Harbor Health Plan", payer_id="BHH01", city="Albany", state="NY",
         zip_code="12207", phone="+15185550140", payer_type="commercial"),
    dict(name="Medicare Part B (demo region)", payer_id="MCR02", city="Baltimore", state="MD",
         zip_code="21244", phone="+18005550163", payer_type="medicare"),
    dict(name="State Medicaid (demo)", payer_id="MCD03", city="Albany", state="NY",
         zip_code="12210", phone="+18005550177", payer_type="medicaid"),
    dict(name="Evergreen Mutual", payer_id="EVM04", city="Hartford", state="CT",
         zip_code="06103", phone="+18605550112", payer_type="commercial"),
    dict(name="Employee Assistance Program", payer_id="", city="", state="",
         zip_code="", phone="", payer_type="other"),
]
_PAYER_BLANKS = {"address": "", "notes": ""}


def _billing_rows(count: int, fee_shift: str) -> list[dict]:
    rows = []
    for code, description, fee in BILLING_CODES[:count]:
        rows.append({"code": code, "description": description, "modifier1": "", "modifier2": "",
                     "modifier3": "", "modifier4": "", "units": 1,
                     "fee": Decimal(fee) + Decimal(fee_shift)})
    return rows


def build(accounts) -> list:
    """Each later account has fewer rows and other fees, so a copy from the first has work."""
    plans = [(12, "0", 5), (8, "10", 3), (5, "-5", 2)]
    for account, (n_billing, shift, n_payers) in zip(accounts, plans, strict=False):
        with account_scope(account):
            _fill(account, n_billing, shift, n_payers, first=account is accounts[0])
    return []


def _fill(account, n_billing: int, shift: str, n_payers: int, *, first: bool) -> None:
    services.icd10_import(actor=None, account=account, preset="mental", channel=Channel.CLI)
    for row in _billing_rows(n_billing, shift):
        services.masterfile_create(actor=None, account=account, kind=BILLING, data=row,
                                   channel=Channel.CLI)
    for row in PAYERS[:n_payers]:
        data = {**_PAYER_BLANKS, **row}
        if not first:
            data["phone"] = ""  # a difference a copy with "replace different" would fix
        services.masterfile_create(actor=None, account=account, kind=PAYER, data=data,
                                   channel=Channel.CLI)
