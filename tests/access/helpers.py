"""Helpers of the access tests: URLs, a log-in through the form, an account's events."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from tests.helpers import PASSWORD


def url(account, name: str = "", **kwargs) -> str:
    return reverse(f"access:{name or 'index'}", kwargs={"account": account.slug, **kwargs})


def password_login(username: str, password: str = PASSWORD, ip: str = "10.1.1.1") -> Client:
    """Log in through the log-in form, as a person would (stamps the password-entry clock)."""
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def events(account, action: str):
    return AuditEvent.objects.filter(account=account, action=action).order_by("seq")
