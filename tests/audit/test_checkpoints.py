"""The signing key, the public keyring, rotation, and checkpoints signed by a command, not a request."""

from __future__ import annotations

import base64
import stat

import pytest
from django.core.management import CommandError, call_command

from practicegate.audit import keys
from practicegate.audit.models import AuditCheckpoint, AuditEvent
from practicegate.audit.verify import checkpoint_message, verify_all
from tests.audit.helpers import Tamper, append, bare_account, chain_of, raw

pytestmark = pytest.mark.django_db


def test_key_is_created_on_first_use_private_to_its_owner(signing_key, settings):
    assert not signing_key.exists()
    key = keys.private_key()
    assert stat.S_IMODE(signing_key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in signing_key.read_bytes()
    keys._cache.clear()
    assert keys.key_id(keys.private_key().public_key()) == keys.key_id(key.public_key())  # reused, not replaced
    assert list(keys.read_keyring()) == [keys.key_id(key.public_key())]  # its public half is on the keyring
    assert b"PRIVATE" not in settings.AUDIT_PUBLIC_KEYRING_PATH.read_bytes()


def test_production_never_makes_up_a_key(signing_key, settings):
    settings.AUDIT_KEY_AUTOCREATE = False
    with pytest.raises(keys.KeyMissing):
        keys.private_key()
    assert not signing_key.exists()
    append(bare_account(), 1)
    with pytest.raises(CommandError):
        call_command("audit", "checkpoint")
    assert not AuditCheckpoint.objects.exists() and not signing_key.exists()


@pytest.mark.parametrize("encoding", ["pem", "base64"])
def test_the_key_can_come_from_the_environment(settings, signing_key, encoding, capsys):
    settings.AUDIT_KEY_AUTOCREATE = False
    call_command("audit", "rotate-key", "--print-new")
    value = capsys.readouterr().out.strip()
    settings.AUDIT_SIGNING_KEY_PEM = value if encoding == "base64" else base64.b64decode(value).decode()
    account = bare_account()
    append(account, 3)
    call_command("audit", "checkpoint")
    checkpoint = AuditCheckpoint.objects.get(chain=chain_of(account))
    assert checkpoint.key_id in keys.read_keyring()
    assert not signing_key.exists()  # nothing written to disk but the public keyring
    with pytest.raises(CommandError, match="PRACTICEGATE_AUDIT_KEY_PEM"):
        call_command("audit", "rotate-key")


def test_public_key_command_prints_pem(capsys):
    call_command("audit", "public-key")
    out = capsys.readouterr().out
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.key_id(keys.load_public_pem(out.encode())) == keys.key_id(keys.public_key())


def test_record_never_signs_even_past_the_checkpoint_interval(settings, signing_key,
                                                            django_capture_on_commit_callbacks):
    settings.AUDIT_CHECKPOINT_EVERY = 4
    account = bare_account()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        append(account, 9)
    assert callbacks == []  # nothing left to run after the request's commit
    assert not AuditCheckpoint.objects.exists()
    assert not signing_key.exists()  # the request path needs no private key at all


def test_the_checkpoint_command_signs_only_chains_that_grew(capsys):
    quiet, busy = bare_account(), bare_account()
    append(quiet, 2)
    append(busy, 3)
    call_command("audit", "checkpoint")
    assert "2 checkpoint(s) signed" in capsys.readouterr().out
    append(busy, 2)
    call_command("audit", "checkpoint")
    out = capsys.readouterr().out
    assert "1 checkpoint(s) signed" in out and busy.slug in out and quiet.slug not in out
    cp = AuditCheckpoint.objects.filter(chain=chain_of(busy)).latest("seq")
    assert cp.seq == 5
    message = checkpoint_message(account_id=busy.pk, seq=5, hash=cp.hash, signed_at=cp.signed_at)
    assert keys.signature_valid(keys.public_key(), message, cp.signature)


def test_rotation_keeps_old_checkpoints_verifiable_with_public_keys_only(settings, signing_key, tmp_path, capsys):
    account = bare_account()
    append(account, 3)
    call_command("audit", "checkpoint")
    old_id = keys.key_id(keys.public_key())
    append(account, 2)  # not yet signed: rotation signs it with the old key first

    call_command("audit", "rotate-key")
    out = capsys.readouterr().out
    new_id = keys.key_id(keys.public_key())
    assert new_id != old_id and f"old key {old_id} -> new key {new_id}" in out
    assert old_id not in signing_key.read_text()  # the old private key is gone from the file
    assert AuditEvent.objects.filter(account=None, action="audit.key_rotate").exists()
    append(account, 4)
    call_command("audit", "checkpoint")
    checkpoints = list(AuditCheckpoint.objects.filter(chain=chain_of(account)).order_by("seq"))
    assert [(c.seq, c.key_id) for c in checkpoints] == [(3, old_id), (5, old_id), (9, new_id)]

    # An auditor's machine: the keyring, no private key anywhere.
    keyring = tmp_path / "auditor-keyring.pem"
    keyring.write_bytes(settings.AUDIT_PUBLIC_KEYRING_PATH.read_bytes())
    settings.AUDIT_SIGNING_KEY_PATH = tmp_path / "no-such-key.pem"
    settings.AUDIT_KEY_AUTOCREATE = False
    call_command("audit", "verify", "--keyring", str(keyring))
    assert "every chain and checkpoint is intact" in capsys.readouterr().out
    assert not settings.AUDIT_SIGNING_KEY_PATH.exists()

    # Without the old public key, its checkpoints are reported, and a forged one still is.
    only_new = tmp_path / "only-new.pem"
    only_new.write_text(keys.public_pem(keys.read_keyring(keyring)[new_id]))
    _, problems = verify_all(public_keys=keys.verification_keys(only_new))
    assert [(p.seq, p.kind) for p in problems] == [(3, "checkpoint"), (5, "checkpoint")]
    assert all(f"unknown key {old_id}" in p.message for p in problems)
    with Tamper(chain_of(account)):
        raw("UPDATE audit_auditcheckpoint SET seq = 8 WHERE seq = 9 AND chain_id = %s", [chain_of(account).pk])
    _, problems = verify_all(public_keys=keys.verification_keys(keyring))
    assert [(p.seq, p.kind) for p in problems] == [(8, "checkpoint")]


def test_verify_refuses_a_missing_keyring_file(tmp_path):
    with pytest.raises(CommandError, match="no keyring file"):
        call_command("audit", "verify", "--keyring", str(tmp_path / "absent.pem"))
