"""Add, edit, deactivate, reactivate and delete through the pages, each with its event."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.helpers import rows_everywhere, rows_of
from tests.masterfiles.helpers import add_diagnosis, url

pytestmark = pytest.mark.django_db

GOOD = {
    "diagnosis": {"code": "f41.1", "description": "Generalized anxiety disorder"},
    "billing": {"code": "90837", "description": "Therapy, 60 minutes", "modifier1": "95",
                "modifier2": "", "modifier3": "", "modifier4": "", "fee": "170.00", "units": "1"},
    "payer": {"name": "Blue Harbor Health", "payer_id": "bhh01", "address": "1 Main St",
              "city": "Albany", "state": "ny", "zip_code": "12207", "phone": "(518) 555-0140",
              "payer_type": "commercial", "notes": "Claims by EDI\nonly"},
}
MODELS = {"diagnosis": DiagnosisCode, "billing": BillingCode, "payer": InsurancePayer}


def events(account, action):
    return AuditEvent.objects.filter(account=account, action=action)


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_add_stores_the_normalised_row_and_logs_it(owner_client, owner_account, owner, kind):
    response = owner_client.post(url(owner_account, f"{kind}-add"), GOOD[kind])
    assert response.status_code == 302
    row = rows_of(MODELS[kind], owner_account).get()
    event = events(owner_account, f"{kind}.add").get()
    assert event.actor == owner and event.target_id == str(row.pk)
    assert "fields" in event.detail
    if kind == "diagnosis":
        assert row.code == "F411" and row.display_code == "F41.1"
    if kind == "payer":
        assert (row.payer_id, row.state, row.phone) == ("BHH01", "NY", "+15185550140")
        assert row.notes == "Claims by EDI\nonly"


def test_list_shows_the_code_with_its_dot(owner_client, owner_account, rows):
    page = owner_client.get(url(owner_account, "diagnosis-list")).content.decode()
    assert "F41.1" in page and "Generalized anxiety disorder" in page


@pytest.mark.parametrize("kind, field, value", [
    ("diagnosis", "code", ""), ("diagnosis", "code", "F4"), ("diagnosis", "code", "X" * 300),
    ("diagnosis", "description", ""), ("diagnosis", "description", "d" * 256),
    ("diagnosis", "description", "bad\u202etext"), ("diagnosis", "description", "nul\x00"),
    ("billing", "code", "9083"), ("billing", "code", "ABCDE"), ("billing", "fee", "-5"),
    ("billing", "fee", "1000000"), ("billing", "fee", "ten"), ("billing", "units", "0"),
    ("billing", "units", "1000"), ("billing", "units", "x"), ("billing", "modifier2", "GTX"),
    ("billing", "description", "\u200b"),
    ("payer", "name", ""), ("payer", "name", "n" * 121), ("payer", "state", "XX"),
    ("payer", "zip_code", "1234"), ("payer", "phone", "12"), ("payer", "payer_type", "vip"),
    ("payer", "payer_id", "has space"), ("payer", "notes", "n" * 2001),
    ("payer", "city", "zero\u200bwidth"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(owner_client, owner_account,
                                                                kind, field, value):
    data = dict(GOOD[kind], **{field: value})
    response = owner_client.post(url(owner_account, f"{kind}-add"), data)
    assert response.status_code == 400
    assert b'class="error"' in response.content
    assert not rows_of(MODELS[kind], owner_account).exists()
    assert not events(owner_account, f"{kind}.add").exists()


def test_the_same_modifier_twice_is_refused(owner_client, owner_account):
    data = dict(GOOD["billing"], modifier1="95", modifier2="95")
    assert owner_client.post(url(owner_account, "billing-add"), data).status_code == 400


def test_modifiers_fill_from_the_first_slot(owner_client, owner_account):
    data = dict(GOOD["billing"], modifier1="", modifier3="GT")
    owner_client.post(url(owner_account, "billing-add"), data)
    row = rows_of(BillingCode, owner_account).get()
    assert (row.modifier1, row.modifier2, row.modifier3) == ("GT", "", "")


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_a_second_row_with_the_same_code_is_refused(owner_client, owner_account, rows, kind):
    data = dict(GOOD[kind])
    if kind == "billing":
        data["code"] = rows["billing"].code
    response = owner_client.post(url(owner_account, f"{kind}-add"), data)
    assert response.status_code == 400
    assert b"already has" in response.content
    assert rows_of(MODELS[kind], owner_account).count() == 1


def test_payers_without_payer_id_do_not_clash(owner_client, owner_account):
    for name in ("Clinic A", "Clinic B"):
        data = dict(GOOD["payer"], name=name, payer_id="")
        assert owner_client.post(url(owner_account, "payer-add"), data).status_code == 302
    assert rows_of(InsurancePayer, owner_account).filter(payer_id="").count() == 2


def test_same_code_in_two_accounts_is_fine(owner_client, owner_account, other_rows):
    assert owner_client.post(url(owner_account, "diagnosis-add"), GOOD["diagnosis"]).status_code == 302
    other_rows["diagnosis"].code = "F411"
    other_rows["diagnosis"].save()
    assert rows_everywhere(DiagnosisCode).filter(code="F411").count() == 2


def test_edit_changes_fields_and_logs_their_names(owner_client, owner_account, rows):
    row = rows["billing"]
    data = dict(GOOD["billing"], fee="180.00", description="Therapy session, 60 minutes", version=row.version)
    response = owner_client.post(url(owner_account, "billing-edit", pk=row.pk), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert str(row.fee) == "180.00"
    event = events(owner_account, "billing.update").get()
    assert set(event.detail["fields"]) == {"fee", "description", "modifier1"}


def test_edit_page_shows_the_dotted_code(owner_client, owner_account, rows):
    page = owner_client.get(url(owner_account, "diagnosis-edit", pk=rows["diagnosis"].pk))
    assert b'value="F41.1"' in page.content


def test_edit_to_a_code_already_used_is_refused(owner_client, owner_account, rows):
    other = add_diagnosis(owner_account, "F329", "Depression")
    data = {"code": "F41.1", "description": "x", "version": other.version}
    response = owner_client.post(url(owner_account, "diagnosis-edit", pk=other.pk), data)
    assert response.status_code == 400
    assert "already has a diagnosis code with that code" in str(response.context["form"].errors["code"])
    other.refresh_from_db()
    assert other.code == "F329"


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_deactivate_and_reactivate(owner_client, owner_account, rows, kind):
    row = rows[kind]
    owner_client.post(url(owner_account, f"{kind}-deactivate", pk=row.pk), {"version": row.version})
    row.refresh_from_db()
    assert row.active is False
    assert b"Inactive" in owner_client.get(url(owner_account, f"{kind}-list")).content
    owner_client.post(url(owner_account, f"{kind}-reactivate", pk=row.pk), {"version": row.version})
    row.refresh_from_db()
    assert row.active is True and row.version == 3
    assert events(owner_account, f"{kind}.deactivate").count() == 1
    assert events(owner_account, f"{kind}.reactivate").count() == 1


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_delete_removes_an_unused_row(owner_client, owner_account, rows, kind):
    row = rows[kind]
    response = owner_client.post(url(owner_account, f"{kind}-delete", pk=row.pk), {"version": row.version})
    assert response.status_code == 302
    assert not rows_everywhere(MODELS[kind]).filter(pk=row.pk).exists()
    assert events(owner_account, f"{kind}.delete").get().target_id == str(row.pk)


def test_get_on_a_post_only_route_is_refused(owner_client, owner_account, rows):
    response = owner_client.get(url(owner_account, "diagnosis-delete", pk=rows["diagnosis"].pk))
    assert response.status_code == 405
    assert rows_everywhere(DiagnosisCode).filter(pk=rows["diagnosis"].pk).exists()


@pytest.mark.parametrize("kind, field", [("diagnosis", "description"), ("billing", "description"),
                                         ("payer", "name"), ("payer", "notes"), ("payer", "city")])
@pytest.mark.parametrize("value", [' =HYPERLINK("http://evil.example","Click")', "=1+1", "\u00a0@SUM(A1)"])
def test_formula_text_is_refused_on_the_pages_too(owner_client, owner_account, kind, field, value):
    response = owner_client.post(url(owner_account, f"{kind}-add"), {**GOOD[kind], field: value})
    assert response.status_code == 400
    assert "formula" in " ".join(response.context["form"].errors[field])
    assert not rows_everywhere(MODELS[kind]).exists()
    assert not events(owner_account, f"{kind}.create").exists()


def test_an_apostrophe_keeps_formula_text_and_the_edit_page_shows_it_again(owner_client, owner_account):
    response = owner_client.post(url(owner_account, "payer-add"), {**GOOD["payer"], "notes": " '=not a formula"})
    assert response.status_code == 302
    payer = rows_of(InsurancePayer, owner_account).get()
    assert payer.notes == "=not a formula"
    edit = owner_client.get(url(owner_account, "payer-edit", pk=payer.pk))
    assert edit.context["form"].initial["notes"] == "'=not a formula"
    # Saving the edit page unchanged keeps the text as it was.
    data = {**GOOD["payer"], "notes": edit.context["form"].initial["notes"], "version": payer.version}
    assert owner_client.post(url(owner_account, "payer-edit", pk=payer.pk), data).status_code == 302
    payer.refresh_from_db()
    assert payer.notes == "=not a formula"


def test_numbers_and_dashes_inside_text_are_fine(owner_client, owner_account):
    response = owner_client.post(url(owner_account, "payer-add"),
                                 {**GOOD["payer"], "notes": "Call +1 555 123 4567 - ask for claims"})
    assert response.status_code == 302
