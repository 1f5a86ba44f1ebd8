"""`practicegate claims batch | ack`: the same batches and acknowledgments from the command line,
as a named username, judged account by account, logged with channel cli."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practicegate.audit.models import AuditEvent, Channel
from practicegate.billing.models import ClaimBatch, ClaimStatus
from practicegate.cli import main
from practicegate.core.sections import SECTION_KEYS, Level
from tests.billing.acks import answer_277ca, answer_999
from tests.billing.batch_factories import clearinghouse, ready_claims, statuses
from tests.helpers import add_member, make_account, make_user


def claims(*options) -> str:
    out = io.StringIO()
    call_command("claims", *options, stdout=out)
    return out.getvalue()




def test_batch_bills_every_account_the_username_may_bill_and_writes_the_file(owner_account, other_account,
                                                                              biller, tmp_path):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 2)
    ready_claims(other_account, 1)
    out = tmp_path / "batch.837"
    said = claims("batch", "--as", "biller", "--out", str(out))
    batch = ClaimBatch.objects.with_scopes_disabled().get()
    assert out.read_text() == batch.file_text and batch.file_text.startswith("ISA*")
    assert batch.clearinghouse_id == house.pk and batch.claim_count == 3 and batch.sent_at is not None
    assert statuses(owner_account) == statuses(other_account) == {ClaimStatus.SENT}
    assert f"Batch 1 of {owner_account.slug}: 3 claims" in said and "Written to" in said
    created = AuditEvent.objects.get(action="batch.create")
    assert created.channel == Channel.CLI and created.actor_id == biller.pk
    assert AuditEvent.objects.filter(action="batch.download", account=other_account, channel=Channel.CLI).exists()


def test_batch_takes_only_the_accounts_named_and_says_which_it_left_out(owner_account, other_account, biller,
                                                                         tmp_path):
    stranger = make_account("Hillside Clinic", "hillside")
    clearinghouse(owner_account)
    for account in (owner_account, other_account, stranger):
        ready_claims(account, 1)
    said = claims("batch", "--as", "biller", "--account", other_account.slug, "--account", stranger.slug,
                  "--account", "no-such", "--out", str(tmp_path / "b.837"))
    assert f"Left out {stranger.slug}: not an account biller may bill" in said
    assert "Left out no-such: not an account biller may bill" in said
    assert statuses(other_account) == {ClaimStatus.SENT}
    assert statuses(owner_account) == statuses(stranger) == {ClaimStatus.READY}
    assert not AuditEvent.objects.filter(account=stranger, action__startswith="batch.").exists()


def test_batch_applies_the_rule_per_account(owner_account, other_account, tmp_path):
    user = make_user("part-biller")
    add_member(owner_account, user)
    add_member(other_account, user, {k: int(Level.FULL) for k in SECTION_KEYS} | {"billing": int(Level.VIEW)})
    other_account.require_two_factor = True  # no web session: the requirement does not apply to a command
    other_account.save(update_fields=["require_two_factor"])
    clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    ready_claims(other_account, 1)
    claims("batch", "--as", "part-biller", "--out", str(tmp_path / "b.837"))
    assert ClaimBatch.objects.with_scopes_disabled().get().account_ids == [owner_account.pk]
    assert statuses(other_account) == {ClaimStatus.READY}


def test_batch_refusals_change_nothing(owner_account, other_account, biller, tmp_path):
    first, second = clearinghouse(owner_account), clearinghouse(other_account)
    foreign = clearinghouse(make_account("Hillside Clinic", "hillside"))
    ready_claims(owner_account, 1)
    out = str(tmp_path / "b.837")
    refusals = [
        (("--as", "nobody"), "No active username"),
        (("--as", "biller"), "Choose the clearinghouse"),
        (("--as", "biller", "--clearinghouse", str(foreign.pk)), "not an active clearinghouse"),
        (("--as", "biller", "--account", "hillside-clinic", "--clearinghouse", str(first.pk)), "none of the accounts named"),
        (("--as", "biller", "--account", other_account.slug, "--clearinghouse", str(second.pk)), "No claims are ready"),
    ]
    for options, words in refusals:
        with pytest.raises(CommandError, match=words):
            claims("batch", *options, "--out", out)
    with pytest.raises(CommandError, match="Cannot write"):
        claims("batch", "--as", "biller", "--clearinghouse", str(first.pk), "--out", str(tmp_path / "no" / "b.837"))
    assert statuses(owner_account) == {ClaimStatus.READY}
    assert ClaimBatch.objects.with_scopes_disabled().count() == 0
    assert not (tmp_path / "b.837").exists()


def test_a_refusal_exits_nonzero(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["practicegate", "claims", "batch", "--as", "nobody", "--out", str(tmp_path / "b.837")])
    assert exited.value.code != 0
    assert "No active username" in capsys.readouterr().err


def test_ack_finds_its_batch_and_records_the_answers(owner_account, other_account, biller, tmp_path):
    clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    theirs = ready_claims(other_account, 1)[0]
    claims("batch", "--as", "biller", "--out", str(tmp_path / "b.837"))
    batch = ClaimBatch.objects.with_scopes_disabled().get()
    answer = tmp_path / "answer.277"
    answer.write_text(answer_277ca(batch.file_text, rejected={theirs.control_number: ("562", "85")}))
    said = claims("ack", str(answer), "--as", "biller")
    assert f"Recorded the 277CA on batch 1 of {owner_account.slug}: 1 claim accepted, 1 rejected." in said
    assert f"Rejected: claim {theirs.number} of {other_account.slug}" in said
    assert statuses(owner_account) == {ClaimStatus.ACCEPTED} and statuses(other_account) == {ClaimStatus.REJECTED}
    assert AuditEvent.objects.get(action="batch.ack_apply", account=other_account).channel == Channel.CLI


def test_ack_of_a_999_is_matched_by_its_control_number(owner_account, biller, tmp_path):
    clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    claims("batch", "--as", "biller", "--out", str(tmp_path / "b.837"))
    batch = ClaimBatch.objects.with_scopes_disabled().get()
    answer = tmp_path / "answer.999"
    answer.write_text(answer_999(batch.file_text, reject=True))
    assert "1 rejected" in claims("ack", str(answer), "--as", "biller")


def test_ack_refusals_change_nothing(owner_account, other_account, biller, owner, tmp_path):
    clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    ready_claims(other_account, 1)
    claims("batch", "--as", "biller", "--out", str(tmp_path / "b.837"))
    batch = ClaimBatch.objects.with_scopes_disabled().get()
    good, broken, binary = tmp_path / "a.277", tmp_path / "broken.txt", tmp_path / "binary"
    good.write_text(answer_277ca(batch.file_text))
    broken.write_text("hello")
    binary.write_bytes(b"\xff\xfe\x00")
    for options, words in (((str(broken), "--as", "biller"), "Nothing was changed"),
                           ((str(binary), "--as", "biller"), "not a text file"),
                           ((str(tmp_path / "missing"), "--as", "biller"), "Cannot read"),
                           ((str(good), "--as", "sunrise"), "Full Access on Billing")):
        with pytest.raises(CommandError, match=words):
            claims("ack", *options)
    assert statuses(owner_account) == statuses(other_account) == {ClaimStatus.SENT}
    assert not AuditEvent.objects.filter(action__in=["batch.ack_upload", "batch.ack_apply"]).exists()
