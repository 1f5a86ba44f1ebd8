"""Billing rows for tests, made directly through the models (no pages, no services).

`claim_shapes(account)` makes the five shapes of the issue as READY claims: a
self-subscribed adult, a child on a parent's policy, a client with a secondary policy (a
claim to the secondary), a line with four modifiers and a claim with twelve diagnoses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from practicegate.billing.models import (
    BillingSettings,
    Claim,
    ClaimLine,
    ClaimStatus,
    Clearinghouse,
    ProviderKind,
    TaxIdKind,
)
from practicegate.clients.models import (
    Client,
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
    Relationship,
    Subscriber,
)
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.helpers import make_account


def npi_with_check_digit(first_nine: str) -> str:
    """A 10-digit NPI whose last digit passes the Luhn check over the 80840 prefix."""
    total = 24  # the prefix 80840's share of the Luhn sum
    for i, ch in enumerate(reversed(first_nine)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return first_nine + str((10 - total % 10) % 10)


def billing_account(name: str, username: str, *, person: bool = False, seed: int = 1, **settings):
    """An account with complete billing settings (an organization unless `person`)."""
    account = make_account(name, username)
    values = {
        "provider_kind": ProviderKind.PERSON if person else ProviderKind.ORGANIZATION,
        "name": "Rivera" if person else name,
        "first_name": "Dana" if person else "",
        "npi": npi_with_check_digit(f"1{seed:08d}"),
        "taxonomy": "101YM0800X",
        "tax_id_kind": TaxIdKind.SSN if person else TaxIdKind.EIN,
        "tax_id": f"{12345670 + seed:09d}",
        "address1": f"{100 + seed} Main Street", "address2": "Suite 2", "city": "Portland",
        "state": "OR", "zip_code": "972011234", "phone": "+15035550100",
    }
    values.update(settings)
    with account_scope(account):
        BillingSettings.objects.create(account=account, **values)
    return account


def clearinghouse(account, **fields) -> Clearinghouse:
    values = {"name": "Example Clearinghouse", "receiver_id": "EXCLEARING", "submitter_id": "PGSUBMIT01",
              "submitter_name": "Sunrise Billing Service", "contact_name": "Pat Biller",
              "contact_phone": "+15035550199", "contact_email": "billing@example.org"}
    values.update(fields)
    with account_scope(account):
        return Clearinghouse.objects.create(account=account, **values)


def payer(account, name="Acme Health Plan", payer_id="ACME1", indicator="CI") -> InsurancePayer:
    with account_scope(account):
        found = InsurancePayer.objects.filter(account=account, name=name).first()
        return found or InsurancePayer.objects.create(account=account, name=name, payer_id=payer_id,
                                                      claim_filing_indicator=indicator)


def person(account, first="Jordan", last="Lee", born=date(1985, 3, 9), sex="F", **fields) -> Client:
    values = {"address1": "12 Elm St", "city": "Portland", "state": "OR", "zip_code": "97201-4321"}
    values.update(fields)
    with account_scope(account):
        number = Client.objects.filter(account=account).count() + 1
        return Client.objects.create(account=account, number=number, first_name=first, last_name=last,
                                     birth_date=born, sex=sex, search_key=f"{first} {last}".lower(),
                                     sort_key=f"{last} {first}".lower(), **values)


def policy(client, payer_row, *, priority=1, member_id="XJ1234567", subscriber=Subscriber.SELF,
           subscriber_name="", subscriber_birth_date=None, relationship="", group="GRP42") -> ClientPolicy:
    with account_scope(client.account):
        return ClientPolicy.objects.create(
            account=client.account, client=client, payer=payer_row, member_id=member_id,
            group_number=group, subscriber=subscriber, subscriber_name=subscriber_name,
            subscriber_birth_date=subscriber_birth_date, relationship=relationship,
            priority=priority, effective_date=date(2020, 1, 1))


def _code(model, account, value, **extra):
    found = model.objects.filter(account=account, code=value).first()
    return found or model.objects.create(account=account, code=value, description=f"code {value}", **extra)


def ready_claim(client, policy_row, *, diagnoses=("F329",), lines=(), status=ClaimStatus.READY,
                **fields) -> Claim:
    """A claim of `client` to `policy_row`; `lines`: dicts of code, charge, units, modifiers,
    pointers, day (default one 90837 line at 150.00 pointing at the first diagnosis)."""
    account = client.account
    lines = list(lines) or [{"code": "90837", "charge": "150.00"}]
    with account_scope(account):
        dx_rows = [ClientDiagnosis.objects.create(account=account, client=client,
                                                  code=_code(DiagnosisCode, account, value),
                                                  start_date=date(2025, 1, 1))
                   for value in diagnoses]
        number = Claim.objects.filter(account=account).count() + 1
        claim = Claim.objects.create(
            account=account, number=number, client=client, policy=policy_row, status=status,
            diagnosis_codes=list(diagnoses), created_by=account.owner, **fields)
        total = Decimal(0)
        for i, spec in enumerate(lines, start=1):
            modifiers = list(spec.get("modifiers", ())) + ["", "", "", ""]
            pointers = list(spec.get("pointers", (1,))) + [None, None, None, None]
            charge = Decimal(spec.get("charge", "150.00"))
            day = spec.get("day", date(2026, 11, i))
            service = ClientService.objects.create(
                account=account, client=client, service_date=day,
                billing_code=_code(BillingCode, account, spec.get("code", "90837")),
                units=spec.get("units", 1), fee=charge,
                **{f"diagnosis{k + 1}": dx_rows[p - 1] for k, p in enumerate(pointers[:4]) if p})
            ClaimLine.objects.create(
                account=account, claim=claim, service=service, line_number=i, service_date=day,
                procedure_code=spec.get("code", "90837"), units=spec.get("units", 1), charge=charge,
                modifier1=modifiers[0], modifier2=modifiers[1], modifier3=modifiers[2],
                modifier4=modifiers[3], pointer1=pointers[0], pointer2=pointers[1],
                pointer3=pointers[2], pointer4=pointers[3])
            total += charge
        claim.total_charge = total
        claim.save(update_fields=["total_charge"])
    return claim


TWELVE = ("F329", "F411", "F4310", "F840", "F900", "F509", "F603", "Z634", "F1020", "G4700",
          "F4001", "F319")


def claim_shapes(account, prefix="") -> dict[str, Claim]:
    """The five claim shapes of the issue, READY, in `account`."""
    acme = payer(account)
    medicare = payer(account, "Medicare Part B", "MCRB1", "MB")
    adult = person(account, f"{prefix}Jordan", "Lee")
    child = person(account, f"{prefix}Sam", "Ortiz", born=date(2015, 6, 1), sex="M")
    older = person(account, f"{prefix}Ruth", "Baker", born=date(1950, 2, 2), sex="F", address2="Apt 3")
    mods = person(account, f"{prefix}Alex", "Nguyen", born=date(1992, 8, 30), sex="F")
    many = person(account, f"{prefix}Chris", "Müller-Ñúñez", born=date(1978, 12, 31), sex="M")
    older_primary = policy(older, medicare, member_id="1EG4TE5MK73")
    older_secondary = policy(older, acme, priority=2, member_id="SEC998877")
    return {
        "adult": ready_claim(adult, policy(adult, acme), prior_authorization="AUTH*123:X"),
        "child": ready_claim(child, policy(child, acme, member_id="FAM5550001", subscriber=Subscriber.OTHER,
                                           subscriber_name="Maria Ortiz",
                                           subscriber_birth_date=date(1984, 4, 4),
                                           relationship=Relationship.CHILD),
                             diagnoses=("F900", "F411"),
                             lines=[{"code": "90834", "charge": "120.00", "pointers": (1, 2)},
                                    {"code": "90785", "charge": "15.50", "pointers": (1,)}]),
        "secondary": (older_primary,
                      ready_claim(older, older_secondary, place_of_service="10",
                                  lines=[{"code": "90837", "charge": "160.00", "modifiers": ("95",)}])),
        "modifiers": ready_claim(mods, policy(mods, acme, member_id="MOD4"),
                                 lines=[{"code": "90837", "charge": "200.00", "units": 2,
                                         "modifiers": ("95", "GT", "HO", "59")}]),
        "twelve": ready_claim(many, policy(many, acme, member_id="DX12"), diagnoses=TWELVE,
                              lines=[{"code": "90791", "charge": "250.00", "pointers": (1, 2, 3, 4)},
                                     {"code": "90837", "charge": "150.00", "pointers": (12, 11, 10, 9)}],
                              rendering_last_name="Kim", rendering_first_name="Avery",
                              rendering_npi=npi_with_check_digit("198765432"),
                              rendering_taxonomy="103T00000X"),
    }


def shape_claims(shapes: dict) -> list[Claim]:
    return [value[1] if isinstance(value, tuple) else value for value in shapes.values()]
