"""Helpers every test area shares: usernames, accounts and memberships, logged-in clients, rows,
and the command line run as a deployment would run it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import Client

from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.services import account_signup
from practicegate.core.sections import full_levels

PASSWORD = "correct horse battery staple 42"


def make_user(username: str, password: str = PASSWORD, **extra) -> User:
    user = User(username=username, email=extra.pop("email", f"{username}@example.org"), **extra)
    user.set_password(password)
    user.save()
    return user


def make_account(name: str, owner_username: str) -> Account:
    """A provider account with its owner, as sign-up makes it (without going through the form)."""
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


def new_member(account: Account, username: str, levels: dict | None = None) -> User:
    """A new username in `account`, Full Access unless `levels` narrows it."""
    user = make_user(username)
    add_member(account, user, levels)
    return user


def clean_environ() -> dict:
    """The environment a deployment would have: none of the test run's own switches."""
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PRACTICEGATE_TEST_DB_NAME"}
    return {k: v for k, v in os.environ.items() if k not in dropped}


def run_cli(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "practicegate.cli", *args],
        env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "practicegate.settings", **(env or {})},
        capture_output=True, text=True, timeout=timeout,
    )
