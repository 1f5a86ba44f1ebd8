"""The signing key file and the automatic checkpoints."""

from __future__ import annotations

import stat

import pytest

from practicegate.audit import keys
from practicegate.audit.models import AuditCheckpoint
from practicegate.audit.verify import checkpoint_message
from tests.audit.conftest import append, bare_account, chain_of

pytestmark = pytest.mark.django_db


def test_key_is_created_on_first_use_private_to_its_owner(signing_key):
    assert not signing_key.exists()
    key = keys.private_key()
    assert stat.S_IMODE(signing_key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in signing_key.read_bytes()
    keys._cache.clear()
    assert keys.key_id(keys.private_key().public_key()) == keys.key_id(key.public_key())  # reused, not replaced


def test_public_key_command_prints_pem(capsys):
    from django.core.management import call_command

    call_command("audit", "public-key")
    out = capsys.readouterr().out
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.key_id(keys.load_public_pem(out.encode())) == keys.key_id(keys.public_key())


def test_checkpoint_every_n_events(settings, django_capture_on_commit_callbacks):
    settings.AUDIT_CHECKPOINT_EVERY = 4
    account = bare_account()
    with django_capture_on_commit_callbacks(execute=True):
        append(account, 9)
    checkpoints = list(AuditCheckpoint.objects.filter(chain=chain_of(account)).order_by("seq"))
    assert [c.seq for c in checkpoints] == [4, 8]
    cp = checkpoints[-1]
    message = checkpoint_message(account_id=account.pk, seq=8, hash=cp.hash, signed_at=cp.signed_at)
    assert keys.signature_valid(keys.public_key(), message, cp.signature)
    assert cp.key_id == keys.key_id(keys.public_key())


def test_automatic_checkpoint_failure_does_not_break_the_request(settings, django_capture_on_commit_callbacks,
                                                                 tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    settings.AUDIT_SIGNING_KEY_PATH = blocker / "key.pem"  # cannot be created
    settings.AUDIT_CHECKPOINT_EVERY = 2
    account = bare_account()
    with django_capture_on_commit_callbacks(execute=True):
        append(account, 2)
    assert chain_of(account).seq == 2
    assert not AuditCheckpoint.objects.exists()
    assert "automatic checkpoint" in caplog.text
