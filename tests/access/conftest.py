"""Helpers for the master-username tests: signed-in clients with a fresh password entry."""

from __future__ import annotations

import pytest
from django.test import Client

from practicegate.audit.models import AuditEvent
from tests.conftest import PASSWORD, add_member, make_user  # noqa: F401


def url(account, name: str = "", **kwargs) -> str:
    from django.urls import reverse

    return reverse(f"access:{name or 'index'}", kwargs={"account": account.slug, **kwargs})


def password_login(username: str, password: str = PASSWORD, ip: str = "10.1.1.1") -> Client:
    """Log in through the log-in form, as a person would (stamps the password-entry clock)."""
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def events(account, action: str):
    return AuditEvent.objects.filter(account=account, action=action).order_by("seq")


@pytest.fixture
def owner_web(owner):
    return password_login(owner.username)
