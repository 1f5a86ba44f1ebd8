"""Payer phones: stored as E.164 like client phones, shown in one format, converted once by a migration."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from practicegate.masterfiles.models import InsurancePayer
from tests.helpers import rows_of
from tests.masterfiles.helpers import add_payer, url

pytestmark = pytest.mark.django_db

migration = importlib.import_module("practicegate.masterfiles.migrations.0004_payer_phone_e164")


def stored_phone(account, payer) -> str:
    return rows_of(InsurancePayer, account).get(pk=payer.pk).phone


def set_phone(account, payer, phone: str) -> None:
    """Write a phone as it is, past every form: what older code stored."""
    rows_of(InsurancePayer, account).filter(pk=payer.pk).update(phone=phone)


@pytest.fixture
def payer(owner_account):
    payer = add_payer(owner_account)
    set_phone(owner_account, payer, "+15185550140")
    return rows_of(InsurancePayer, owner_account).get(pk=payer.pk)


def exported(client, account) -> list[list[str]]:
    response = client.get(url(account, "payer-export"))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def imported(client, account, content: str) -> None:
    """Upload `content`, open its preview and confirm it."""
    response = client.post(url(account, "payer-import"), {"file": SimpleUploadedFile("payers.csv", content.encode())})
    assert response.status_code == 302, response.content
    preview = client.get(response["Location"])
    token = preview.context["preview"].token
    assert client.post(url(account, "payer-import-confirm"), {"token": token}).status_code == 302


def edit_data(payer, **changes) -> dict:
    data = {"name": payer.name, "payer_id": payer.payer_id, "address": "", "city": "", "state": payer.state,
            "zip_code": payer.zip_code, "phone": "", "payer_type": payer.payer_type, "notes": "",
            "version": payer.version}
    data.update(changes)
    return data


@pytest.mark.parametrize("typed", ["(206) 555-0111", "206-555-0111", "+1 206 555 0111", "2065550111"])
def test_a_saved_payer_phone_is_e164(owner_client, owner_account, payer, typed):
    response = owner_client.post(url(owner_account, "payer-edit", pk=payer.pk), edit_data(payer, phone=typed))
    assert response.status_code == 302
    assert stored_phone(owner_account, payer) == "+12065550111"


def test_list_and_edit_page_show_the_display_format(owner_client, owner_account, payer):
    listing = owner_client.get(url(owner_account, "payer-list")).content.decode()
    assert "(518) 555-0140" in listing and "+15185550140" not in listing
    edit = owner_client.get(url(owner_account, "payer-edit", pk=payer.pk)).content.decode()
    assert 'value="(518) 555-0140"' in edit


def test_saving_the_edit_page_unchanged_keeps_the_number(owner_client, owner_account, payer):
    response = owner_client.post(url(owner_account, "payer-edit", pk=payer.pk),
                                 edit_data(payer, phone="(518) 555-0140", notes="checked"))
    assert response.status_code == 302
    assert stored_phone(owner_account, payer) == "+15185550140"


def test_a_kept_old_value_is_shown_as_stored(owner_client, owner_account, payer):
    set_phone(owner_account, payer, "555-0100")
    listing = owner_client.get(url(owner_account, "payer-list")).content.decode()
    assert "555-0100" in listing


def test_export_writes_e164_and_import_takes_what_people_type(owner_client, owner_account, payer):
    table = exported(owner_client, owner_account)
    assert table[1][table[0].index("phone")] == "+15185550140"  # a spreadsheet does not run it
    content = ("name,payer_id,state,zip_code,phone,payer_type\n"
               "Evergreen,EVM04,CT,06103,(860) 555-0112,commercial\n"
               "Medicare,MCR02,MD,21244,800-555-0163,medicare\n"
               "Abroad,ABR01,,,+44 20 7946 0958,other\n")
    imported(owner_client, owner_account, content)
    phones = dict(rows_of(InsurancePayer, owner_account).values_list("payer_id", "phone"))
    assert phones == {"BHH01": "+15185550140", "EVM04": "+18605550112", "MCR02": "+18005550163",
                      "ABR01": "+442079460958"}


# What the payer form stored before the migration, and what the migration makes of it.
OLD_AND_NEW = [
    ("518-555-0140", "+15185550140"),
    ("800-555-0163", "+18005550163"),
    ("", ""),
    ("518-555-0140 x89", "518-555-0140 x89"),  # an extension: E.164 has no room, kept as stored
    ("555-123-4567", "555-123-4567"),  # not a number that can be dialed: kept as stored
    ("555-0100", "555-0100"),  # seven digits (older test data): kept as stored
]


def test_the_migration_converts_stored_payer_phones_and_keeps_what_it_cannot_read(owner_account, other_account):
    payers = []
    for i, (old, _new) in enumerate(OLD_AND_NEW):
        account = owner_account if i % 2 else other_account  # a migration sees every account
        payer = add_payer(account, name=f"Payer {i}", payer_id=f"P{i}")
        set_phone(account, payer, old)
        payers.append((account, payer))
    migration.payer_phones_to_e164(apps, None)
    assert [stored_phone(a, p) for a, p in payers] == [new for _old, new in OLD_AND_NEW]
    migration.payer_phones_to_e164(apps, None)  # a second run changes nothing
    assert [stored_phone(a, p) for a, p in payers] == [new for _old, new in OLD_AND_NEW]
    migration.payer_phones_to_old_form(apps, None)
    assert [stored_phone(a, p) for a, p in payers] == [old for old, _new in OLD_AND_NEW]


def test_the_reverse_leaves_numbers_outside_the_us_as_they_are(owner_account):
    payer = add_payer(owner_account)
    set_phone(owner_account, payer, "+442079460958")
    migration.payer_phones_to_old_form(apps, None)
    assert stored_phone(owner_account, payer) == "+442079460958"
