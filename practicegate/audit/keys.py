"""The Ed25519 keys of the activity log: one private key that signs, a keyring of public keys.

The private key lives in a file (PRACTICEGATE_AUDIT_KEY) or in an environment
variable (PRACTICEGATE_AUDIT_KEY_PEM), never in the database or the repository,
so someone who can rewrite the database still cannot forge a checkpoint. Every
checkpoint names the key id that signed it; the public keyring
(PRACTICEGATE_AUDIT_PUBLIC_KEYS, a file of PEM public keys) keeps every key that
ever signed, so checkpoints made before a rotation still verify and `audit verify`
needs no private key at all.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

log = logging.getLogger(__name__)

_cache: dict[tuple, Ed25519PrivateKey] = {}
_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


class KeyMissing(Exception):
    """No signing key is configured, and this installation must not make one up."""


def key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_PATH)


def keyring_path() -> Path:
    return Path(settings.AUDIT_PUBLIC_KEYRING_PATH)


def key_from_environment() -> bool:
    return bool(getattr(settings, "AUDIT_SIGNING_KEY_PEM", ""))


def _environment_pem() -> bytes:
    text = settings.AUDIT_SIGNING_KEY_PEM.strip()
    if text.startswith("-----BEGIN"):
        return text.replace("\\n", "\n").encode()
    return base64.b64decode(text)  # one line, for files like systemd's EnvironmentFile


def _load_private(pem: bytes, where: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{where} does not hold an Ed25519 private key")
    return key


def private_key(*, create: bool | None = None) -> Ed25519PrivateKey:
    """The signing key: from the environment, else the key file.

    A missing file is created (mode 0600) only where AUDIT_KEY_AUTOCREATE allows it
    (development); in production a missing key is an error, never a new key made
    up on one server.
    """
    if key_from_environment():
        cache_key = ("env", settings.AUDIT_SIGNING_KEY_PEM)
        if cache_key not in _cache:
            _cache[cache_key] = _load_private(_environment_pem(), "PRACTICEGATE_AUDIT_KEY_PEM")
        return _cache[cache_key]
    path = key_path()
    if not path.exists():
        if not (settings.AUDIT_KEY_AUTOCREATE if create is None else create):
            raise KeyMissing(f"no activity-log signing key at {path} (and PRACTICEGATE_AUDIT_KEY_PEM is empty)")
        _create(path, Ed25519PrivateKey.generate())
    stat = path.stat()
    cache_key = (str(path), stat.st_ino, stat.st_mtime_ns)  # a rotated file is read again
    cached = _cache.get(cache_key)
    if cached is None:
        cached = _cache[cache_key] = _load_private(path.read_bytes(), str(path))
    return cached


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _create(path: Path, key: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(_private_pem(key))
    add_to_keyring(key.public_key())


def signing_key_available() -> bool:
    return key_from_environment() or key_path().exists()


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_pem(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def read_keyring(path: Path | None = None) -> dict[str, Ed25519PublicKey]:
    """Every public key in a keyring file (PEM blocks one after another), by key id."""
    path = Path(path) if path is not None else keyring_path()
    if not path.exists():
        return {}
    found = {}
    for block in _PEM_BLOCK.findall(path.read_bytes()):
        key = load_public_pem(block)
        found[key_id(key)] = key
    return found


def add_to_keyring(key: Ed25519PublicKey, path: Path | None = None) -> bool:
    """Append a public key to the keyring unless it is there already; True when added."""
    path = Path(path) if path is not None else keyring_path()
    if key_id(key) in read_keyring(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="ascii") as handle:
        handle.write(f"# activity-log key {key_id(key)}\n{public_pem(key)}")
    return True


def verification_keys(keyring: Path | None = None) -> list[Ed25519PublicKey]:
    """The public keys `verify` trusts by default: the keyring, and the signing key's own
    public half when this machine holds it (never creating one)."""
    found = read_keyring(keyring)
    if keyring is None and signing_key_available():
        own = private_key().public_key()
        found[key_id(own)] = own
    return list(found.values())


def rotate() -> tuple[str | None, str]:
    """Replace the key file with a new key; both public keys stay in the keyring.

    Returns (old key id or None, new key id). The old private key is gone afterwards:
    nothing needs it, since old checkpoints verify with its public key.
    """
    if key_from_environment():
        raise KeyMissing("the signing key comes from PRACTICEGATE_AUDIT_KEY_PEM: put the new key there "
                         "(`audit rotate-key --print-new` prints one) instead of rotating the file")
    path = key_path()
    old = private_key(create=False).public_key() if path.exists() else None
    if old is not None:
        add_to_keyring(old)
    new = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(_private_pem(new))
        handle.flush()
        os.fsync(handle.fileno())
    add_to_keyring(new.public_key())  # before the swap: a key that signs is always on the keyring
    os.replace(temporary, path)
    _cache.clear()
    return (key_id(old) if old is not None else None), key_id(new.public_key())


def new_key_for_environment() -> tuple[str, str]:
    """A new key as one base64 line for PRACTICEGATE_AUDIT_KEY_PEM, after adding its public key
    to the keyring. Returns (key id, value)."""
    new = Ed25519PrivateKey.generate()
    add_to_keyring(new.public_key())
    return key_id(new.public_key()), base64.b64encode(_private_pem(new)).decode()


_on_keyring: set[tuple[str, str]] = set()


def sign(message: bytes) -> tuple[str, str]:
    """Return (key id, hex signature)."""
    key = private_key()
    kid = key_id(key.public_key())
    if (str(keyring_path()), kid) not in _on_keyring:
        try:
            add_to_keyring(key.public_key())
            _on_keyring.add((str(keyring_path()), kid))
        except OSError as exc:  # a read-only keyring is checked by `check-production`
            log.warning("cannot add signing key %s to the public keyring: %s", kid, exc)
    return kid, key.sign(message).hex()


def signature_valid(key: Ed25519PublicKey, message: bytes, signature_hex: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
