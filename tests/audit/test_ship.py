"""`practicegate audit ship`: JSON lines with chain positions, resumable, no duplicate, no gap."""

from __future__ import annotations

import hashlib
import json

import orjson
import pytest
from django.core.management import CommandError, call_command

from practicegate.audit.models import AuditEvent
from tests.audit.helpers import Tamper, append, bare_account, chain_of, raw

pytestmark = pytest.mark.django_db


def ship(*args) -> None:
    call_command("audit", "ship", "--format", "jsonl", *args)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_continuity(received: list[dict]) -> dict[str, int]:
    """What a receiver checks: per chain, seq follows seq, each line links to the previous
    line's hash, and the hash re-computes from the event. Returns the last seq per chain."""
    last: dict[str, tuple[int, str]] = {}
    for line in received:
        seq, prev = last.get(line["chain"], (0, "0" * 64))
        assert line["seq"] == seq + 1 == line["event"]["seq"], f"{line['chain']}: {seq} then {line['seq']}"
        assert line["prev_hash"] == prev
        payload = orjson.dumps(line["event"], option=orjson.OPT_SORT_KEYS)
        assert hashlib.sha256(prev.encode() + payload).hexdigest() == line["hash"]
        last[line["chain"]] = (line["seq"], line["hash"])
    return {chain: seq for chain, (seq, _) in last.items()}


def test_ship_append_ship_again_no_duplicate_no_gap(tmp_path):
    a, b = bare_account(), bare_account()
    append(a, 4)
    append(b, 2)
    out, state = tmp_path / "siem.jsonl", tmp_path / "ship-state.json"
    ship("--state", str(state), "--output", str(out))
    first = lines(out)
    assert {(x["chain"], x["seq"]) for x in first} >= {(a.slug, 4), (b.slug, 2)}

    append(a, 3)
    append(b, 1)
    ship("--state", str(state), "--output", str(out))
    received = lines(out)
    ends = check_continuity(received)
    assert ends[a.slug] == chain_of(a).seq == 7 and ends[b.slug] == chain_of(b).seq == 3
    pairs = [(x["chain"], x["seq"]) for x in received]
    assert len(pairs) == len(set(pairs))  # no event shipped twice
    # Every event of every chain arrived, including the system chain's note of the first run.
    assert len(received) == AuditEvent.objects.count() - 1  # the second run's own note waits for the next
    assert AuditEvent.objects.filter(account=None, action="audit.ship").count() == 2

    ship("--state", str(state), "--output", str(out))  # nothing new but the last note
    assert len(lines(out)) == len(received) + 1
    check_continuity(lines(out))


def test_since_ships_one_account_after_a_sequence_number(tmp_path, capsysbinary):
    account = bare_account()
    append(account, 6)
    ship("--account", account.slug, "--since", "4")
    shipped = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert [(x["chain"], x["seq"]) for x in shipped] == [(account.slug, 5), (account.slug, 6)]
    stored = AuditEvent.objects.get(account=account, seq=6)
    assert shipped[-1]["hash"] == stored.hash and shipped[-1]["prev_hash"] == stored.prev_hash
    assert shipped[-1]["event"]["detail"] == stored.detail


def test_a_chain_rewritten_after_shipping_is_refused(tmp_path):
    from practicegate.audit import chain as chainlib
    account = bare_account()
    append(account, 3)
    out, state = tmp_path / "out.jsonl", tmp_path / "state.json"
    ship("--account", account.slug, "--state", str(state), "--output", str(out))
    append(account, 2)
    with Tamper(chain_of(account)):  # re-hash event 3 onwards, as a forger who dropped the triggers would
        prev = AuditEvent.objects.get(account=account, seq=2).hash
        for event in AuditEvent.objects.filter(account=account, seq__gte=3).order_by("seq"):
            event.actor_username = "mallory"
            digest = chainlib.link(prev, chainlib.canonical(chainlib.fields_of(event)))
            raw("UPDATE audit_auditevent SET actor_username = 'mallory', prev_hash = %s, hash = %s "
                "WHERE id = %s", [prev, digest, event.pk])
            prev = digest
    with pytest.raises(CommandError, match="changed after it was shipped"):
        ship("--account", account.slug, "--state", str(state), "--output", str(out))
    assert len(lines(out)) == 3  # nothing of the rewritten history went out


def test_a_broken_state_file_is_a_clear_error(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("not json")
    with pytest.raises(CommandError, match="not a ship state file"):
        ship("--state", str(state))
