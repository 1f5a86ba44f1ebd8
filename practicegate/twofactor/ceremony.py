"""The browser side of passkeys: which site they belong to, and the one-time challenges.

Each WebAuthn exchange starts with a random challenge the passkey must sign. It is kept in
the server-side session (never only in the page), for one purpose and one username, for
WEBAUTHN_CHALLENGE_SECONDS; taking it removes it, so each challenge is answered once.
The checks of the answers are in passkeys.py.
"""

from __future__ import annotations

import time

from django.conf import settings
from fido2.server import Fido2Server

KEY = "pg_passkey_challenge"

ADD = "add"  # registering a new passkey (signed in)
LOGIN = "login"  # the second step of log-in, after the password
PASSWORDLESS = "passwordless"  # log-in with the passkey alone (it verified the person: PIN or fingerprint)
SESSION = "session"  # a signed-in session proving its second factor (an account asks)
REMOVE = "remove"  # removing the last second factor
PURPOSES = (ADD, LOGIN, PASSWORDLESS, SESSION, REMOVE)


def rp_id(request) -> str:
    """The domain passkeys are bound to: the setting in production, else this request's host."""
    configured = getattr(settings, "WEBAUTHN_RP_ID", "")
    if configured:
        return configured
    host = request.get_host()  # validated against ALLOWED_HOSTS
    if host.startswith("["):  # an IPv6 literal cannot be an RP ID; the browser refuses it anyway
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def server(request) -> Fido2Server:
    return Fido2Server({"id": rp_id(request), "name": settings.WEBAUTHN_RP_NAME}, attestation="none")


def lifetime() -> int:
    return int(getattr(settings, "WEBAUTHN_CHALLENGE_SECONDS", 300))


def keep(request, *, purpose: str, user_id: int | None, state: dict) -> None:
    """Remember the challenge just sent (a new one replaces any older one)."""
    request.session[KEY] = {"purpose": purpose, "uid": user_id, "state": dict(state),
                            "rp": rp_id(request), "at": time.time()}


def take(request, *, purpose: str, user_id: int | None) -> dict | None:
    """The live challenge state for this purpose and username, removed from the session; None
    when there is none, it has expired, or it was sent for something else."""
    kept = request.session.pop(KEY, None)
    if not isinstance(kept, dict):
        return None
    if kept.get("purpose") != purpose or kept.get("uid") != user_id or kept.get("rp") != rp_id(request):
        return None
    if time.time() - float(kept.get("at", 0)) > lifetime():
        return None
    state = kept.get("state")
    return state if isinstance(state, dict) else None
