"""Helpers of the sign-up and username tests: the sign-up form, filled in and posted."""

from __future__ import annotations

GOOD = {
    "provider_name": "Maple Street Counseling",
    "email": "maple@example.org",
    "username": "maplestreet",
    "password1": "a quiet river bends at dawn",
    "password2": "a quiet river bends at dawn",
}


def signup(client, **changes):
    """Post the sign-up form with GOOD's values and `changes`."""
    return client.post("/", {**GOOD, **changes})
