"""Shared fixtures: the three people of every access test, and the audit triggers."""

from __future__ import annotations

import pytest
from django.test import Client

from practicegate.accounts.models import Account, Membership, User
from practicegate.audit import triggers
from practicegate.core.scoping import account_scope
from practicegate.core.sections import full_levels

pytest_plugins = ["tests.postgresql_only"]

PASSWORD = "correct horse battery staple 42"


def make_user(username: str, password: str = PASSWORD, **extra) -> User:
    user = User(username=username, email=extra.pop("email", f"{username}@example.org"), **extra)
    user.set_password(password)
    user.save()
    return user


def make_account(name: str, owner_username: str) -> Account:
    """A provider account with its owner, as sign-up makes it (without going through the form)."""
    from practicegate.accounts.services import account_signup

    return account_signup(provider_name=name, email=f"{owner_username}@example.org",
                          username=owner_username, password=PASSWORD)


def add_member(account: Account, user: User, levels: dict | None = None) -> Membership:
    return Membership.objects.create(user=user, account=account, levels=levels or full_levels())


def rows_of(model, account):
    """A tenant model's manager as `account`'s scope sees it, for tests that read the database.

    Tenant models refuse queries outside a scope (core.scoping); a test that looks at one
    account's rows says which account, as the request it checks did.
    """
    if account is None or account.pk is None:
        raise ValueError("rows_of needs a saved account")
    return model.objects.with_scope(account=account)


def rows_everywhere(model):
    """Every account's rows: only for assertions that something happened in no account at all."""
    return model.objects.with_scopes_disabled()


def login_client(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user, backend="practicegate.accounts.backends.UsernameBackend")
    return client


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
    user = make_user("alice")
    add_member(owner_account, user)
    return user


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
