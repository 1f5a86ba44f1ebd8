"""Fixtures of the billing tests."""

from __future__ import annotations

import pytest

from tests.billing.factories import billing_account, clearinghouse
from tests.helpers import add_member, make_user


@pytest.fixture
def billing(db):
    """An account with billing settings and a clearinghouse."""
    account = billing_account("Sunrise Counseling", "sunrise")
    return account, clearinghouse(account)


@pytest.fixture
def biller(owner_account, other_account):
    """A billing service's username with Full Access (Billing included) in both accounts."""
    user = make_user("biller")
    add_member(owner_account, user)
    add_member(other_account, user)
    return user
