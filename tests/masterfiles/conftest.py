"""Fixtures of the master-file tests: usernames at each level, and rows of each kind."""

from __future__ import annotations

import pytest

from tests.helpers import login_client
from tests.masterfiles.helpers import add_billing, add_diagnosis, add_payer, levels_with


@pytest.fixture
def levels_under_test():
    """Put `viewer` and `blocked` (tests/conftest.py) at their level in this area's sections only."""
    return levels_with


@pytest.fixture
def viewer_client(viewer):
    return login_client(viewer)


@pytest.fixture
def rows(owner_account):
    """One row of each kind in the owner's account."""
    return {"diagnosis": add_diagnosis(owner_account), "billing": add_billing(owner_account),
            "payer": add_payer(owner_account)}


@pytest.fixture
def other_rows(other_account):
    return {"diagnosis": add_diagnosis(other_account, "F329", "Depression, other account"),
            "billing": add_billing(other_account, "90834"),
            "payer": add_payer(other_account, "Other Account Payer", "OTH99")}
