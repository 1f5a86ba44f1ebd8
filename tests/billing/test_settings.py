"""Billing settings: identifiers checked (NPI check digit, taxonomy, tax ID, ZIP+4), the tax ID
masked, versioned and logged edits, View Only sees, nothing typed gives a 500. Clearinghouses too."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.billing import identifiers
from practicegate.billing.models import BillingSettings, Clearinghouse
from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level
from tests.billing.helpers import GOOD_NPI, settings_data, url
from tests.helpers import login_client, new_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("npi, valid", [
    ("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678931", False),
    ("12345678a3", False), ("１２３４５６７８９３", False), ("", False), (None, False),
])
def test_the_npi_check_digit(npi, valid):
    assert identifiers.npi_is_valid(npi) is valid


def test_a_demo_npi_passes_and_one_changed_digit_fails():
    from practicegate.billing.demo import demo_npi

    npi = demo_npi("190000000")
    assert identifiers.npi_is_valid(npi)
    assert not identifiers.npi_is_valid(npi[:9] + str((int(npi[9]) + 1) % 10))


@pytest.mark.parametrize("code, valid", [
    ("101YM0800X", True), ("207Q00000X", True), ("1041C0700X", True), ("101YM0800", False),
    ("101YM0800Y", False), ("A01YM0800X", False), ("101ym0800x", False), ("101YM 800X", False),
])
def test_the_taxonomy_format(code, valid):
    assert identifiers.taxonomy_is_valid(code) is valid


def test_the_settings_save_mask_the_tax_id_and_log_without_it(owner_account, owner):
    client = login_client(owner)
    response = client.post(url(owner_account, "settings"), settings_data(tax_id="987-65-4321", tax_id_kind="ssn"))
    assert response.status_code == 302
    with account_scope(owner_account):
        row = BillingSettings.objects.get(account=owner_account)
    assert (row.npi, row.tax_id, row.zip_code, row.taxonomy) == (GOOD_NPI, "987654321", "122071234", "101YM0800X")
    page = client.get(url(owner_account, "settings")).content.decode()
    assert "•••••4321" in page and "987654321" not in page and "987-65-4321" not in page
    event = AuditEvent.objects.get(account=owner_account, action="billing.settings_update")
    assert "987654321" not in str(event.detail) and event.detail["changes"]["tax_id"] == ["", "•••••4321"]
    # Saved again with the tax ID left empty: kept.
    assert client.post(url(owner_account, "settings"), settings_data(tax_id="", version="2", city="Troy")).status_code == 302
    with account_scope(owner_account):
        row.refresh_from_db()
    assert (row.tax_id, row.city, row.version) == ("987654321", "Troy", 3)


@pytest.mark.parametrize("field, value", [
    ("npi", "1234567890"), ("npi", "12345"), ("npi", "abcdefghij"), ("taxonomy", "12345"), ("taxonomy", "101YM0800Y"),
    ("tax_id", "1234"), ("tax_id", "12-345678x"), ("zip_code", "12207"), ("zip_code", ""), ("state", "ZZ"),
    ("provider_kind", "robot"), ("place_of_service", "77"), ("rendering_npi", "1111111111"), ("npi", "\x00"),
    ("name", "=HYPERLINK(1)"), ("version", "0"), ("version", "x"), ("pay_to_zip_code", "1"),
])
def test_bad_input_is_refused_plainly_and_changes_nothing(owner_account, owner, field, value):
    client = login_client(owner)
    response = client.post(url(owner_account, "settings"), settings_data(**{field: value}))
    assert response.status_code == 400
    with account_scope(owner_account):
        assert not BillingSettings.objects.filter(account=owner_account).exists()


def test_a_person_needs_a_first_name_and_a_pay_to_address_is_whole(owner_account, owner):
    client = login_client(owner)
    assert client.post(url(owner_account, "settings"), settings_data(provider_kind="person")).status_code == 400
    assert client.post(url(owner_account, "settings"), settings_data(pay_to_city="Troy")).status_code == 400


def test_a_stale_settings_edit_merges_and_a_clash_is_shown(owner_account, owner):
    client = login_client(owner)
    assert client.post(url(owner_account, "settings"), settings_data()).status_code == 302
    assert client.post(url(owner_account, "settings"), settings_data(version="2", city="Troy")).status_code == 302
    clash = client.post(url(owner_account, "settings"), settings_data(version="2", city="Utica"))
    assert clash.status_code == 409 and "this record changed while you were editing it" in clash.content.decode()
    merged = client.post(url(owner_account, "settings"), settings_data(version="2", city="Troy", phone="518 555 0100"))
    assert merged.status_code == 302


def test_view_only_sees_and_cannot_save(owner_account):
    levels = {key: int(Level.FULL) for key in SECTION_KEYS} | {"billing": int(Level.VIEW)}
    viewer = login_client(new_member(owner_account, "viewer", levels))
    page = viewer.get(url(owner_account, "settings"))
    assert page.status_code == 200 and b"Full Access on Billing is needed" in page.content
    assert viewer.post(url(owner_account, "settings"), settings_data()).status_code == 403


def _house(**overrides):
    data = {"name": "Demo House", "receiver_id": "rcv01", "submitter_id": "SUB01", "submitter_name": "Sunrise",
            "contact_name": "Billing office", "contact_phone": "", "contact_email": "", "usage": "T"}
    data.update(overrides)
    return data


def test_clearinghouses_are_added_edited_deactivated_and_logged(owner_account, owner):
    client = login_client(owner)
    assert client.post(url(owner_account, "clearinghouse-add"), _house()).status_code == 302
    with account_scope(owner_account):
        house = Clearinghouse.objects.get(account=owner_account)
    assert house.receiver_id == "RCV01"
    edit = url(owner_account, "clearinghouse", pk=house.pk)
    assert client.post(edit, {**_house(usage="P"), "version": "1"}).status_code == 302
    assert client.post(edit, {**_house(name="Other"), "version": "1"}).status_code == 302  # merged
    assert client.post(url(owner_account, "clearinghouse-deactivate", pk=house.pk), {"version": "1"}).status_code == 302
    assert client.post(url(owner_account, "clearinghouse-deactivate", pk=house.pk), {}).status_code == 400
    with account_scope(owner_account):
        house.refresh_from_db()
    assert (house.usage, house.name, house.active) == ("P", "Other", True)  # the stale deactivate was refused
    assert client.post(url(owner_account, "clearinghouse-deactivate", pk=house.pk),
                       {"version": str(house.version)}).status_code == 302
    with account_scope(owner_account):
        house.refresh_from_db()
    assert not house.active
    actions = set(AuditEvent.objects.filter(account=owner_account, action__startswith="clearinghouse.")
                  .values_list("action", flat=True))
    assert actions == {"clearinghouse.add", "clearinghouse.update", "clearinghouse.deactivate"}
    for bad in (_house(receiver_id="has space"), _house(contact_email="nope"), _house(usage="X"), _house(name="")):
        assert client.post(url(owner_account, "clearinghouse-add"), bad).status_code == 400
    assert client.get(url(owner_account, "clearinghouses")).status_code == 200
