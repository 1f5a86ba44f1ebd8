from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from practicegate.accounts.usernames import username_key


class UsernameBackend(ModelBackend):
    """Username + password, usernames matched by their case-folded key (via the manager)."""


def axes_username(request, credentials) -> str:
    """Count failures per username regardless of letter case (the same key log-in looks up)."""
    username = (credentials or {}).get("username") or ""
    return username_key(str(username).strip())[:150]
