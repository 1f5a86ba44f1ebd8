"""An account that requires two-factor log-in cannot be read or written through Copy Codes
from another account by a session that has not proved a code (issue 11, finding 1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from practicegate.masterfiles.models import BillingCode, DiagnosisCode
from tests.helpers import login_client, rows_of
from tests.masterfiles.copy.helpers import SOURCE_BILLING, SOURCE_DIAGNOSIS, seed
from tests.twofactor.helpers import START, turn_on, user_code


def url(name, account="north"):
    return reverse(f"copy:{name}", kwargs={"account": account})


@pytest.fixture
def guarded(accounts):
    """South requires two-factor log-in and holds rows the master username must not read."""
    south = accounts["south"]
    south.require_two_factor = True
    south.save()
    seed(south, diagnosis=SOURCE_DIAGNOSIS, billing=SOURCE_BILLING)
    return south


def refusals_in(account):
    return AuditEvent.objects.filter(account=account, action="codes.copy", outcome="denied",
                                     detail__reason="two_factor_required")


def test_preview_from_an_account_requiring_two_factor_is_refused(master, accounts, guarded):
    response = login_client(master).get(url("preview"), {"source": "south", "destinations": ["north"],
                                                         "files": ["billing"]})
    assert response.status_code == 403
    text = response.content.decode()
    assert "requires two-factor log-in" in text
    assert "Psychotherapy, 60 minutes" not in text and "90837" not in text
    assert refusals_in(guarded).count() == 1
    assert not refusals_in(accounts["north"]).exists()


def test_copy_now_from_or_into_an_account_requiring_two_factor_copies_nothing(master, accounts, guarded):
    client = login_client(master)
    out = client.post(url("run"), {"source": "south", "destinations": ["north"], "files": ["billing"],
                                   "differences": "keep"})
    assert out.status_code == 403
    assert rows_of(BillingCode, accounts["north"]).count() == 0
    seed(accounts["north"], diagnosis=[{"code": "F900", "description": "ADHD"}])
    into = client.post(url("run"), {"source": "north", "destinations": ["south"], "files": ["diagnosis"],
                                    "differences": "replace"})
    assert into.status_code == 403
    assert not rows_of(DiagnosisCode, guarded).filter(code="F900").exists()
    assert refusals_in(guarded).count() == 2
    assert not AuditEvent.objects.filter(action="codes.copy", outcome="success").exists()


def test_a_session_verified_with_a_code_may_copy(master, accounts, guarded, time_machine):
    time_machine.move_to(START, tick=False)
    turn_on(master)
    time_machine.shift(30)
    client = login_client(master)
    assert client.post("/me/two-factor/verify/", {"code": user_code(master)}).status_code == 302
    response = client.post(url("run"), {"source": "south", "destinations": ["north"], "files": ["billing"],
                                        "differences": "keep"})
    assert (response.status_code, response["Location"]) == (302, url("done"))
    assert rows_of(BillingCode, accounts["north"]).count() == 2
