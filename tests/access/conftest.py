"""Fixtures of the access tests: a master username, and clients signed in through the log-in form."""

from __future__ import annotations

import pytest

from tests.access.helpers import password_login
from tests.helpers import new_member


@pytest.fixture
def owner_web(owner):
    return password_login(owner.username)


@pytest.fixture
def joiner(owner_account):
    """A master username in account A (Sunrise), with Full Access."""
    return new_member(owner_account, "manager")
