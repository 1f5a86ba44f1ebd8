"""Ready claims for the batch tests, made directly through the models (the scrubber's pages are
another feature's): an account with billing settings, a clearinghouse, and clients whose services
are on claims marked Ready."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from practicegate.billing.batches import batch_create
from practicegate.billing.models import (
    BillingSettings,
    Claim,
    ClaimLine,
    ClaimStatus,
    Clearinghouse,
)
from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.clients.helpers import make_client

_serial = itertools.count(1)


def npi_with_check_digit(nine: str) -> str:
    """A 10-digit NPI whose last digit is the Luhn check digit over 80840 + the first nine."""
    digits = [int(d) for d in "80840" + nine]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return nine + str((10 - total % 10) % 10)


def billing_settings(account) -> BillingSettings:
    n = next(_serial)
    with account_scope(account):
        found = BillingSettings.objects.filter(account=account).first()
        if found is not None:
            return found
        return BillingSettings.objects.create(
            account=account, name=f"{account.name}"[:60], npi=npi_with_check_digit(f"{123450000 + n:09d}"),
            taxonomy="101YM0800X", tax_id=f"{900000000 + n}", address1="10 Main St", city="Portland",
            state="OR", zip_code="972011234", phone="+15035550100")


def clearinghouse(account, **extra) -> Clearinghouse:
    n = next(_serial)
    with account_scope(account):
        return Clearinghouse.objects.create(
            account=account, name=extra.pop("name", f"Clearinghouse {n}"), receiver_id="RCV01",
            submitter_id=f"SUB{account.pk}", submitter_name=account.name[:60], contact_name="Pat Biller",
            contact_phone="+15035550199", **extra)


def ready_claims(account, count: int = 1, *, lines: int = 1, status: str = ClaimStatus.READY) -> list[Claim]:
    """`count` claims of `account` in `status`, each for its own client, with `lines` lines."""
    billing_settings(account)
    owner = account.owner
    made = []
    with account_scope(account):
        n = next(_serial)
        payer = InsurancePayer.objects.create(account=account, name=f"Payer {n}", payer_id=f"P{n:05d}",
                                              claim_filing_indicator="CI")
        dx_code, _ = DiagnosisCode.objects.get_or_create(account=account, code="F411",
                                                         defaults={"description": "Generalized anxiety disorder"})
        cpt, _ = BillingCode.objects.get_or_create(account=account, code="90837", defaults={
            "description": "Psychotherapy, 60 minutes", "fee": Decimal("150.00")})
    for _ in range(count):
        letters = "".join(chr(ord("a") + int(d)) for d in str(next(_serial)))
        client = make_client(account, owner, last_name=f"Claimant{letters}")
        with account_scope(account):
            policy = ClientPolicy.objects.create(account=account, client=client, payer=payer, member_id="M123",
                                                 effective_date=date(2024, 1, 1))
            dx = ClientDiagnosis.objects.create(account=account, client=client, code=dx_code, is_primary=True,
                                                start_date=date(2024, 1, 1))
            number = (Claim.objects.filter(account=account).order_by("-number").values_list("number", flat=True)
                      .first() or 0) + 1
            claim = Claim.objects.create(account=account, number=number, client=client, policy=policy,
                                         status=status, diagnosis_codes=[dx_code.code], created_by=owner,
                                         total_charge=Decimal("150.00") * lines)
            for i in range(1, lines + 1):
                service = ClientService.objects.create(account=account, client=client, billing_code=cpt,
                                                       service_date=date(2024, 3, i), fee=Decimal("150.00"),
                                                       diagnosis1=dx)
                ClaimLine.objects.create(account=account, claim=claim, service=service, line_number=i,
                                         service_date=service.service_date, procedure_code="90837",
                                         charge=Decimal("150.00"), pointer1=1)
        made.append(claim)
    return made


def unbilled_service(account):
    """A service of a new client that is on no claim."""
    client = make_client(account, account.owner, last_name="Unbilled")
    with account_scope(account):
        cpt = BillingCode.objects.filter(account=account).first() or BillingCode.objects.create(
            account=account, code="90834", description="Psychotherapy, 45 minutes", fee=Decimal("120.00"))
        return ClientService.objects.create(account=account, client=client, billing_code=cpt,
                                            service_date=date(2024, 4, 1), fee=cpt.fee)


def batch_of(account, claims: int = 1, *, actor=None):
    """A batch sent by `account` of `claims` new ready claims of its own (its owner builds it)."""
    house = clearinghouse(account)
    ready_claims(account, claims)
    return batch_create(actor=actor or account.owner, account=account, clearinghouse=house, accounts=[account])
