"""Ready claims for the batch tests in accounts the tests already made, on top of the x12
tests' factories (tests/billing/factories.py): billing settings for an existing account, a
clearinghouse, `count` ready claims each for its own client, a service on no claim, a batch."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from practicegate.billing.batches import batch_create
from practicegate.billing.models import BillingSettings, Claim, ClaimStatus, Clearinghouse
from practicegate.clients.models import ClientService
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import BillingCode
from tests.billing import factories

_serial = itertools.count(1)


def billing_settings(account) -> BillingSettings:
    """The account's billing settings, made complete when it has none."""
    with account_scope(account):
        found = BillingSettings.objects.filter(account=account).first()
        if found is not None:
            return found
        n = next(_serial)
        return BillingSettings.objects.create(
            account=account, name=account.name[:60], npi=factories.npi_with_check_digit(f"1{n:08d}"),
            taxonomy="101YM0800X", tax_id=f"{123450000 + n:09d}", address1=f"{100 + n} Main Street",
            city="Portland", state="OR", zip_code="972011234", phone="+15035550100")


def clearinghouse(account, **fields) -> Clearinghouse:
    return factories.clearinghouse(account, **{"name": f"Clearinghouse {next(_serial)}",
                                               "submitter_id": f"PGSUB{account.pk}"} | fields)


def _letters() -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(next(_serial)))  # names take no digits


def ready_claims(account, count: int = 1, *, lines: int = 1, status: str = ClaimStatus.READY) -> list:
    """`count` claims of `account` in `status`, each for a new client, with `lines` lines."""
    billing_settings(account)
    payer = factories.payer(account)
    made = []
    for _ in range(count):
        client = factories.person(account, "Jordan", f"Claimant{_letters()}")
        policy = factories.policy(client, payer)
        specs = [{"code": "90837", "charge": "150.00", "day": date(2026, 10, i)} for i in range(1, lines + 1)]
        made.append(factories.ready_claim(client, policy, lines=specs, status=status))
    return made


def unbilled_service(account) -> ClientService:
    """A service of a new client that is on no claim."""
    client = factories.person(account, "Robin", f"Unbilled{_letters()}")
    with account_scope(account):
        code = BillingCode.objects.filter(account=account, code="90834").first() or BillingCode.objects.create(
            account=account, code="90834", description="Psychotherapy, 45 minutes", fee=Decimal("120.00"))
        return ClientService.objects.create(account=account, client=client, billing_code=code,
                                            service_date=date(2026, 10, 1), fee=code.fee)


def batch_of(account, claims: int = 1, *, actor=None):
    """A batch sent by `account` of `claims` new ready claims of its own (its owner builds it)."""
    house = clearinghouse(account)
    ready_claims(account, claims)
    return batch_create(actor=actor or account.owner, account=account, clearinghouse=house, accounts=[account])


def statuses(account) -> set:
    """The statuses of the account's claims (read across scopes, as a test looks at the tables)."""
    return set(Claim.objects.with_scopes_disabled().filter(account=account).values_list("status", flat=True))
