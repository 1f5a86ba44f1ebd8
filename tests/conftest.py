"""Shared fixtures: the three people of every access test, and the audit triggers."""

from __future__ import annotations

import pytest

from practicegate.audit import triggers
from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level
from tests.helpers import login_client, make_account, new_member

pytest_plugins = ["tests.postgresql_only", "tests.mailserver"]


@pytest.fixture(autouse=True)
def audit_insert_only(request):
    """Keep the events table insert-only in every database test.

    Transactional tests end with a flush that must empty the table, so their
    triggers come off just before it (teardown runs before the flush).
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not (transactional or marker or "db" in names):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    triggers.install(connection)
    yield
    if transactional:
        triggers.remove(connection)


@pytest.fixture
def owner_account(db):
    return make_account("Sunrise Counseling", "sunrise")


@pytest.fixture
def owner(owner_account):
    return owner_account.owner


@pytest.fixture
def other_account(db):
    return make_account("Lakeside Therapy", "lakeside")


@pytest.fixture
def member(owner_account):
    """A second username in the owner's account, Full Access until a test narrows it."""
    return new_member(owner_account, "alice")


@pytest.fixture
def levels_under_test():
    """Give the levels of a username at one level in the sections under test (an area's conftest
    narrows them to its sections)."""
    return lambda level: {key: int(level) for key in SECTION_KEYS}


@pytest.fixture
def viewer(owner_account, levels_under_test):
    """A username of the owner's account who may only view the sections under test."""
    return new_member(owner_account, "viewer", levels_under_test(Level.VIEW))


@pytest.fixture
def blocked(owner_account, levels_under_test):
    """A username of the owner's account who may not open the sections under test."""
    return new_member(owner_account, "blocked", levels_under_test(Level.NONE))


@pytest.fixture
def outsider(other_account):
    return other_account.owner


@pytest.fixture
def owner_scope(owner_account):
    """The owner account's scope, open for the whole test: for tests that call its selectors and
    services directly, as one of its requests would (a client request opens its own scope)."""
    with account_scope(owner_account):
        yield owner_account


@pytest.fixture
def owner_client(owner):
    return login_client(owner)
