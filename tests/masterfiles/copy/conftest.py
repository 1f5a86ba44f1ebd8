"""Fixtures for Copy Codes to Another Account: one master username joined to three accounts."""

from __future__ import annotations

import pytest

from tests.helpers import add_member, make_account, make_user
from tests.masterfiles.copy.helpers import (
    SOURCE_BILLING,
    SOURCE_DIAGNOSIS,
    SOURCE_PAYERS,
    levels,
    seed,
)


@pytest.fixture
def accounts(db):
    """Source "north", destinations "south" and "east", and the master username in all three."""
    made = {}
    for slug in ("north", "south", "east"):
        account = make_account(f"{slug.title()} Clinic", f"{slug}owner")
        account.slug = slug
        account.save()
        made[slug] = account
    return made


@pytest.fixture
def master(accounts):
    user = make_user("master")
    for account in accounts.values():
        add_member(account, user, levels())
    return user


@pytest.fixture
def filled(accounts):
    seed(accounts["north"], diagnosis=SOURCE_DIAGNOSIS, billing=SOURCE_BILLING, payers=SOURCE_PAYERS)
    return accounts["north"]
