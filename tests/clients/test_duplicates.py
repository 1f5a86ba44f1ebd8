"""Duplicates caught: the same person twice, the same diagnosis open twice, a service without a
diagnosis; and the demographics form in fieldsets with its required fields marked in words."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from practicegate.audit.models import AuditEvent
from practicegate.clients import csvio, duplicates, services
from practicegate.clients.imports import CLIENTS
from practicegate.clients.models import Client, ClientDiagnosis, ClientService
from practicegate.core.scoping import account_scope
from tests.clients.helpers import _data, client_data, make_client, url
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db

ZOE = {"first_name": "Zoë", "last_name": "Martínez", "birth_date": "1990-04-12"}
ZOE_PLAIN = {"first_name": "Zoe", "last_name": "Martinez", "birth_date": "1990-04-12"}


def clients_in(account) -> list[Client]:
    with account_scope(account):
        return list(Client.objects.filter(account=account).order_by("number"))


def events(account, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(account=account, action=action).order_by("seq"))


def box(page: str) -> str:
    start = page.index('id="same-person"')
    return page[start:page.index("</section>", start)]


# --- The same person twice ---------------------------------------------------------------

def test_add_client_shows_the_same_person_with_a_link_and_saves_nothing(owner_account, owner, owner_http):
    first = make_client(owner_account, owner, **ZOE)
    response = owner_http.post(url(owner_account, "add"), client_data(**ZOE_PLAIN, city="Salem"))
    page = response.content.decode()
    assert response.status_code == 400
    shown = box(page)
    assert "this may be the same person as" in shown
    assert url(owner_account, "detail", number=first.number) in shown
    assert f"Client {first.number}: Zoë Martínez, born 04/12/1990" in shown
    assert 'name="different_person"' in shown and "This is a different person" in shown
    assert "checked" not in shown
    assert [c.pk for c in clients_in(owner_account)] == [first.pk]  # nothing saved
    form = response.context["form"]
    assert form["first_name"].value() == "Zoe" and form["city"].value() == "Salem"  # what was typed stays
    assert form["shown_matches"].value() == str(first.number)
    # Showing the match is a read of that client's record, in its Access history.
    history = owner_http.get(url(owner_account, "access-history", number=first.number)).content.decode()
    assert "as maybe the same person" in history


def test_a_different_person_is_saved_after_saying_so_with_its_event(owner_account, owner, owner_http):
    first = make_client(owner_account, owner, **ZOE)
    shown = owner_http.post(url(owner_account, "add"), client_data(**ZOE)).context["form"]["shown_matches"].value()
    response = owner_http.post(url(owner_account, "add"),
                               client_data(**ZOE, different_person="on", shown_matches=shown))
    assert response.status_code == 302
    made = clients_in(owner_account)
    assert len(made) == 2
    [added] = [e for e in events(owner_account, "client.add") if e.target_id == str(made[1].pk)]
    [confirmed] = events(owner_account, "client.duplicate_confirmed")
    assert confirmed.target_type == "client" and confirmed.target_id == str(made[1].pk)
    assert confirmed.detail == {"number": made[1].number, "different_from": [first.number]}
    assert confirmed.seq == added.seq + 1 and confirmed.request_id == added.request_id  # one request, together
    assert "Zo" not in str(confirmed.detail)  # numbers only, no names


def test_ticking_the_box_covers_only_the_clients_shown(owner_account, owner, owner_http):
    first = make_client(owner_account, owner, **ZOE)
    second = make_client(owner_account, owner, **ZOE, different_from=[first.number])
    # The page had shown the first one only (someone added the second since): not saved, both shown.
    response = owner_http.post(url(owner_account, "add"),
                               client_data(**ZOE, different_person="on", shown_matches=str(first.number)))
    assert response.status_code == 400
    shown = box(response.content.decode())
    assert f"Client {first.number}:" in shown and f"Client {second.number}:" in shown and "checked" not in shown
    assert response.context["form"]["shown_matches"].value() == f"{first.number},{second.number}"
    assert len(clients_in(owner_account)) == 2
    # Ticking without the numbers shown (a crafted post) confirms nothing either.
    assert owner_http.post(url(owner_account, "add"), client_data(**ZOE, different_person="on")).status_code == 400
    assert len(clients_in(owner_account)) == 2


def test_another_accounts_client_is_never_matched_or_shown(owner_account, other_account, owner, owner_http):
    theirs = make_client(other_account, other_account.owner, **ZOE)
    response = owner_http.post(url(owner_account, "add"), client_data(**ZOE))
    assert response.status_code == 302  # saved at once: nothing in this account is the same person
    with account_scope(owner_account):
        assert duplicates.same_person(owner_account, first_name="Zoë", last_name="Martínez",
                                      birth_date=date(1990, 4, 12))[0].account_id == owner_account.pk
    assert events(owner_account, "client.duplicate_confirmed") == []
    # And the next add in this account shows this account's Zoë only.
    page = owner_http.post(url(owner_account, "add"), client_data(**ZOE_PLAIN)).content.decode()
    assert f"/a/{other_account.slug}/" not in page and box(page).count("<li>") == 1
    assert url(other_account, "detail", number=theirs.number) not in page


@pytest.mark.parametrize("typed", [
    {"first_name": "Zoe", "last_name": "Martinez"},
    {"first_name": "ZOË", "last_name": "MARTÍNEZ"},
    {"first_name": "zoe", "last_name": "martínez "},
])
def test_case_and_accents_are_folded(owner_account, owner, owner_http, typed):
    make_client(owner_account, owner, **ZOE)
    response = owner_http.post(url(owner_account, "add"), client_data(**typed, birth_date="1990-04-12"))
    assert response.status_code == 400 and 'id="same-person"' in response.content.decode()
    # Another date of birth is another person: saved at once.
    assert owner_http.post(url(owner_account, "add"), client_data(**typed, birth_date="1990-04-13")).status_code == 302


def test_another_field_error_keeps_the_question_and_the_tick(owner_account, owner, owner_http):
    first = make_client(owner_account, owner, **ZOE)
    response = owner_http.post(url(owner_account, "add"),
                               client_data(**ZOE, zip_code="9", different_person="on", shown_matches=str(first.number)))
    assert response.status_code == 400 and response.context["form"].errors["zip_code"]
    shown = box(response.content.decode())
    assert f"Client {first.number}:" in shown and "checked" in shown


def test_edit_to_another_clients_name_and_birth_date_asks_first(owner_account, owner, owner_http):
    first = make_client(owner_account, owner, **ZOE)
    other = make_client(owner_account, owner, first_name="Ann", last_name="Lee", birth_date="1990-04-12")
    edit = url(owner_account, "edit", number=other.number)
    response = owner_http.post(edit, client_data(**ZOE_PLAIN, version="1"))
    assert response.status_code == 400 and f"Client {first.number}:" in box(response.content.decode())
    assert response.context["form"]["first_name"].value() == "Zoe"
    with account_scope(owner_account):
        other.refresh_from_db()
    assert (other.first_name, other.version) == ("Ann", 1)  # nothing saved
    assert owner_http.post(edit, client_data(**ZOE_PLAIN, version="1", different_person="on",
                                             shown_matches=str(first.number))).status_code == 302
    with account_scope(owner_account):
        other.refresh_from_db()
    assert (other.first_name, other.version) == ("Zoe", 2)
    [confirmed] = events(owner_account, "client.duplicate_confirmed")
    assert confirmed.target_id == str(other.pk) and confirmed.detail["different_from"] == [first.number]
    # Its own record is never its duplicate, and an edit that leaves the name and birth date
    # alone is not asked again.
    assert owner_http.post(edit, client_data(**ZOE_PLAIN, city="Salem", version="2")).status_code == 302
    assert len(events(owner_account, "client.duplicate_confirmed")) == 1


def test_the_question_and_a_stale_edit_work_together(owner_account, owner, owner_http):
    """A colleague saved the work phone meanwhile: the save is merged, and a name that makes a
    duplicate is asked about first; after the answer both changes are kept."""
    colleague = make_user("colleague")
    add_member(owner_account, colleague)
    first = make_client(owner_account, owner, **ZOE)
    other = make_client(owner_account, owner, first_name="Ann", last_name="Lee", birth_date="1990-04-12")
    edit = url(owner_account, "edit", number=other.number)
    assert login_client(colleague).post(edit, client_data(first_name="Ann", last_name="Lee", birth_date="1990-04-12",
                                                          work_phone="(206) 555-0100", version="1")).status_code == 302
    stale = client_data(**ZOE, version="1")
    response = owner_http.post(edit, stale)
    assert response.status_code == 400 and f"Client {first.number}:" in box(response.content.decode())
    response = owner_http.post(edit, {**stale, "different_person": "on", "shown_matches": str(first.number)},
                               follow=True)
    assert response.redirect_chain and "Merged with colleague" in response.content.decode()
    with account_scope(owner_account):
        other.refresh_from_db()
    assert (other.first_name, other.work_phone, other.version) == ("Zoë", "+12065550100", 3)


def test_the_import_and_the_pages_share_one_rule(owner_account, owner, owner_http):
    """One function says who may be the same person: the CSV import's row check, its
    "already here" test and the services' check all go through duplicates.identity."""
    assert csvio.identity is duplicates.identity
    first = make_client(owner_account, owner, **ZOE)
    assert first.sort_key == duplicates.name_key("Zoe", "MARTINEZ")  # the stored key is the rule's key
    with account_scope(owner_account):
        known = CLIENTS.known(owner_account)
        row = {"first_name": "ZOE", "last_name": "martinez", "birth_date": date(1990, 4, 12)}
        assert CLIENTS.is_known(row, known)
        assert duplicates.same_person(owner_account, **row) == [first]
        with pytest.raises(services.PossibleDuplicate):
            services.client_create(actor=owner, account=owner_account, data=_data(**ZOE_PLAIN))
        other_day = {**row, "birth_date": date(1990, 4, 13)}
        assert not CLIENTS.is_known(other_day, known) and duplicates.same_person(owner_account, **other_day) == []
    # Through the pages: the import leaves the row alone as it always did.
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_http.post(url(owner_account, "import"), {"file": SimpleUploadedFile(
        "c.csv", b"first_name,last_name,birth_date,sex\nZOE,Martinez,1990-04-12,F\n")})
    preview = response.context["preview"] if response.status_code == 200 else \
        owner_http.get(response["Location"]).context["preview"]
    assert len(preview.existing_rows) == 1 and preview.new_rows == []


