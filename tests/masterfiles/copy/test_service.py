"""The copy service: what it adds, keeps, replaces and logs, and whom it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.masterfiles.copy import CopyRefused, codes_copy, copy_plan, copy_preview
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.helpers import make_account, rows_of
from tests.masterfiles.copy.helpers import SOURCE_DIAGNOSIS, levels, seed

ALL = ["diagnosis", "billing", "payers"]


def rows(model, account, *fields):
    return sorted(rows_of(model, account).values_list(*fields))


def copy(master, to=("south",), files=ALL, **kw):
    return codes_copy(actor=master, source_slug="north", destination_slugs=list(to), files=files, **kw)


def events(account, outcome="success"):
    return list(AuditEvent.objects.filter(account=account, action="codes.copy", outcome=outcome).order_by("seq"))


def test_it_copies_every_file_into_an_empty_account(master, accounts, filled):
    [result] = copy(master)
    south = accounts["south"]
    fields = ("code", "description", "active")
    assert rows(DiagnosisCode, south, *fields) == rows(DiagnosisCode, filled, *fields)
    assert ("F4310", False) in rows(DiagnosisCode, south, "code", "active")  # inactive stays inactive
    bfields = ("code", "description", "modifier1", "fee", "units", "active")
    assert rows(BillingCode, south, *bfields) == rows(BillingCode, filled, *bfields)
    pfields = ("name", "payer_id", "city", "state", "phone", "active")
    assert rows(InsurancePayer, south, *pfields) == rows(InsurancePayer, filled, *pfields)
    assert [(f.key, f.added, f.identical, f.different) for f in result.files] == [
        ("diagnosis", 3, 0, 0), ("billing", 2, 0, 0), ("payers", 2, 0, 0)]
    # The source keeps its rows.
    assert rows_of(DiagnosisCode, filled).count() == 3


def test_it_logs_the_counts_in_the_destination_and_the_source(master, accounts, filled):
    copy(master)
    [dest_event] = events(accounts["south"])
    [src_event] = events(filled)
    assert dest_event.detail["role"] == "destination" and src_event.detail["role"] == "source"
    assert dest_event.detail["files"]["diagnosis"] == {"added": 3, "identical": 0, "different": 0, "replaced": 0}
    assert src_event.detail["files"] == dest_event.detail["files"]
    assert dest_event.actor_id == master.pk and dest_event.channel == "cli"
    assert dest_event.target_id == str(filled.pk) and src_event.target_id == str(accounts["south"].pk)
    assert events(accounts["east"]) == []


def test_copying_again_adds_nothing(master, accounts, filled):
    copy(master)
    [result] = copy(master)
    assert [(f.added, f.identical, f.different) for f in result.files] == [(0, 3, 0), (0, 2, 0), (0, 2, 0)]
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 3
    assert rows_of(InsurancePayer, accounts["south"]).count() == 2


def _differing_destination(south):
    seed(south,
         diagnosis=[{"code": "F411", "description": "Anxiety (our wording)"}, {"code": "Z634", "description": "Ours"}],
         billing=[{"code": "90837", "description": "Psychotherapy, 60 minutes", "fee": Decimal("175.00")}],
         payers=[{"name": "Aetna Health", "payer_id": "60054"},
                 {"name": "County Mental Health Fund", "payer_id": "", "phone": "555-0100"}])


def test_replacing_bumps_the_version_so_an_open_edit_form_is_refused(master, accounts, filled):
    south = accounts["south"]
    _differing_destination(south)
    copy(master, replace_different=True)
    versions = dict(rows_of(DiagnosisCode, south).values_list("code", "version"))
    assert versions["F411"] == 2 and versions["Z634"] == 1  # replaced, untouched
    assert set(versions.values()) <= {1, 2} and list(versions.values()).count(1) == len(versions) - 1
    assert rows_of(BillingCode, south).get(code="90837").version == 2
    assert rows_of(InsurancePayer, south).get(name="Aetna").version == 2


def test_differences_keep_the_destinations_rows_by_default(master, accounts, filled):
    south = accounts["south"]
    _differing_destination(south)
    [result] = copy(master)
    counts = {f.key: (f.added, f.identical, f.different, f.replaced) for f in result.files}
    assert counts == {"diagnosis": (2, 0, 1, 0), "billing": (1, 0, 1, 0), "payers": (0, 1, 1, 0)}
    assert rows_of(DiagnosisCode, south).get(code="F411").description == "Anxiety (our wording)"
    assert rows_of(BillingCode, south).get(code="90837").fee == Decimal("175.00")
    assert rows_of(DiagnosisCode, south).count() == 4  # Z634 untouched, two added


def test_replace_different_takes_the_sources_rows(master, accounts, filled):
    south = accounts["south"]
    _differing_destination(south)
    [result] = copy(master, replace_different=True)
    assert {f.key: f.replaced for f in result.files} == {"diagnosis": 1, "billing": 1, "payers": 1}
    assert rows_of(DiagnosisCode, south).get(code="F411").description == "Generalized anxiety disorder"
    assert rows_of(BillingCode, south).get(code="90837").fee == Decimal("150.00")
    aetna = rows_of(InsurancePayer, south).get(payer_id="60054")
    assert (aetna.name, aetna.city) == ("Aetna", "Hartford")
    assert rows_of(DiagnosisCode, south).get(code="Z634").description == "Ours"
    [event] = events(south)
    assert event.detail["files"]["payers"]["replaced"] == 1 and event.detail["replace_different"] is True
    # Everything matches now.
    [again] = copy(master)
    assert all(f.different == 0 and f.added == 0 for f in again.files)


def test_payers_match_by_payer_id_or_by_name_when_there_is_none(master, accounts, filled):
    south = accounts["south"]
    # Same name but a payer ID: not the source's ID-less payer. Same ID, other name: the same payer.
    seed(south, payers=[{"name": "County Mental Health Fund", "payer_id": "CMHF1"},
                        {"name": "Aetna Inc", "payer_id": "60054"}])
    [result] = copy(master, files=["payers"])
    assert (result.files[0].added, result.files[0].different) == (1, 1)
    assert rows(InsurancePayer, south, "name", "payer_id") == [
        ("Aetna Inc", "60054"), ("County Mental Health Fund", ""), ("County Mental Health Fund", "CMHF1")]


def test_preview_counts_what_copy_will_do_and_changes_nothing(master, accounts, filled):
    south = accounts["south"]
    _differing_destination(south)
    before = AuditEvent.objects.count()
    plan = copy_plan(actor=master, source_slug="north", destination_slugs=["south", "east"], files=ALL)
    preview = copy_preview(plan)
    assert AuditEvent.objects.count() == before
    assert rows_of(DiagnosisCode, south).count() == 2
    south_preview, east_preview = preview
    assert [(f.added, f.identical, f.different) for f in south_preview.files] == [(2, 0, 1), (1, 0, 1), (0, 1, 1)]
    assert [(f.added, f.identical, f.different) for f in east_preview.files] == [(3, 0, 0), (2, 0, 0), (2, 0, 0)]
    example = south_preview.files[0].examples[0]
    assert example["source"][:2] == ("F411", "Generalized anxiety disorder")
    assert example["destination"][:2] == ("F411", "Anxiety (our wording)")
    results = copy(master, to=["south", "east"])
    assert [[(f.added, f.identical, f.different) for f in r.files] for r in results] == [
        [(f.added, f.identical, f.different) for f in p.files] for p in preview]


def test_only_the_chosen_files_are_copied(master, accounts, filled):
    copy(master, files=["billing"])
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0
    assert rows_of(InsurancePayer, accounts["south"]).count() == 0
    assert rows_of(BillingCode, accounts["south"]).count() == 2


def _set_levels(user, account, **section_levels):
    m = user.memberships.get(account=account)
    m.levels = levels(**{k: int(v) for k, v in section_levels.items()})
    m.save()


@pytest.mark.parametrize("where,section,level", [
    ("north", "diagnosis_codes", Level.NONE),
    ("south", "diagnosis_codes", Level.VIEW),
    ("south", "payers", Level.NONE),
])
def test_it_refuses_without_the_level_and_logs_it(master, accounts, filled, where, section, level):
    _set_levels(master, accounts[where], **{section: level})
    with pytest.raises(CopyRefused) as refused:
        copy(master, to=["east", "south"])
    assert accounts[where].name in str(refused.value)
    for account in accounts.values():
        if account != filled:
            assert rows_of(DiagnosisCode, account).count() == 0  # east was not copied either
        assert events(account) == []
    [denied] = events(accounts[where], "denied")
    assert denied.actor_id == master.pk and denied.detail["reason"] == "level"


def test_view_only_on_the_source_is_enough(master, accounts, filled):
    _set_levels(master, filled, diagnosis_codes=Level.VIEW, billing_codes=Level.VIEW, payers=Level.VIEW)
    copy(master)
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 3


@pytest.mark.parametrize("source,dest", [("north", "elsewhere"), ("elsewhere", "south"), ("nope", "south")])
def test_it_refuses_accounts_the_username_has_not_joined(master, accounts, filled, source, dest):
    elsewhere = make_account("Elsewhere", "elseowner")
    elsewhere.slug = "elsewhere"
    elsewhere.save()
    seed(elsewhere, diagnosis=SOURCE_DIAGNOSIS)
    with pytest.raises(CopyRefused, match="has not joined"):
        codes_copy(actor=master, source_slug=source, destination_slugs=[dest], files=ALL,
                   log_account=accounts["south"])
    assert rows_of(DiagnosisCode, elsewhere).count() == 3
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0
    assert events(elsewhere, "denied") == []  # its log is not the actor's to write
    [denied] = events(accounts["south"], "denied")
    assert denied.detail["reason"] == "not_joined"


def test_privileges_are_checked_again_when_copying(master, accounts, filled):
    plan = copy_plan(actor=master, source_slug="north", destination_slugs=["south"], files=ALL)
    assert plan.destinations == [accounts["south"]]
    _set_levels(master, accounts["south"], billing_codes=Level.VIEW)
    with pytest.raises(CopyRefused):
        copy(master)
    assert rows_of(BillingCode, accounts["south"]).count() == 0


def test_a_destination_whose_privileges_vanish_mid_run_is_left_untouched(master, accounts, filled):
    def narrow_east(dest_slug, file_key, stage):
        # While south is being copied, east's owner narrows the master username.
        if dest_slug == "south" and stage == "done" and file_key == "payers":
            _set_levels(master, accounts["east"], diagnosis_codes=Level.VIEW)

    south, east = copy(master, to=["south", "east"], progress=narrow_east)
    assert not south.refused and east.refused
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 3
    assert rows_of(DiagnosisCode, accounts["east"]).count() == 0
    assert events(accounts["east"], "denied")[0].detail["reason"] == "changed"


def test_a_failure_mid_copy_leaves_the_destination_as_it_was(master, accounts, filled):
    south = accounts["south"]
    seed(south, diagnosis=[{"code": "F411", "description": "Ours"}])

    def fail_after_diagnosis(dest_slug, file_key, stage):
        if file_key == "diagnosis" and stage == "done":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        copy(master, replace_different=True, progress=fail_after_diagnosis)
    assert rows(DiagnosisCode, south, "code", "description") == [("F411", "Ours")]
    assert events(south) == [] and events(filled) == []


@pytest.mark.parametrize("kwargs,message", [
    ({"destination_slugs": ["north"]}, "cannot also be"),
    ({"destination_slugs": []}, "at least one account"),
    ({"files": ["diagnosis", "clients"]}, "Unknown file"),
    ({"files": []}, "at least one file"),
    ({"destination_slugs": [f"a{i}" for i in range(51)]}, "at most 50"),
])
def test_it_refuses_malformed_requests(master, filled, kwargs, message):
    args = {"actor": master, "source_slug": "north", "destination_slugs": ["south"], "files": ALL, **kwargs}
    with pytest.raises(ServiceError, match=message):
        codes_copy(**args)


def test_replace_takes_the_oldest_source_twin_for_payers_without_an_id(master, accounts, filled):
    south = accounts["south"]
    seed(filled, payers=[{"name": "County Mental Health Fund", "payer_id": "", "phone": "555-0199"}])
    seed(south, payers=[{"name": "County Mental Health Fund", "payer_id": "", "phone": "555-0000"}])
    [result] = copy(master, files=["payers"], replace_different=True)
    assert result.files[0].replaced == 1
    assert rows(InsurancePayer, south, "name", "phone") == [("Aetna", ""), ("County Mental Health Fund", "555-0100")]
