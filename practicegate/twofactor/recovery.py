"""The shape of recovery codes and of what a person may type for one."""

from __future__ import annotations

import secrets
import unicodedata

# No 0/o, 1/l/i: codes are read off paper. 31 symbols ** 12 ≈ 2**59.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 12
COUNT = 10
TOTP_DIGITS = 6


def new_recovery_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """abcd-efgh-jkmn: groups of four are easier to copy by hand."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def squeeze(raw: str) -> str:
    """What was typed, without spaces and hyphens, compatibility forms folded (full-width digits)."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch not in " -\t").lower()


def normalize_recovery_code(raw: str) -> str | None:
    code = squeeze(raw)
    if len(code) == LENGTH and all(ch in ALPHABET for ch in code):
        return code
    return None


def normalize_totp_code(raw: str) -> str | None:
    code = squeeze(raw)
    if len(code) == TOTP_DIGITS and code.isascii() and code.isdigit():
        return code
    return None
