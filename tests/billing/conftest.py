"""Fixtures of the billing tests."""

from __future__ import annotations

import pytest

from tests.billing.factories import billing_account, clearinghouse


@pytest.fixture
def billing(db):
    """An account with billing settings and a clearinghouse."""
    account = billing_account("Sunrise Counseling", "sunrise")
    return account, clearinghouse(account)
