"""A stale save merges field by field (records.editing.merge_edit), on clients and master files.

Whatever fields A and B changed from the same loaded version, after A saved first: every field
ends as B's value if B changed it, else A's; a field both changed to different values stops
B's save (nothing written) and is named, never decided silently. Merges and refusals are
logged with field names only.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.clients import services
from practicegate.clients.models import Client, ClientChange
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import InsurancePayer
from practicegate.records.editing import MergeConflict
from tests.clients.helpers import _data, client_data, make_client, url
from tests.helpers import add_member, login_client, make_user
from tests.masterfiles.helpers import add_payer

pytestmark = pytest.mark.django_db

# Fields of the demographics form with the values A and B type into them (cleaned, as services get them).
VALUES = {
    "middle_name": ("Ann", "Bea"), "preferred_name": ("Annie", "Bee"), "gender_identity": ("woman", "nonbinary"),
    "address1": ("1 A St", "2 B Ave"), "address2": ("Apt A", "Unit B"), "city": ("Albany", "Bend"),
    "zip_code": ("97301", "97701"), "work_phone": ("+12065550111", "+12065550122"),
    "email": ("a@example.org", "b@example.org"), "emergency_name": ("Pat Doe", "Sam Roe"),
    "emergency_relationship": ("sister", "friend"), "birth_date": ("1991-02-03", "1992-03-04"),
}
_examples = itertools.count(1)
# What each of A and B does to one field: nothing, only one of them, both alike, both differently.
ROLES = st.sampled_from(["none", "a", "b", "both_same", "both_differ"])


def _changes(roles: dict[str, str], who: str) -> dict:
    """The form data `who` ("a" or "b") posts: the loaded values with their own changes."""
    typed = {}
    for name, role in roles.items():
        a_value, b_value = VALUES[name]
        if role == who or role == "both_same":
            typed[name] = a_value if who == "a" else (a_value if role == "both_same" else b_value)
        elif role == "both_differ":
            typed[name] = a_value if who == "a" else b_value
    return typed


@pytest.fixture
def people(owner_account, owner):
    other = make_user("practice-manager")
    add_member(owner_account, other)
    return owner, other


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roles=st.fixed_dictionaries({name: ROLES for name in VALUES}))
def test_every_field_ends_as_b_changed_it_else_as_a_did_and_clashes_stop_the_save(owner_account, people, roles):
    a, b = people
    # Each example adds a client to the same account: each its own person (see clients.duplicates).
    first_name = "".join(chr(ord("a") + int(d)) for d in str(next(_examples))).title()
    client = make_client(owner_account, a, first_name=first_name)
    loaded = {name: value for name, value in _data(first_name=first_name).items()}  # what both forms were loaded with
    with account_scope(owner_account):
        original = {name: getattr(client, name) for name in VALUES}
        services.client_update(actor=a, account=owner_account, client=Client.objects.get(pk=client.pk),
                               data=_data(first_name=first_name, **_changes(roles, "a")), expected_version=1)
        after_a = Client.objects.get(pk=client.pk)
        b_data = _data(first_name=first_name, **_changes(roles, "b"))
        assert set(loaded) == set(b_data)
        clashing = {name for name, role in roles.items() if role == "both_differ"}
        changes_before = ClientChange.objects.filter(client_id=client.pk).count()
        if clashing:
            with pytest.raises(MergeConflict) as refused:
                services.client_update(actor=b, account=owner_account, client=Client.objects.get(pk=client.pk),
                                       data=b_data, expected_version=1)
            assert set(refused.value.clashes) == clashing
            now = Client.objects.get(pk=client.pk)
            assert now.version == after_a.version  # nothing written
            assert ClientChange.objects.filter(client_id=client.pk).count() == changes_before
            assert {n: getattr(now, n) for n in VALUES} == {n: getattr(after_a, n) for n in VALUES}
            return
        services.client_update(actor=b, account=owner_account, client=Client.objects.get(pk=client.pk),
                               data=b_data, expected_version=1)
        now = Client.objects.get(pk=client.pk)
    typed_a, typed_b = _data(first_name=first_name, **_changes(roles, "a")), b_data
    for name, role in roles.items():
        if role in ("b", "both_same"):
            expected = typed_b[name]
        elif role == "a":
            expected = typed_a[name]
        else:
            expected = original[name]
        assert getattr(now, name) == expected, (name, role)


def test_a_merge_and_a_refusal_are_logged_with_field_names_only(owner_account, people):
    a, b = people
    client = make_client(owner_account, a)
    with account_scope(owner_account):
        services.client_update(actor=a, account=owner_account, client=Client.objects.get(pk=client.pk),
                               data=_data(work_phone="(206) 555-0111", emergency_name="Pat Doe"),
                               expected_version=1)
        services.client_update(actor=b, account=owner_account, client=Client.objects.get(pk=client.pk),
                               data=_data(email="new@example.org"), expected_version=1)
        [merged] = AuditEvent.objects.filter(account=owner_account, action="edit.merged")
        assert (merged.actor, merged.outcome, merged.section, merged.target_type, merged.target_id) == (
            b, Outcome.SUCCESS, "clients", "client", str(client.pk))
        assert merged.detail == {"merged": True, "expected_version": 1, "merged_at_version": 2,
                                 "fields_saved": ["email"], "fields_kept": ["emergency_name", "work_phone"],
                                 "merged_with": ["sunrise"]}
        services.client_update(actor=a, account=owner_account, client=Client.objects.get(pk=client.pk),
                               data=_data(email="new@example.org", work_phone="(206) 555-0111",
                                          emergency_name="Lee Poe"), expected_version=3)
    # B, with the page of version 3, changes the emergency contact too: refused, the field named.
    response = login_client(b).post(url(owner_account, "edit", number=client.number), client_data(
        email="new@example.org", work_phone="(206) 555-0111", emergency_name="Sam Roe", version="3"))
    assert response.status_code == 409
    refused = AuditEvent.objects.get(account=owner_account, action="client.update", outcome=Outcome.FAILURE)
    assert refused.detail["fields_both_changed"] == ["emergency_name"]
    text = str(merged.detail) + str(refused.detail)
    for value in ("206", "Pat Doe", "Sam Roe", "Lee Poe", "new@example.org"):
        assert value not in text


def test_a_stale_payer_edit_merges_through_the_view(owner_account, people):
    a, b = people
    payer = add_payer(owner_account)
    edit = f"/a/{owner_account.slug}/payers/{payer.pk}/"
    alice, bob = login_client(a), login_client(b)
    loaded = {name: ("" if value is None else value)
              for name, value in ((n, f.value()) for n, f in
                                  ((n, bob.get(edit).context["form"][n]) for n in
                                   ("name", "payer_id", "address", "city", "state", "zip_code", "phone",
                                    "payer_type", "notes", "version")))}
    assert alice.post(edit, {**loaded, "phone": "(206) 555-0111", "city": "Albany"}).status_code == 302
    response = bob.post(edit, {**loaded, "notes": "Claims by paper only"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "Merged with sunrise&#x27;s change of" in page and "City, Phone" in page
    with account_scope(owner_account):
        row = InsurancePayer.objects.get(pk=payer.pk)
    assert (row.phone, row.city, row.notes, row.version) == ("+12065550111", "Albany", "Claims by paper only", 3)
    assert AuditEvent.objects.filter(account=owner_account, action="edit.merged", section="payers",
                                     detail__fields_kept=["city", "phone"]).count() == 1

    # Both change the phone: the choice shows both numbers as people read them, the other's selected.
    assert alice.post(edit, {**loaded, "phone": "(206) 555-0133", "city": "Albany", "notes": "Claims by paper only",
                             "version": "3"}).status_code == 302
    response = bob.post(edit, {**loaded, "phone": "(206) 555-0144", "city": "Albany",
                               "notes": "Claims by paper only", "version": "3"})
    page = response.content.decode()
    assert response.status_code == 409 and response.context["conflict_fields"] == ["Phone"]
    assert "(206) 555-0133" in page and "(206) 555-0144" in page and "+1206" not in page
    assert response.context["form"]["phone"].value() == "(206) 555-0133"
    with account_scope(owner_account):
        assert InsurancePayer.objects.get(pk=payer.pk).phone == "+12065550133"


# --- finding 7 of issue 23: the conflict box and the merge note speak local time ---------------

def _pacific(account) -> None:
    account.time_zone = "America/Los_Angeles"
    account.save(update_fields=["time_zone"])


def test_the_conflict_box_shows_the_other_save_in_local_time(owner_account, people):
    import time_machine

    a, b = people
    _pacific(owner_account)
    client = make_client(owner_account, a)
    edit = url(owner_account, "edit", number=client.number)
    with time_machine.travel("2030-01-15 20:15:00+00:00", tick=False):
        assert login_client(a).post(edit, client_data(birth_date="1991-02-03", version="1")).status_code == 302
    with time_machine.travel("2030-01-15 20:20:00+00:00", tick=False):
        response = login_client(b).post(edit, client_data(birth_date="1992-03-04", version="1"))
    page = response.content.decode()
    assert response.status_code == 409
    assert ('<strong>sunrise</strong> saved at <time datetime="2030-01-15T12:15:00-08:00">'
            '01/15/2030 12:15 PM PST</time>:') in page
    assert "04/17/1990 → 02/03/1991" in page  # dates as the pages and the date inputs show them
    assert "UTC" not in page


def test_the_merge_note_names_the_local_time_and_the_day_when_not_today(owner_account, people):
    import time_machine

    a, b = people
    _pacific(owner_account)
    client = make_client(owner_account, a)
    edit = url(owner_account, "edit", number=client.number)
    with time_machine.travel("2030-01-15 20:15:00+00:00", tick=False):
        assert login_client(a).post(edit, client_data(city="Salem", version="1")).status_code == 302
    with time_machine.travel("2030-01-15 23:59:00+00:00", tick=False):  # 3:59 PM the same day in LA
        page = login_client(b).post(edit, client_data(last_name="Alvarez", version="1"), follow=True)
    assert "Merged with sunrise&#x27;s change of 12:15 PM PST: City." in page.content.decode()
    with time_machine.travel("2030-01-16 09:00:00+00:00", tick=False):  # 1:00 AM the next day in LA
        page = login_client(a).post(edit, client_data(last_name="Alvarez", city="Salem", email="z@example.org",
                                                      version="2"), follow=True)
    assert ("Merged with practice-manager&#x27;s change of 01/15/2030 3:59 PM PST: Last name."
            in page.content.decode())
