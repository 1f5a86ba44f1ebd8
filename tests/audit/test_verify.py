"""`verify` names the account, the first bad sequence number and what is wrong."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import CommandError, call_command

from practicegate.audit import keys
from practicegate.audit.checkpoints import ChainBroken, sign_head
from practicegate.audit.models import AuditCheckpoint
from practicegate.audit.verify import verify_all, verify_chain
from tests.audit.helpers import Tamper, append, bare_account, chain_of, raw

pytestmark = pytest.mark.django_db


def problems_of(account):
    return verify_chain(chain_of(account), public_keys=[keys.public_key()])


@pytest.fixture
def account():
    acct = bare_account()
    append(acct, 8)
    return acct


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


def test_untouched_chains_verify(account):
    other = bare_account()
    append(other, 3)
    checked, problems = verify_all()
    assert problems == []
    assert checked >= 11


def test_whole_second_timestamps_verify():
    """SQLite stores a datetime without microseconds as 19 characters: the verifier must match."""
    acct = bare_account()
    with time_machine.travel("2031-05-06 07:08:09+00:00", tick=False):
        append(acct, 2)
    assert problems_of(acct) == []


def test_unicode_and_nested_detail_verify():
    acct = bare_account()
    from practicegate.audit.services import record
    record("page.view", account=acct, actor_username="Zoë 🌿", detail={"b": [1, "é"], "a": {"z": None, "y": True}})
    assert problems_of(acct) == []


@pytest.mark.parametrize("column", ["actor_username", "action", "target_id", "detail", "at", "hash"])
def test_an_edited_event_is_reported(account, column):
    with Tamper(chain_of(account)) as t:
        t.flip(5, column)
    problem = only(problems_of(account))
    assert (problem.account, problem.seq, problem.kind) == (account.slug, 5, "edited")


def test_an_edited_link_is_reported(account):
    with Tamper(chain_of(account)) as t:
        t.flip(4, "prev_hash", 10)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (4, "edited")
    assert "link" in problem.message


def test_a_deleted_event_is_reported_as_missing(account):
    with Tamper(chain_of(account)) as t:
        t.delete(3)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (3, "missing")


@pytest.mark.parametrize("forge_hash", [False, True])
def test_an_inserted_event_is_reported(account, forge_hash):
    with Tamper(chain_of(account)) as t:
        t.insert(4, forge_hash=forge_hash)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (4, "inserted")


def test_an_event_appended_behind_the_heads_back_is_reported(account):
    with Tamper(chain_of(account)) as t:
        t.insert(9, forge_hash=True)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (9, "inserted")


def test_swapped_events_are_reported_as_reordered(account):
    with Tamper(chain_of(account)) as t:
        t.swap(6)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (6, "reordered")


def test_a_truncated_chain_is_reported(account):
    with Tamper(chain_of(account)) as t:
        t.truncate(5)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (6, "missing")


def test_truncation_with_a_rewritten_head_is_caught_by_the_checkpoint(account):
    sign_head(chain_of(account))
    with Tamper(chain_of(account)) as t:
        t.truncate(5)
        t.set_head(5, t.chain.__class__.objects.get(pk=t.chain.pk).head_hash)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (6, "truncated")
    assert "checkpoint covers 8" in problem.message


def test_a_fully_recomputed_chain_is_caught_by_the_checkpoint(account):
    """Someone who rewrites an event and re-hashes every later one still cannot re-sign."""
    from practicegate.audit import chain as chainlib
    from practicegate.audit.models import AuditEvent

    chain = chain_of(account)
    sign_head(chain)
    with Tamper(chain) as t:
        t.set(3, "actor_username", "mallory")
        prev = AuditEvent.objects.get(chain=chain, seq=2).hash
        for event in AuditEvent.objects.filter(chain=chain, seq__gte=3).order_by("seq"):
            digest = chainlib.link(prev, chainlib.canonical(chainlib.fields_of(event)))
            raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk])
            prev = digest
        t.set_head(8, prev)
    problem = only(problems_of(account))
    assert (problem.seq, problem.kind) == (8, "edited")
    assert "signed checkpoint" in problem.message


def test_a_forged_checkpoint_is_reported(account):
    checkpoint = sign_head(chain_of(account))
    with Tamper(chain_of(account)):
        raw("UPDATE audit_auditcheckpoint SET seq = 7 WHERE id = %s", [checkpoint.pk])
    problems = problems_of(account)
    assert [(p.seq, p.kind) for p in problems] == [(7, "checkpoint")]


def test_a_checkpoint_from_an_unknown_key_is_reported(account, tmp_path, settings):
    sign_head(chain_of(account))
    settings.AUDIT_SIGNING_KEY_PATH = tmp_path / "another-key.pem"
    settings.AUDIT_PUBLIC_KEYRING_PATH = tmp_path / "another-keyring.pem"  # the first key is on neither
    problems = problems_of(account)
    assert [p.kind for p in problems] == ["checkpoint"]
    assert "unknown key" in problems[0].message


def test_sign_head_refuses_a_broken_chain(account):
    with Tamper(chain_of(account)) as t:
        t.flip(2, "action")
    with pytest.raises(ChainBroken):
        sign_head(chain_of(account))
    assert not AuditCheckpoint.objects.filter(chain=chain_of(account)).exists()


def test_checkpoints_verify_incrementally(account):
    first = sign_head(chain_of(account))
    append(account, 3)
    second = sign_head(chain_of(account))
    assert (first.seq, second.seq) == (8, 11)
    assert sign_head(chain_of(account)) is None  # head already signed
    assert problems_of(account) == []


def test_verify_command_exit_codes(account, capsys):
    other = bare_account()
    append(other, 2)
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert "OK:" in capsys.readouterr().out
    with Tamper(chain_of(account)) as t:
        t.delete(2)
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert err.value.returncode != 0
    assert f"account {account.slug}: seq 2: missing" in capsys.readouterr().err
    call_command("audit", "verify", "--account", other.slug)  # the other account is intact
    with pytest.raises(CommandError, match="No account"):
        call_command("audit", "verify", "--account", "no-such-account")


def test_verify_with_an_exported_public_key(account, tmp_path, capsys):
    call_command("audit", "checkpoint")
    call_command("audit", "public-key")
    pem = tmp_path / "public.pem"
    pem.write_text(capsys.readouterr().out)
    call_command("audit", "verify", "--public-key", str(pem))
    stranger = tmp_path / "stranger.pem"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    stranger.write_text(keys.public_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--public-key", str(stranger))
    assert "unknown key" in capsys.readouterr().err
