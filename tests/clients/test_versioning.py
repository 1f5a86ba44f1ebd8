"""Two people edit the same client: the second save merges with the first; a field both changed
is refused, shows the first's change, and offers the choice."""

from __future__ import annotations

import re
from datetime import date

import pytest

from practicegate.clients import services
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from tests.clients.helpers import client_data, url
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page)[1]


@pytest.fixture
def colleague(owner_account):
    user = make_user("colleague")
    add_member(owner_account, user)
    return user


def test_a_stale_save_merges_fields_only_one_person_changed(owner_account, owner, colleague, client_row):
    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "edit", number=client_row.number)
    v_alice = version_in(alice.get(edit).content.decode())
    v_bob = version_in(bob.get(edit).content.decode())
    assert v_alice == v_bob == "1"

    assert alice.post(edit, client_data(last_name="Alvarez", version=v_alice)).status_code == 302
    # bob's form still holds the old last name, which he never touched: it does not put it back.
    response = bob.post(edit, client_data(city="Salem", version=v_bob), follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "Merged with sunrise&#x27;s change of" in page and ": Last name." in page
    with account_scope(owner_account):
        client = Client.objects.get(pk=client_row.pk)
    assert (client.last_name, client.city, client.version) == ("Alvarez", "Salem", 3)


def test_a_field_both_changed_is_a_choice_and_saving_it_decides(owner_account, owner, colleague, client_row):
    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "edit", number=client_row.number)
    assert alice.post(edit, client_data(last_name="Alvarez", city="Eugene", version="1")).status_code == 302
    response = bob.post(edit, client_data(city="Salem", zip_code="97301", version="1"))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Not saved" in page and "sunrise" in page  # the other username
    assert "Last name" in page and "Alvarez" in page  # what they changed
    assert response.context["conflict_fields"] == ["City"]
    assert 'type="radio" name="city" value="Eugene"' in page and 'value="Salem"' in page
    assert response.context["form"]["city"].value() == "Eugene"  # the other person's, preselected
    assert response.context["form"]["last_name"].value() == "Alvarez"  # theirs, now in the form
    assert response.context["form"]["zip_code"].value() == "97301"  # this user's own change stays
    assert version_in(page) == "2"
    with account_scope(owner_account):
        client = Client.objects.get(pk=client_row.pk)
    assert (client.last_name, client.city, client.zip_code) == ("Alvarez", "Eugene", "97201")

    # Submitting the page as shown keeps alice's city and saves bob's ZIP.
    data = {name: response.context["form"][name].value() or "" for name in response.context["form"].fields}
    assert bob.post(edit, data).status_code == 302
    with account_scope(owner_account):
        client.refresh_from_db()
    assert (client.last_name, client.city, client.zip_code, client.version) == ("Alvarez", "Eugene", "97301", 3)


def test_a_stale_line_save_is_refused_with_the_other_change(owner_account, owner, colleague, client_row, codes):
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row,
                                           code=codes["dx"], is_primary=False, start_date=date(2024, 1, 1))
    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "diagnosis-edit", number=client_row.number, line_pk=dx.pk)
    assert alice.post(edit, {"start_date": "2024-01-05", "is_primary": "on", "version": "1"}).status_code == 302
    response = bob.post(edit, {"start_date": "2024-01-09", "version": "1"})
    page = response.content.decode()
    assert response.status_code == 409 and "01/01/2024 → 01/05/2024" in page and 'value="2024-01-09"' in page
    void = url(owner_account, "diagnosis-void", number=client_row.number, line_pk=dx.pk)
    assert bob.post(void, {"void_reason": "wrong", "version": "1"}).status_code == 409
    with account_scope(owner_account):
        dx.refresh_from_db()
    assert (dx.start_date, dx.is_primary, dx.voided) == (date(2024, 1, 5), True, False)


def test_a_discharge_from_a_stale_page_is_refused(owner_account, owner, colleague, client_row):
    alice, bob = login_client(owner), login_client(colleague)
    assert alice.post(url(owner_account, "edit", number=client_row.number),
                      client_data(first_name="Zoey", version="1")).status_code == 302
    response = bob.post(url(owner_account, "discharge", number=client_row.number),
                        {"discharge_date": "2024-05-01", "version": "1"})
    assert response.status_code == 409 and "Zoey" in response.content.decode()


