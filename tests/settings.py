"""Test settings: the real ones, with a cheaper Argon2id so the suite stays quick."""

import atexit
import shutil
import tempfile
from pathlib import Path

from practicegate.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.hashers.QuickArgon2Hasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# No test signs with, or adds keys to, the developer's var/ key files.
_KEYS = Path(tempfile.mkdtemp(prefix="practicegate-test-keys-"))
atexit.register(shutil.rmtree, _KEYS, True)
AUDIT_SIGNING_KEY_PATH = _KEYS / "audit-signing-key.pem"
AUDIT_PUBLIC_KEYRING_PATH = _KEYS / "audit-public-keys.pem"
AUDIT_SIGNING_KEY_PEM = ""
AUDIT_KEY_AUTOCREATE = True
