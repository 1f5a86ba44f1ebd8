"""Versioned edits: two people edit one row. The second save merges with the first; where both
changed the same field it is refused, shown the first, saves nothing, and offers the choice."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.helpers import login_client, rows_of
from tests.masterfiles.helpers import url

pytestmark = pytest.mark.django_db
MODELS = {"diagnosis": DiagnosisCode, "billing": BillingCode, "payer": InsurancePayer}
CHANGE = {"diagnosis": ("description", "Anxiety, generalized"), "billing": ("description", "Psychotherapy 60"),
          "payer": ("notes", "Claims by paper only")}


def edit_data(client, account, kind, row, **changes) -> dict:
    """What the edit page holds (its initial values and version), with `changes` typed in."""
    form = client.get(url(account, f"{kind}-edit", pk=row.pk)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return {**data, **changes}


@pytest.fixture
def alice_client(member):
    return login_client(member)


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_the_second_of_two_edits_is_refused_and_shown_the_first(owner_client, alice_client, owner_account,
                                                               rows, kind):
    row = rows[kind]
    field, alices_value = CHANGE[kind]
    mine = edit_data(owner_client, owner_account, kind, row, **{field: "My own wording"})
    alices = edit_data(alice_client, owner_account, kind, row, **{field: alices_value})
    assert alice_client.post(url(owner_account, f"{kind}-edit", pk=row.pk), alices).status_code == 302

    response = owner_client.post(url(owner_account, f"{kind}-edit", pk=row.pk), mine)
    assert response.status_code == 409
    row.refresh_from_db()
    assert getattr(row, field) == alices_value and row.version == 2
    html = response.content.decode()
    assert "Not saved: this record changed while you were editing it" in html
    assert "<strong>alice</strong> saved at" in html and alices_value in html
    # The field both changed is a choice, alice's value selected and this user's offered beside
    # it; the form now carries the current version.
    form = response.context["form"]
    assert form[field].value() == alices_value
    assert 'type="radio"' in html and "My own wording" in html
    assert response.context["conflict_fields"] == [form.fields[field].label]
    assert int(form["version"].value()) == 2
    # The refusal is in the log, as a failure that changed nothing, naming the field (not its values).
    [refused] = AuditEvent.objects.filter(action=f"{kind}.update", actor__username="sunrise")
    assert refused.outcome == Outcome.FAILURE
    assert refused.detail == {"conflict": True, "expected_version": 1, "current_version": 2,
                              "fields_both_changed": [field], "fields_kept": []}

    # Choosing this user's value is this user's decision and goes through.
    again = {**mine, "version": "2"}
    assert owner_client.post(url(owner_account, f"{kind}-edit", pk=row.pk), again).status_code == 302
    row.refresh_from_db()
    assert getattr(row, field) == "My own wording" and row.version == 3


def test_the_edit_event_records_fields_before_and_after(owner_client, owner_account, rows):
    row = rows["billing"]
    data = edit_data(owner_client, owner_account, "billing", row, fee="180.00")
    assert owner_client.post(url(owner_account, "billing-edit", pk=row.pk), data).status_code == 302
    event = AuditEvent.objects.get(action="billing.update")
    assert event.detail["version"] == 2
    assert event.detail["changes"] == {"fee": ["170.00", "180.00"]}
    assert event.detail["fields"] == ["fee"]


def test_an_edit_without_a_version_or_with_a_damaged_one_saves_nothing(owner_client, owner_account, rows):
    row = rows["diagnosis"]
    for version in (None, "abc", "0", "99999999999"):
        data = edit_data(owner_client, owner_account, "diagnosis", row, description="Changed")
        if version is None:
            data.pop("version")
        else:
            data["version"] = version
        response = owner_client.post(url(owner_account, "diagnosis-edit", pk=row.pk), data)
        assert response.status_code == 400, version
        assert "reload the page" in response.content.decode()
    row.refresh_from_db()
    assert row.description == "Generalized anxiety disorder" and row.version == 1


def test_a_version_from_the_future_is_a_conflict_not_a_save(owner_client, owner_account, rows):
    row = rows["diagnosis"]
    data = edit_data(owner_client, owner_account, "diagnosis", row, description="Changed", version="7")
    assert owner_client.post(url(owner_account, "diagnosis-edit", pk=row.pk), data).status_code == 409
    row.refresh_from_db()
    assert row.description == "Generalized anxiety disorder"


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_an_edit_form_older_than_a_deactivation_keeps_the_row_inactive(owner_client, alice_client,
                                                                         owner_account, rows, kind):
    row = rows[kind]
    field, value = CHANGE[kind]
    mine = edit_data(owner_client, owner_account, kind, row, **{field: value})
    assert alice_client.post(url(owner_account, f"{kind}-deactivate", pk=row.pk), {"version": "1"}).status_code == 302
    # The edit form changed only `field`, the deactivation only the status: the save merges,
    # and the row stays inactive.
    response = owner_client.post(url(owner_account, f"{kind}-edit", pk=row.pk), mine, follow=True)
    assert response.redirect_chain and "Merged with alice&#x27;s change of" in response.content.decode()
    row.refresh_from_db()
    assert row.active is False and row.version == 3 and getattr(row, field) == value


def test_a_stale_deactivate_is_refused_with_who_changed_it(owner_client, alice_client, owner_account, rows):
    row = rows["payer"]
    alices = edit_data(alice_client, owner_account, "payer", row, notes="Call first")
    assert alice_client.post(url(owner_account, "payer-edit", pk=row.pk), alices).status_code == 302
    response = owner_client.post(url(owner_account, "payer-deactivate", pk=row.pk), {"version": "1"}, follow=True)
    row.refresh_from_db()
    assert row.active is True and row.version == 2
    page = response.content.decode()
    assert "Not deactivated" in page and "alice" in page
    refused = AuditEvent.objects.get(action="payer.deactivate")
    assert refused.outcome == Outcome.FAILURE and refused.detail["conflict"] is True
    # Reactivating a row that is already active changes nothing, whatever the version.
    assert owner_client.post(url(owner_account, "payer-reactivate", pk=row.pk), {"version": "1"}).status_code == 302
    row.refresh_from_db()
    assert row.version == 2


def test_the_edit_page_carries_the_version_in_every_form(owner_client, owner_account, rows):
    row = rows["diagnosis"]
    html = owner_client.get(url(owner_account, "diagnosis-edit", pk=row.pk)).content.decode()
    assert html.count('name="version" value="1"') == 3  # the edit form, deactivate and delete


def test_a_stale_delete_is_refused_and_the_row_stays(owner_client, alice_client, owner_account, rows):
    row = rows["billing"]
    alices = edit_data(alice_client, owner_account, "billing", row, fee="99.00")
    assert alice_client.post(url(owner_account, "billing-edit", pk=row.pk), alices).status_code == 302
    response = owner_client.post(url(owner_account, "billing-delete", pk=row.pk), {"version": "1"}, follow=True)
    assert "Not deleted" in response.content.decode() and "alice" in response.content.decode()
    assert rows_of(BillingCode, owner_account).filter(pk=row.pk, fee="99.00").exists()
    refused = AuditEvent.objects.get(action="billing.delete")
    assert refused.outcome == Outcome.FAILURE and refused.detail["current_version"] == 2
    for version in ("", "x"):
        response = owner_client.post(url(owner_account, "billing-delete", pk=row.pk), {"version": version},
                                     follow=True)
        assert "reload the page" in response.content.decode()
    assert rows_of(BillingCode, owner_account).filter(pk=row.pk).exists()
    assert owner_client.post(url(owner_account, "billing-delete", pk=row.pk), {"version": "2"}).status_code == 302
    assert not rows_of(BillingCode, owner_account).filter(pk=row.pk).exists()
