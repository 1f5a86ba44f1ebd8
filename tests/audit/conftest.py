"""Activity-log fixtures: a throw-away signing key for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    """Each test signs with its own key file, never the developer's var/ key."""
    settings.AUDIT_SIGNING_KEY_PATH = tmp_path / "keys" / "audit-signing-key.pem"
    settings.AUDIT_PUBLIC_KEYRING_PATH = tmp_path / "keys" / "audit-public-keys.pem"
    return settings.AUDIT_SIGNING_KEY_PATH
