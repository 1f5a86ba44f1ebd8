"""ICD-10-CM import from the official code set: presets, re-runs, page, command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from practicegate.audit.models import AuditEvent
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import icd10, selectors, services
from practicegate.masterfiles.kinds import KINDS
from practicegate.masterfiles.models import DiagnosisCode
from tests.helpers import rows_everywhere, rows_of
from tests.masterfiles.helpers import url
from tests.masterfiles.plans import explain, page_query

pytestmark = pytest.mark.django_db
DIAG = KINDS["diagnosis_codes"]


def test_the_code_set_holds_only_billable_codes():
    codes = dict(icd10.billable_codes())
    assert 74_000 < len(codes) < 76_000
    assert codes["F411"] == "Generalized anxiety disorder"
    assert "F41" not in codes  # a header category is not billable
    assert "F01-F09" not in codes  # nor a block
    assert all(len(c) >= 3 and "." not in c for c in codes)


def test_presets():
    mental = icd10.preset_codes("mental")
    both = icd10.preset_codes("mental-and-z")
    assert {c[0] for c, _ in mental} == {"F"}
    assert {c[0] for c, _ in both} == {"F", "Z"}
    assert 800 < len(mental) < len(both) < 3000


def test_import_adds_what_is_missing_and_changes_nothing_else(owner_scope, owner_account, owner):
    DiagnosisCode.objects.create(account=owner_account, code="F411", description="My wording", active=False)
    first = services.icd10_import(actor=owner, account=owner_account, preset="mental")
    assert first["added"] == first["offered"] - 1 and first["existing"] == 1
    kept = rows_of(DiagnosisCode, owner_account).get(code="F411")
    assert (kept.description, kept.active) == ("My wording", False)
    snapshot = list(rows_of(DiagnosisCode, owner_account).order_by("pk").values())
    again = services.icd10_import(actor=owner, account=owner_account, preset="mental")
    assert again["added"] == 0
    assert list(rows_of(DiagnosisCode, owner_account).order_by("pk").values()) == snapshot
    events = AuditEvent.objects.filter(account=owner_account, action="diagnosis.import_icd10")
    assert [e.detail["added"] for e in events.order_by("seq")] == [first["added"], 0]


def test_import_touches_only_its_account(owner_account, other_account, owner):
    with account_scope(owner_account):
        services.icd10_import(actor=owner, account=owner_account, preset="mental")
    assert rows_of(DiagnosisCode, owner_account).exists()
    assert not rows_of(DiagnosisCode, other_account).exists()


def test_import_from_the_page(owner_client, owner_account):
    response = owner_client.post(url(owner_account, "diagnosis-icd10"), {"preset": "mental"}, follow=True)
    assert b"ICD-10-CM codes" in response.content
    assert rows_of(DiagnosisCode, owner_account).filter(code="F411").exists()


@pytest.mark.parametrize("preset", ["", "everything", "x" * 1000, "mental\x00"])
def test_the_page_refuses_unknown_presets(owner_client, owner_account, preset):
    response = owner_client.post(url(owner_account, "diagnosis-icd10"), {"preset": preset})
    assert response.status_code == 400
    assert not rows_everywhere(DiagnosisCode).exists()


def test_command_line_import_is_logged_on_the_cli_channel(owner_account, owner):
    out = io.StringIO()
    call_command("codes", "import-icd10", "--account", owner_account.slug, "--preset", "mental",
                 "--as", owner.username, stdout=out)
    assert "added" in out.getvalue()
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import_icd10")
    assert (event.channel, event.actor, event.detail["preset"]) == ("cli", owner, "mental")


def test_command_line_import_without_a_username(owner_account):
    call_command("codes", "import-icd10", "--account", owner_account.slug, "--preset", "mental",
                 stdout=io.StringIO())
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import_icd10")
    assert event.actor is None and event.channel == "cli"


@pytest.mark.parametrize("args, message", [
    (["--account", "nope", "--preset", "mental"], "No account"),
    (["--account", "ACCOUNT", "--preset", "mental", "--as", "nobody"], "No username"),
    (["--account", "ACCOUNT", "--preset", "mental", "--as", "lakeside"], "not a username"),
])
def test_command_line_refusals(owner_account, other_account, args, message):
    args = [a.replace("ACCOUNT", owner_account.slug) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("codes", "import-icd10", *args, stdout=io.StringIO())
    assert not rows_everywhere(DiagnosisCode).exists()


def test_command_line_rejects_an_unknown_preset(owner_account):
    with pytest.raises(CommandError):
        call_command("codes", "import-icd10", "--account", owner_account.slug, "--preset", "some",
                     stdout=io.StringIO())


@pytest.mark.slow
def test_all_billable_codes_go_in_and_pages_stay_indexed(owner_scope, owner_account, owner,
                                                                        other_account):
    # Its speed is measured by make bench (bench/bench_masterfiles.py), never timed here.
    counts = services.icd10_import(actor=owner, account=owner_account, preset="all")
    assert counts["added"] == counts["offered"] > 74_000
    assert rows_of(DiagnosisCode, owner_account).count() == counts["offered"]
    with account_scope(other_account):
        services.icd10_import(actor=owner, account=other_account, preset="mental")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # The last page and a word search, with 74,000 rows, through the real selectors.
    page = selectors.masterfile_page(owner_account, DIAG, query="Z99.8")
    assert [r.code for r in page.rows] == ["Z9981", "Z9989"]
    words = selectors.masterfile_page(owner_account, DIAG, query="cholera vibrio")
    assert [r.code for r in words.rows] == ["A000", "A001"]
    deep = selectors.masterfile_page(owner_account, DIAG, after=rows_of(DiagnosisCode, owner_account).get(
        code="Z9989").pk)
    assert len(deep.rows) < 50 and deep.after is None

    list_plan = explain(page_query(owner_account, DIAG, ""))
    code_plan = explain(page_query(owner_account, DIAG, "F41"))
    word_plan = explain(selectors.search(owner_account, DIAG, "cholera"))
    if connection.vendor == "sqlite":
        for plan in (list_plan, code_plan):
            assert "INDEX" in plan and "TEMP B-TREE" not in plan, plan
        assert "SCAN masterfiles_diagnosiscode" not in word_plan, word_plan
    else:
        assert "diagnosis_code_unique" in list_plan and "Seq Scan" not in list_plan, list_plan
        assert "diagnosis_code_unique" in code_plan and "Seq Scan" not in code_plan, code_plan
        assert "diagnosis_description_trgm" in word_plan, word_plan
