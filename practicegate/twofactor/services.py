"""Two-factor log-in: the questions other features ask (has it? is this code right?)."""

from __future__ import annotations

from django_otp import devices_for_user, match_token


def has_two_factor(user) -> bool:
    """Whether the username has a confirmed authenticator (TOTP) device."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify_code(user, code: str):
    """Check a TOTP or recovery code for the username; return the matching device or None.

    django-otp refuses a TOTP code already used (its last_t) and consumes a recovery code.
    """
    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > 32:
        return None
    return match_token(user, code)
