"""`practicegate codes copy`: same rule, logged with channel cli, dry run, progress."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level
from practicegate.masterfiles import copy_cli
from practicegate.masterfiles.models import DiagnosisCode, InsurancePayer
from tests.helpers import rows_everywhere, rows_of
from tests.masterfiles.copy.helpers import levels, seed


def run(**overrides):
    options = {"from_account": "north", "to": ["south"], "files": "diagnosis,billing,payers",
               "replace_different": False, "dry_run": False, "as_username": "master", **overrides}
    out, err = io.StringIO(), io.StringIO()
    copy_cli.run(options, stdout=out, stderr=err)
    return out.getvalue()


def test_it_copies_and_shows_progress(master, accounts, filled):
    out = run(to=["south", "east"])
    assert "south: copying diagnosis codes…" in out and "east: insurance payers done in" in out
    assert "Copied into east:" in out
    for slug in ("south", "east"):
        assert rows_of(DiagnosisCode, accounts[slug]).count() == 3
        event = AuditEvent.objects.get(account=accounts[slug], action="codes.copy")
        assert (event.channel, event.actor_id, event.request_id) == ("cli", master.pk, "")


def test_username_is_matched_case_insensitively(master, accounts, filled):
    run(as_username="MASTER", files="payers")
    assert rows_of(InsurancePayer, accounts["south"]).count() == 2


def test_dry_run_changes_nothing(master, accounts, filled):
    seed(accounts["south"], diagnosis=[{"code": "F411", "description": "Ours"}])
    out = run(dry_run=True)
    assert "Dry run" in out
    assert "Diagnosis codes           2 to add         0 identical         1 different" in out
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 1
    assert not AuditEvent.objects.filter(action="codes.copy").exists()


def test_replace_different(master, accounts, filled):
    seed(accounts["south"], diagnosis=[{"code": "F411", "description": "Ours"}])
    out = run(replace_different=True, files="diagnosis")
    assert "1 replaced" in out
    assert rows_of(DiagnosisCode, accounts["south"]).get(code="F411").description != "Ours"


@pytest.mark.parametrize("overrides,message", [
    ({"as_username": "nobody"}, "No active username"),
    ({"files": "diagnosis,clients"}, "Unknown file"),
    ({"files": ""}, "at least one file"),
    ({"to": ["north"]}, "cannot also be"),
    ({"to": ["lakeside"]}, "has not joined"),
])
def test_it_refuses_with_a_message(master, accounts, filled, overrides, message):
    with pytest.raises(CommandError, match=message):
        run(**overrides)
    assert rows_everywhere(DiagnosisCode).exclude(account=filled).count() == 0


def test_it_applies_the_usernames_levels_and_logs_the_refusal(master, accounts, filled):
    m = master.memberships.get(account=accounts["south"])
    m.levels = levels(payers=int(Level.VIEW))
    m.save()
    with pytest.raises(CommandError, match="Full Access"):
        run()
    assert rows_of(InsurancePayer, accounts["south"]).count() == 0
    denied = AuditEvent.objects.get(account=accounts["south"], action="codes.copy", outcome="denied")
    assert denied.channel == "cli"


def test_an_inactive_username_cannot_copy(master, accounts, filled):
    master.is_active = False
    master.save()
    with pytest.raises(CommandError, match="No active username"):
        run()


def test_the_codes_copy_command_runs_it(master, accounts, filled):
    out = io.StringIO()
    call_command("codes", "copy", "--from", "north", "--to", "south", "--to", "east", "--files", "diagnosis",
                 "--as", "master", stdout=out)
    assert "Copied into east:" in out.getvalue()
    assert rows_of(DiagnosisCode, accounts["east"]).count() == 3
    assert rows_of(InsurancePayer, accounts["east"]).count() == 0
    with pytest.raises(CommandError, match="has not joined"):
        call_command("codes", "copy", "--from", "north", "--to", "lakeside", "--files", "diagnosis",
                     "--as", "master", "--dry-run", stdout=io.StringIO())
