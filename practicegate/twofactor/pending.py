"""The half-finished log-in: the password was right, the code is still to come.

Kept in the server-side session (so bound to this browser), for a few minutes,
and only while the username's password is unchanged.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model

KEY = "twofactor_pending"


def lifetime() -> int:
    return int(getattr(settings, "TWOFACTOR_PENDING_SECONDS", 300))


def begin(request, user, redirect_to: str) -> None:
    # A fresh session key, so a session id planted before the password step is worthless.
    request.session.cycle_key()
    request.session[KEY] = {
        "uid": user.pk,
        "auth_hash": user.get_session_auth_hash(),
        "backend": getattr(user, "backend", "practicegate.accounts.backends.UsernameBackend"),
        "at": time.time(),
        "next": redirect_to,
    }


def clear(request) -> None:
    request.session.pop(KEY, None)


def current(request):
    """(user, state) of a live pending log-in, else (None, None) and the state is dropped."""
    state = request.session.get(KEY)
    if not isinstance(state, dict):
        return None, None
    if time.time() - float(state.get("at", 0)) > lifetime():
        clear(request)
        return None, None
    user = get_user_model().objects.filter(pk=state.get("uid"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != state.get("auth_hash"):
        clear(request)
        return None, None
    return user, state