def test_a_damaged_or_missing_version_is_a_field_message(owner_account, owner_http, client_row):
    edit = url(owner_account, "edit", number=client_row.number)
    for bad in ("", "abc"):
        response = owner_http.post(edit, client_data(version=bad, last_name="Changed"))
        assert response.status_code == 400 and "reload the page" in response.content.decode()
    for bad in ("0", "99999999999999999999"):
        assert owner_http.post(edit, client_data(version=bad, last_name="Changed")).status_code == 400
    with account_scope(owner_account):
        assert Client.objects.get(pk=client_row.pk).last_name != "Changed"


def test_the_conflict_box_names_the_changed_fields_by_their_form_labels(owner_account, owner, colleague, client_row):
    """QA: the box said "last_name" and "start_date"; the form beside it says "Last name"."""
    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "edit", number=client_row.number)
    assert alice.post(edit, client_data(last_name="Alvarez", zip_code="97202", version="1")).status_code == 302
    page = bob.post(edit, client_data(last_name="Brown", city="Salem", version="1")).content.decode()
    box = page[page.index('class="conflict"'):page.index("</section>", page.index('class="conflict"'))]
    assert "<dt>Last name</dt>" in box and "<dt>ZIP</dt>" in box
    assert "last_name" not in box and "zip_code" not in box


def test_a_refused_stale_save_is_logged_and_not_shown_as_an_edit(owner_account, owner, colleague, client_row, codes):
    """QA: the master files log a save refused by a conflict; the client pages logged nothing."""
    from practicegate.audit.models import AuditEvent, Outcome

    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "edit", number=client_row.number)
    assert alice.post(edit, client_data(last_name="Alvarez", version="1")).status_code == 302
    assert bob.post(edit, client_data(last_name="Brown", city="Salem", version="1")).status_code == 409
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row,
                                           code=codes["dx"], is_primary=False, start_date=date(2024, 1, 1))
    line_edit = url(owner_account, "diagnosis-edit", number=client_row.number, line_pk=dx.pk)
    assert alice.post(line_edit, {"start_date": "2024-01-05", "version": "1"}).status_code == 302
    assert bob.post(line_edit, {"start_date": "2024-01-09", "version": "1"}).status_code == 409
    void = url(owner_account, "diagnosis-void", number=client_row.number, line_pk=dx.pk)
    assert bob.post(void, {"void_reason": "wrong", "version": "1"}).status_code == 409
    refused = AuditEvent.objects.filter(account=owner_account, actor=colleague, outcome=Outcome.FAILURE,
                                        target_type="client", target_id=str(client_row.pk)).order_by("seq")
    assert [(e.action, e.detail.get("line"), e.detail["expected_version"], e.detail["current_version"])
            for e in refused] == [("client.update", None, 1, 2), ("client.diagnosis_update", "diagnosis", 1, 2),
                                  ("client.diagnosis_void", "diagnosis", 1, 2)]
    # a later conflict page lists only the saves, never the refused attempts
    page = bob.post(line_edit, {"start_date": "2024-01-09", "version": "1"}).content.decode()
    assert page.count('class="conflict-edit"') == 1
    history = bob.get(url(owner_account, "access-history", number=client_row.number)).content.decode()
    assert history.count("colleague") >= 3


def test_a_stale_service_line_save_merges_and_its_pointer_is_not_taken_for_a_change(owner_account, owner, colleague,
                                                                                  client_record):
    """A service's diagnosis pointers are logged by their codes: the merge compares them so."""
    client, line = client_record["client"], client_record["services"]
    alice, bob = login_client(owner), login_client(colleague)
    edit = url(owner_account, "service-edit", number=client.number, line_pk=line.pk)
    loaded = {"service_date": "2024-01-02", "units": str(line.units), "fee": str(line.fee),
              "diagnosis1": str(line.diagnosis1_id), "version": "1"}
    assert alice.post(edit, {**loaded, "fee": "200.00"}).status_code == 302
    response = bob.post(edit, {**loaded, "service_date": "2024-01-03"}, follow=True)
    assert "Merged with sunrise&#x27;s change of" in response.content.decode()
    with account_scope(owner_account):
        line.refresh_from_db()
    assert (str(line.fee), line.service_date, line.diagnosis1_id, line.version) == (
        "200.00", date(2024, 1, 3), client_record["diagnoses"].pk, 3)
