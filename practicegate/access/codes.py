"""Join codes as people pass them on: read out on the phone, typed from a note, pasted.

A code is 20 characters of Crockford's base32 (digits and capital letters without I, L, O
and U), 100 random bits, shown in five groups of four: `K7QF-9M2D-XW4P-3H8T-6R2A`.
Whatever the person types is read back to those 20 characters before it is looked up:
any case, with or without dashes or spaces, and the look-alikes O for 0 and I or L for 1.
Only the SHA-256 of that normal form is stored. 100 random bits are far beyond what
anyone can try, online or against a stolen digest, in the 24 hours a code lives, which
is why a plain hash is enough here (NIST SP 800-63B asks for 112 bits only for secrets
that never expire).

Codes made before this format (`pgj-` and 32 URL-safe characters, case-sensitive) were
stored as the SHA-256 of the code as typed; `legacy_digest` still finds them, so a code
handed out just before an upgrade keeps working until it expires (24 hours at most).
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
LENGTH = 20  # characters: 5 bits each, 100 bits
GROUP = 4
EXAMPLE = "K7QF-9M2D-XW4P-3H8T-6R2A"
LEGACY_PREFIX = "pgj-"

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators people type or that e-mail and word processors put in: spaces of every kind
# (str.split drops them) and the hyphen and dash characters.
_DASHES = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212")


def new_code() -> str:
    """A fresh code in its display form, groups of four joined by dashes."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return display(raw)


def display(canonical: str) -> str:
    return "-".join(canonical[i:i + GROUP] for i in range(0, len(canonical), GROUP))


def normalise(typed: str) -> str | None:
    """The 20 characters a typed code stands for, or None when it cannot be a join code."""
    text = "".join(str(typed or "").split()).translate(_DASHES).upper().translate(_LOOK_ALIKES)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def legacy_digest(typed: str) -> str | None:
    """The stored digest of an old-format code, or None when `typed` is not one."""
    text = str(typed or "").strip()
    if not text.startswith(LEGACY_PREFIX):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests_of(typed: str) -> list[str]:
    """The digests a typed code may be stored under (none when it cannot be a join code)."""
    canonical = normalise(typed)
    found = [digest(canonical)] if canonical else []
    legacy = legacy_digest(typed)
    if legacy:
        found.append(legacy)
    return found
