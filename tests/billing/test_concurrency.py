"""Two builds at the same moment: every service lands on exactly one open claim, and the loser
is told in plain words and changes nothing (the partial unique index decides on PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from practicegate.billing import claims as services
from practicegate.billing.models import Claim, ClaimCounter, ClaimLine
from practicegate.clients.models import ClientService
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope
from tests.billing.helpers import billable_client, codes, ready_account
from tests.helpers import make_account
from tests.threads import run_at_once

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql("threads need separate server connections"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_builds_bill_each_service_once():
    account = make_account("Busy Practice", "busy")
    ready_account(account)
    dxs, bills, payer = codes(account)
    for name in ("Ames", "Bryce", "Coll"):
        billable_client(account, account.owner, dx_codes=dxs, payer=payer, last_name=name,
                        services=[(date(2024, 3, 4) + timedelta(days=7 * i), bills["90837"], [0]) for i in range(3)])

    def work(i):
        with account_scope(account):
            services.claims_build(actor=account.owner, account=account)

    errors = run_at_once(4, work)
    assert all(isinstance(e, ServiceError) and "at the same moment" in str(e) for e in errors), errors
    with account_scope(account):
        open_lines = list(ClaimLine.objects.filter(account=account, open=True).values_list("service_id", flat=True))
        assert sorted(open_lines) == sorted(ClientService.objects.filter(account=account).values_list("pk", flat=True))
        # The losers left no claim and took no number: numbers run from 1 without a gap.
        numbers = sorted(Claim.objects.filter(account=account).values_list("number", flat=True))
        assert numbers == [1, 2, 3]
        assert ClaimCounter.objects.get(account=account).next_number == 4
