"""How recovery codes are hashed.

A code carries about 59 bits, under the 112 bits for which NIST SP 800-63B
allows a plain one-way hash, so it gets a password hashing scheme: Argon2id,
at OWASP's minimum (19 MiB, 2 passes, 1 lane) rather than the site's password
cost, because set-up hashes ten codes and a recovery log-in may try ten.
The parameters travel inside each hash, so Django's own Argon2 hasher checks them.
"""

from __future__ import annotations

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    get_hasher,
    make_password,
)


class RecoveryCodeHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456
    parallelism = 1


def _hasher():
    default = get_hasher("default")
    # Never costlier than the site's own password hasher (the test settings make that cheap).
    if isinstance(default, Argon2PasswordHasher) and default.memory_cost < RecoveryCodeHasher.memory_cost:
        return default
    return RecoveryCodeHasher()


def hash_code(code: str) -> str:
    return make_password(code, hasher=_hasher())


def code_matches(code: str, encoded: str) -> bool:
    """Constant-time inside the hasher's verify."""
    return check_password(code, encoded)