# --- The same diagnosis open twice ---------------------------------------------------------

def test_a_diagnosis_code_cannot_be_open_twice(owner_account, owner, owner_http, codes, client_row):
    add = url(owner_account, "diagnosis-add", number=client_row.number)
    assert owner_http.post(add, {"code": "F41.1", "start_date": "2024-02-01"}).status_code == 302
    response = owner_http.post(add, {"code": "f41.1", "start_date": "2024-02-01"})
    assert response.status_code == 400
    assert "F41.1 is already on this client&#x27;s record from 02/01/2024 with no end date" in \
        response.content.decode()
    assert response.context["form"].errors["code"]
    with account_scope(owner_account):
        assert ClientDiagnosis.objects.filter(client=client_row).count() == 1
        line = ClientDiagnosis.objects.get(client=client_row)
        # Overlapping dates are refused too; after it ended, the code may come back.
        with pytest.raises(services.FieldError):
            services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row, code=codes["dx"],
                                          is_primary=False, start_date=date(2023, 1, 1), end_date=date(2024, 3, 1))
        services.client_diagnosis_end(actor=owner, account=owner_account, client=client_row, line=line,
                                      end_date=date(2024, 5, 31), expected_version=1)
        again = services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row,
                                              code=codes["dx"], is_primary=False, start_date=date(2024, 6, 1))
        # Re-opening the ended line (clearing its end date) would make two open ones: refused.
        with pytest.raises(services.FieldError) as caught:
            services.client_diagnosis_update(actor=owner, account=owner_account, client=client_row, line=line,
                                             data={"is_primary": False, "start_date": line.start_date,
                                                   "end_date": None}, expected_version=2)
        assert caught.value.field == "end_date" and "these dates would overlap that line" in str(caught.value)
        # A voided line does not count.
        services.client_diagnosis_void(actor=owner, account=owner_account, client=client_row, line=again,
                                       reason="Entered twice", expected_version=1)
        services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row, code=codes["dx"],
                                      is_primary=False, start_date=date(2024, 6, 2))


