"""Fixtures of the master-file tests: usernames at each level, and quick row makers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level
from practicegate.masterfiles import services
from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER
from tests.conftest import add_member, login_client, make_user

MASTER_SECTIONS = ("diagnosis_codes", "billing_codes", "payers")


def levels_with(level: Level) -> dict:
    base = {key: int(Level.FULL) for key in SECTION_KEYS}
    base.update({key: int(level) for key in MASTER_SECTIONS})
    return base


def url(account, name: str, **kwargs) -> str:
    return reverse(f"masterfiles:{name}", kwargs={"account": account.slug, **kwargs})


@pytest.fixture
def viewer(owner_account):
    user = make_user("viewer")
    add_member(owner_account, user, levels_with(Level.VIEW))
    return user


@pytest.fixture
def blocked(owner_account):
    user = make_user("blocked")
    add_member(owner_account, user, levels_with(Level.NONE))
    return user


@pytest.fixture
def viewer_client(viewer):
    return login_client(viewer)


def _create(account, kind, data, actor):
    """Add a row through the service, inside the account's scope as a request would be."""
    with account_scope(account):
        return services.masterfile_create(actor=actor, account=account, kind=kind, data=data)


def add_diagnosis(account, code="F411", description="Generalized anxiety disorder", actor=None):
    return _create(account, DIAGNOSIS, {"code": code, "description": description}, actor)


def add_billing(account, code="90837", fee="170.00", actor=None):
    from decimal import Decimal

    return _create(account, BILLING,
                   {"code": code, "description": "Therapy, 60 minutes", "modifier1": "", "modifier2": "",
                    "modifier3": "", "modifier4": "", "fee": Decimal(fee), "units": 1}, actor)


def add_payer(account, name="Blue Harbor Health", payer_id="BHH01", actor=None):
    return _create(account, PAYER,
                   {"name": name, "payer_id": payer_id, "address": "", "city": "", "state": "NY",
                    "zip_code": "12207", "phone": "", "payer_type": "commercial", "notes": ""}, actor)


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
