"""The Ed25519 key that signs checkpoints. It lives in a file, never in the database,
so someone who can rewrite the database still cannot forge a checkpoint."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

_cache: dict[str, Ed25519PrivateKey] = {}


def _key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_PATH)


def private_key() -> Ed25519PrivateKey:
    """Load the signing key, creating it (mode 0600) on first use."""
    path = _key_path()
    cached = _cache.get(str(path))
    if cached is not None and path.exists():
        return cached
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    _cache[str(path)] = key
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


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


def sign(message: bytes) -> tuple[str, str]:
    """Return (key id, hex signature)."""
    key = private_key()
    return key_id(key.public_key()), key.sign(message).hex()


def signature_valid(key: Ed25519PublicKey, message: bytes, signature_hex: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
