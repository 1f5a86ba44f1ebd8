"""Claim batches against a bare SELECT of the same rows, and Claims in all my accounts by account count.

A master username bills BENCH_BATCH_ACCOUNTS accounts (200) holding BENCH_BATCH_CLAIMS ready claims
(10,000) of three lines each, loaded with bulk INSERTs. Each round puts them all in one batch
through billing.batches.batch_create (the rule per account, locks, the 837P file, the log) and
then makes them ready again; the floor is one SELECT of the same claims joined to their lines,
clients, policies and payers, fetched. The number of queries is counted for a batch of 10
claims and for the full one (the same, whatever the count). Claims in all my accounts is timed
for a username of 1 account and one of all of them.
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench import Result

ROUNDS = 3
CLAIMS = int(os.environ.get("BENCH_BATCH_CLAIMS", "10000"))
ACCOUNTS = int(os.environ.get("BENCH_BATCH_ACCOUNTS", "200"))
LINES = 3


def _accounts(user, count: int, prefix: str) -> list:
    from practicegate.accounts.models import Account, Membership
    from practicegate.billing.models import BillingSettings
    from practicegate.core.sections import full_levels

    made = Account.objects.bulk_create([Account(slug=f"{prefix}-{i:04d}", name=f"{prefix} {i:04d}",
                                                email="bench@example.org", owner=user) for i in range(count)])
    made = list(Account.objects.filter(slug__startswith=f"{prefix}-").order_by("slug"))
    Membership.objects.bulk_create([Membership(user=user, account=a, levels=full_levels()) for a in made])
    BillingSettings.objects.bulk_create([BillingSettings(
        account=a, name=a.name, npi="1234567893", taxonomy="101YM0800X", tax_id="123456789",
        address1="1 Main St", city="Portland", state="OR", zip_code="972011234") for a in made])
    return made


def _claims(accounts: list, total: int, owner) -> None:
    """`total` ready claims of LINES lines spread over the accounts, in bulk."""
    from practicegate.billing.models import Claim, ClaimLine, ClaimStatus
    from practicegate.clients.models import Client, ClientPolicy, ClientService
    from practicegate.masterfiles.models import BillingCode, InsurancePayer

    per = [total // len(accounts) + (1 if i < total % len(accounts) else 0) for i in range(len(accounts))]
    payers = {p.account_id: p for p in InsurancePayer.objects.bulk_create(
        [InsurancePayer(account=a, name="Acme Health", payer_id="ACME1", claim_filing_indicator="CI")
         for a in accounts])}
    codes = {c.account_id: c for c in BillingCode.objects.bulk_create(
        [BillingCode(account=a, code="90837", description="Psychotherapy", fee=Decimal("150.00")) for a in accounts])}
    clients = Client.objects.bulk_create([
        Client(account=a, number=n + 1, first_name="Jordan", last_name=f"Lee{n}", birth_date=date(1985, 3, 9),
               sex="F", search_key=f"jordan lee{n}", sort_key=f"lee{n} jordan", address1="12 Elm St",
               city="Portland", state="OR", zip_code="97201")
        for a, count in zip(accounts, per, strict=True) for n in range(count)], batch_size=2000)
    policies = ClientPolicy.objects.bulk_create([
        ClientPolicy(account_id=c.account_id, client=c, payer=payers[c.account_id], member_id="XJ1",
                     effective_date=date(2020, 1, 1)) for c in clients], batch_size=2000)
    claims = Claim.objects.bulk_create([
        Claim(account_id=c.account_id, number=c.number, client=c, policy=p, status=ClaimStatus.READY,
              diagnosis_codes=["F329"], created_by=owner, total_charge=Decimal("450.00"))
        for c, p in zip(clients, policies, strict=True)], batch_size=2000)
    services = ClientService.objects.bulk_create([
        ClientService(account_id=c.account_id, client=c, billing_code=codes[c.account_id],
                      service_date=date(2026, 11, i + 1), fee=Decimal("150.00"))
        for c in clients for i in range(LINES)], batch_size=2000)
    ClaimLine.objects.bulk_create([
        ClaimLine(account_id=claim.account_id, claim=claim, service=s, line_number=i % LINES + 1,
                  service_date=s.service_date, procedure_code="90837", charge=Decimal("150.00"), pointer1=1)
        for claim, i, s in ((claims[i // LINES], i, s) for i, s in enumerate(services))], batch_size=2000)


def _bare(ids: list[int]) -> int:
    from practicegate.billing.models import Claim, ClaimLine

    rows = list(ClaimLine.objects.filter(account_id__in=ids, claim__status="ready")
                .select_related("claim", "claim__client", "claim__policy", "claim__policy__payer")
                .order_by("claim__account_id", "claim__number", "line_number"))
    return len({r.claim_id for r in rows}) if rows else Claim.objects.none().count()


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def _ready_again(ids: list[int]) -> None:
    from practicegate.billing.models import Claim

    Claim.objects.filter(account_id__in=ids).update(status="ready", batch=None)


def run() -> list[Result]:
    from django_scopes import scopes_disabled

    from practicegate.accounts.models import User
    from practicegate.billing.batches import batch_create
    from practicegate.billing.claims_all import claims_overview
    from practicegate.billing.models import Clearinghouse

    with scopes_disabled():
        user = User.objects.create(username="bench-biller")
        solo = User.objects.create(username="bench-solo")
        accounts = _accounts(user, ACCOUNTS, "bill")
        small = _accounts(user, 2, "small")
        one = _accounts(solo, 1, "solo")
        with transaction.atomic():
            _claims(accounts, CLAIMS, user)
            _claims(small, 10, user)
            _claims(one, 50, solo)
        house = Clearinghouse.objects.create(account=accounts[0], name="Bench", receiver_id="RCV",
                                             submitter_id="SUB", submitter_name="Bench", contact_name="Bench")
        ids = [a.pk for a in accounts]

        def build(chosen):
            return batch_create(actor=user, account=accounts[0], clearinghouse=house, accounts=chosen)

        bare_s, batch_s = [], []
        for _ in range(ROUNDS):
            seconds, found = _timed(lambda: _bare(ids))
            assert found == CLAIMS, found
            bare_s.append(seconds)
            seconds, batch = _timed(lambda: build(accounts))
            assert batch.claim_count == CLAIMS and batch.line_count == CLAIMS * LINES
            batch_s.append(seconds)
            _ready_again(ids)
        with CaptureQueriesContext(connection) as few:
            build(small)
        with CaptureQueriesContext(connection) as many:
            build(accounts)
        overview_one = min(_timed(lambda: claims_overview(solo))[0] for _ in range(ROUNDS))
        overview_all = min(_timed(lambda: claims_overview(user))[0] for _ in range(ROUNDS))
    lines = CLAIMS * LINES
    return [
        Result(f"batch of {CLAIMS:,} claims ({lines:,} lines) across {ACCOUNTS} accounts", min(batch_s), "s",
               baseline_name="bare SELECT of the same rows", baseline=min(bare_s), target=2.0,
               higher_is_better=False),
        Result(f"batch queries, {CLAIMS:,} claims", len(many), "queries", baseline_name="10 claims",
               baseline=len(few), target=1.0, higher_is_better=False),
        Result(f"Claims in all my accounts, {ACCOUNTS + 2} accounts", overview_all * 1000, "ms",
               baseline_name="1 account", baseline=overview_one * 1000, target=2.0, higher_is_better=False),
    ]
