"""How a view declares its place in the access rule. AccountMiddleware enforces it."""

from __future__ import annotations

from collections.abc import Callable

from practicegate.core.sections import BY_KEY, MEMBERS, Level

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def account_view(section: str, *, level: Level | None = None) -> Callable:
    """Declare the section an account-scoped view belongs to.

    Safe methods then need View Only and unsafe ones Full Access on it; `level`
    raises the need for every method (a form page that only Full Access may open).
    """
    if section != MEMBERS and section not in BY_KEY:
        raise ValueError(f"unknown section {section!r}")

    def mark(view):
        view.pg_section = section
        view.pg_level = level
        return view

    return mark


def emergency_readable(view):
    """Mark a read-only page about one client (`number` in its address) that emergency access
    may open for the client it was granted for (access.emergency decides, in the middleware)."""
    view.pg_emergency = True
    return view


def public(view):
    """Mark a view that anonymous visitors may open (log-in, sign-up, reset)."""
    view.pg_public = True
    return view


def signed_in(view):
    """Mark a view outside any account that needs a signed-in username."""
    view.pg_signed_in = True
    return view


def needed_level(view, method: str) -> Level:
    declared = getattr(view, "pg_level", None)
    if declared is not None:
        return Level(declared)
    return Level.VIEW if method in SAFE_METHODS else Level.FULL