def test_the_database_refuses_a_code_open_twice(owner_account, codes, client_row):
    with account_scope(owner_account):
        ClientDiagnosis.objects.create(account=owner_account, client=client_row, code=codes["dx"],
                                       start_date=date(2024, 1, 1))
        ClientDiagnosis.objects.create(account=owner_account, client=client_row, code=codes["dx"],
                                       start_date=date(2023, 1, 1), end_date=date(2023, 6, 1))  # ended: fine
        ClientDiagnosis.objects.create(account=owner_account, client=client_row, code=codes["dx"],
                                       start_date=date(2024, 2, 1), voided=True)  # voided: fine
        with pytest.raises(IntegrityError), transaction.atomic():
            ClientDiagnosis.objects.create(account=owner_account, client=client_row, code=codes["dx"],
                                           start_date=date(2024, 3, 1))


def test_the_upgrade_stops_when_a_client_already_has_a_code_open_twice(owner_account, codes, client_row):
    """The migration adding the index lists what to fix instead of failing on the index."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    [migration] = [m for (app, name), m in loader.disk_migrations.items()
                   if app == "clients" and name.endswith("_diagnosis_one_open_per_code")]
    refuse_doubles = migration.operations[0].code
    refuse_doubles(django_apps, None)  # nothing open twice: goes on
    with connection.cursor() as cursor:  # as before the upgrade (rolled back with the test)
        cursor.execute("DROP INDEX client_dx_one_open_per_code")
    with account_scope(owner_account):
        for _ in range(2):
            ClientDiagnosis.objects.create(account=owner_account, client=client_row, code=codes["dx"],
                                           start_date=date(2024, 1, 1))
    with pytest.raises(RuntimeError, match=rf"account {owner_account.slug}, client {client_row.number}, code F41\.1"):
        refuse_doubles(django_apps, None)


# --- A service without a diagnosis ---------------------------------------------------------

def test_a_service_needs_a_diagnosis_pointer(owner_account, owner, owner_http, codes, client_row):
    add = url(owner_account, "service-add", number=client_row.number)
    typed = {"service_date": "2024-02-02", "billing_code": codes["billing"].pk, "units": "", "fee": ""}
    response = owner_http.post(add, typed)
    assert response.status_code == 400
    assert "This client has no diagnosis yet: add one on the Diagnoses tab first" in response.content.decode()
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client_row, code=codes["dx"],
                                           is_primary=True, start_date=date(2024, 1, 1))
    response = owner_http.post(add, typed)
    assert response.status_code == 400
    assert "Choose the diagnosis this service treats (pointer 1)" in response.content.decode()
    assert response.context["form"].errors["diagnosis1"]
    with account_scope(owner_account):
        assert not ClientService.objects.filter(client=client_row).exists()
        with pytest.raises(services.FieldError) as caught:
            services.client_service_add(actor=owner, account=owner_account, client=client_row,
                                        billing_code=codes["billing"], data={"service_date": date(2024, 1, 2)})
        assert caught.value.field == "diagnosis1"
        line = services.client_service_add(actor=owner, account=owner_account, client=client_row,
                                           billing_code=codes["billing"],
                                           data={"service_date": date(2024, 1, 2), "diagnosis1": dx})
    # Editing cannot take the last pointer away.
    edit = url(owner_account, "service-edit", number=client_row.number, line_pk=line.pk)
    response = owner_http.post(edit, {"service_date": "2024-01-02", "units": "1", "fee": "", "version": "1"})
    assert response.status_code == 400 and response.context["form"].errors["diagnosis1"]
    with account_scope(owner_account):
        line.refresh_from_db()
    assert line.diagnosis1_id == dx.pk


# --- The demographics form -------------------------------------------------------------------

LEGENDS = ["Name", "Birth and sex", "Contact", "Address", "Emergency contact", "Intake"]


def _label(page: str, name: str) -> str:
    return re.search(rf'<label for="id_{name}">(.*?)</label>', page, re.S)[1]


def test_the_add_and_edit_forms_are_in_fieldsets_with_required_fields_marked_in_words(owner_account, owner_http,
                                                                                      client_row):
    for path, intake_required in ((url(owner_account, "add"), False),
                                  (url(owner_account, "edit", number=client_row.number), True)):
        page = owner_http.get(path).content.decode()
        assert re.findall(r'<fieldset class="group"[^>]*>\s*<legend>(.*?)</legend>', page) == LEGENDS
        for name in ("first_name", "last_name", "birth_date", "sex"):
            assert _label(page, name).endswith("(required)</span>"), name
        for name in ("middle_name", "preferred_name", "email", "zip_code", "emergency_name"):
            assert "(required)" not in _label(page, name), name
        assert ("(required)" in _label(page, "intake_date")) is intake_required
        assert "Fields marked “(required)” must be filled in." in page
        name_group = page[page.index('id="group-name"'):page.index("</fieldset>", page.index('id="group-name"'))]
        assert 'name="first_name"' in name_group and 'name="city"' not in name_group
        assert 'name="different_person"' not in page  # asked only when there is someone to ask about
