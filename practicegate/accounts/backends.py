from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class UsernameBackend(ModelBackend):
    """Username + password, usernames matched case-insensitively (via the manager)."""


def axes_username(request, credentials) -> str:
    """Count failures per username regardless of letter case."""
    username = (credentials or {}).get("username") or ""
    return str(username).strip().lower()[:150]
