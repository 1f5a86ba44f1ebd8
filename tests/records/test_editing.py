"""Versioned editing is one mechanism: every section's stale save that both changed is refused,
logged and shown alike."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import Http404
from django.urls import resolve

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.clients import views as client_views
from practicegate.clients import views_lines
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import views as masterfile_views
from practicegate.masterfiles.models import DiagnosisCode
from practicegate.records import views as record_views
from practicegate.records.editing import Edit, FieldChange, edits_since, values_at
from tests.clients.helpers import client_data, make_client, url
from tests.helpers import login_client
from tests.masterfiles.helpers import add_diagnosis

pytestmark = pytest.mark.django_db


def _stale_masterfile_save(owner_account, alice, bob):
    row = add_diagnosis(owner_account)
    edit = f"/a/{owner_account.slug}/diagnosis-codes/{row.pk}/"
    loaded = {"code": row.display_code, "description": row.description, "version": "1"}
    assert alice.post(edit, {**loaded, "description": "Anxiety, generalized"}).status_code == 302
    return row, bob.post(edit, {**loaded, "description": "My wording"})


def _stale_client_save(owner_account, owner, alice, bob):
    client = make_client(owner_account, owner)
    edit = url(owner_account, "edit", number=client.number)
    assert alice.post(edit, client_data(last_name="Alvarez", version="1")).status_code == 302
    # Both changed the last name (a field only one of them changed would merge): refused.
    return client, bob.post(edit, client_data(last_name="Bauer", city="Salem", version="1"))


def test_a_stale_save_of_a_master_file_and_of_a_client_show_the_same_conflict(owner_account, owner, member):
    alice, bob = login_client(owner), login_client(member)
    _, mf = _stale_masterfile_save(owner_account, alice, bob)
    _, cl = _stale_client_save(owner_account, owner, alice, bob)
    assert mf.status_code == cl.status_code == 409
    shown = {}
    for name, response in (("masterfile", mf), ("client", cl)):
        assert response.context["conflict"] is True
        [edit] = response.context["conflict_edits"]
        assert type(edit) is Edit and all(type(c) is FieldChange for c in edit.changes)
        assert edit.who == "sunrise" and edit.at is not None and edit.version == 2
        shown[name] = edit
        assert int(response.context["form"]["version"].value()) == 2
        html = response.content.decode()
        assert '<section class="conflict" role="alert"' in html and "<strong>sunrise</strong> saved at" in html
    # Fields are named by the labels of the form beside the box, with the values before and after.
    assert [(c.label, c.old, c.new) for c in shown["masterfile"].changes] == [
        ("Description", "Generalized anxiety disorder", "Anxiety, generalized")]
    assert [(c.label, c.new) for c in shown["client"].changes] == [("Last name", "Alvarez")]
    # Both refusals are logged by the one refusal service, with the same detail keys.
    refused = AuditEvent.objects.filter(account=owner_account, outcome=Outcome.FAILURE, actor=member)
    assert sorted(e.action for e in refused) == ["client.update", "diagnosis.update"]
    assert all({"conflict", "expected_version", "current_version"} <= set(e.detail) for e in refused)


def test_the_history_gives_back_the_values_a_stale_form_was_loaded_with(owner_account, owner, member):
    alice, bob = login_client(owner), login_client(member)
    row, _ = _stale_masterfile_save(owner_account, alice, bob)
    client, _ = _stale_client_save(owner_account, owner, alice, bob)
    loaded_name = client.last_name
    with account_scope(owner_account):
        row = DiagnosisCode.objects.get(pk=row.pk)
        client.refresh_from_db()
        assert values_at(owner_account, row, version=1) == {"description": "Generalized anxiety disorder"}
        assert client.last_name == "Alvarez"
        assert values_at(owner_account, client, version=1) == {"last_name": loaded_name}
        assert values_at(owner_account, client, version=2) == {}
        assert [e.version for e in edits_since(owner_account, client, version=1)] == [2]


@pytest.mark.parametrize("view", [
    masterfile_views.list_view, masterfile_views.edit_view, record_views.import_confirm,
    client_views.client_edit, views_lines.line_edit, views_lines.line_void,
])
def test_views_are_module_level_functions(view):
    assert "<locals>" not in view.__qualname__ and view.__module__.startswith("practicegate.")


def test_each_route_declares_its_kind_and_section():
    match = resolve("/a/x/payers/3/")
    assert match.func.pg_section == "payers" and match.kwargs["kind"] == "payers"
    assert "<locals>" not in match.func.__qualname__
    match = resolve("/a/x/clients/3/insurance/4/end/")
    assert match.func is views_lines.line_end and match.kwargs["kind"] == "policy"


def test_an_unknown_kind_or_one_outside_the_routes_section_is_a_404():
    on_payers = SimpleNamespace(section="payers")
    assert masterfile_views._kind(on_payers, "payers").key == "payer"
    for key in ("nope", "payer", "diagnosis_codes"):  # a payers route never serves another kind's rows
        with pytest.raises(Http404):
            masterfile_views._kind(on_payers, key)
    for key, verb in (("nope", ""), ("service", "end")):  # services are voided, never ended
        with pytest.raises(Http404):
            views_lines._line_kind(key, verb=verb)
