"""Fixtures of the Clients tests: usernames at each level, master-file rows, a client."""

from __future__ import annotations

from datetime import date

import pytest

from practicegate.clients import services
from practicegate.core.scoping import account_scope
from tests.clients.helpers import levels_with, make_client
from tests.helpers import login_client
from tests.masterfiles.helpers import add_billing, add_diagnosis, add_payer


@pytest.fixture
def scoped(owner_account):
    with account_scope(owner_account):
        yield owner_account


@pytest.fixture
def codes(owner_account):
    """One diagnosis code, one billing code and one payer of the owner's account."""
    return {"dx": add_diagnosis(owner_account), "dx2": add_diagnosis(owner_account, "F329", "Major depressive disorder"),
            "billing": add_billing(owner_account), "payer": add_payer(owner_account)}


@pytest.fixture
def client_row(owner_account, owner):
    return make_client(owner_account, owner)


@pytest.fixture
def levels_under_test():
    """Put `viewer` and `blocked` (tests/conftest.py) at their level in this area's sections only."""
    return levels_with


@pytest.fixture
def owner_http(owner):
    return login_client(owner)


@pytest.fixture
def viewer_http(viewer):
    return login_client(viewer)


@pytest.fixture
def client_record(owner_account, owner, codes):
    """A client of the owner's account with one line on each tab, keyed by the tab's name."""
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client, code=codes["dx"],
                                           is_primary=True, start_date=date(2024, 1, 1))
        policy = services.client_policy_add(actor=owner, account=owner_account, client=client,
                                            payer=codes["payer"],
                                            data={"priority": 1, "member_id": "M1", "effective_date": date(2024, 1, 1)})
        service = services.client_service_add(actor=owner, account=owner_account, client=client,
                                              billing_code=codes["billing"],
                                              data={"service_date": date(2024, 1, 2), "diagnosis1": dx})
    return {"client": client, "diagnoses": dx, "insurance": policy, "services": service}
