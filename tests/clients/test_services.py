"""The Clients services: numbers, status, lines, and the event each change writes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import transaction

from practicegate.audit.models import AuditEvent
from practicegate.clients import services
from practicegate.clients.models import ClientChange, ClientCounter, ClientPolicy, Status
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope
from practicegate.records.editing import EditConflict
from tests.clients.helpers import _data, make_client

pytestmark = pytest.mark.django_db


def events_since(mark):
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_client_numbers_count_up_per_account_and_are_never_reused(owner_account, other_account, owner):
    a = [make_client(owner_account, owner, first_name=name).number for name in ("Ann", "Bo", "Cy")]
    b = make_client(other_account, other_account.owner).number
    assert a == [1, 2, 3] and b == 1
    # A failed add gives its number back with the rollback (numbers stay gapless); a
    # committed number is never handed out again (clients are never deleted).
    with account_scope(owner_account), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.client_create(actor=owner, account=owner_account,
                                   data={**_data(), "first_name": "Rolled"})
            raise RuntimeError
    assert make_client(owner_account, owner, first_name="Di").number == 4
    with account_scope(owner_account):
        assert ClientCounter.objects.get(account=owner_account).next_number == 5


def test_add_writes_one_event_with_field_names_and_a_change_row_with_the_values(owner_account, owner):
    mark = last_id()
    client = make_client(owner_account, owner)
    [event] = events_since(mark)
    assert (event.action, event.target_type, event.target_id, event.section) == (
        "client.add", "client", str(client.pk), "clients")
    assert "first_name" in event.detail["fields"] and event.detail["version"] == 1
    text = json.dumps(event.detail, ensure_ascii=False)
    for phi in ("Zoë", "Brien", "1990-04-17", "+15035550123", "zoe@example.org", "Portland"):
        assert phi not in text
    with account_scope(owner_account):
        change = ClientChange.objects.get(event=event)
    assert change.changes["first_name"] == [None, "Zoë"] and change.client_id == client.pk


def test_update_records_before_and_after_and_refuses_a_stale_version(owner_account, owner):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        mark = last_id()
        services.client_update(actor=owner, account=owner_account, client=client,
                               data=_data(last_name="Smith"), expected_version=1)
        [event] = events_since(mark)
        assert event.detail["fields"] == ["last_name"] and event.detail["version"] == 2
        assert ClientChange.objects.get(event=event).changes == {"last_name": ["O'Brien-Núñez", "Smith"]}
        client.refresh_from_db()
        assert (client.version, client.search_key, client.sort_key) == (2, "zoe smith zo", "smith zoe")
        with pytest.raises(EditConflict) as caught:
            services.client_update(actor=owner, account=owner_account, client=client,
                                   data=_data(last_name="Jones"), expected_version=1)
        assert caught.value.current == 2
        client.refresh_from_db()
        assert client.last_name == "Smith"


def test_discharge_and_readmit(owner_account, owner):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        with pytest.raises(services.FieldError):
            services.client_discharge(actor=owner, account=owner_account, client=client,
                                      discharge_date=date(2023, 1, 1), expected_version=1)
        services.client_discharge(actor=owner, account=owner_account, client=client,
                                  discharge_date=date(2024, 6, 1), expected_version=1)
        client.refresh_from_db()
        assert (client.status, client.discharge_date, client.version) == (Status.DISCHARGED, date(2024, 6, 1), 2)
        with pytest.raises(ServiceError):
            services.client_discharge(actor=owner, account=owner_account, client=client,
                                      discharge_date=date(2024, 6, 2), expected_version=2)
        services.client_readmit(actor=owner, account=owner_account, client=client,
                                intake_date=date(2024, 9, 1), expected_version=2)
        client.refresh_from_db()
        assert (client.status, client.discharge_date, client.intake_date) == (Status.ACTIVE, None, date(2024, 9, 1))


def test_one_primary_diagnosis_at_a_time_and_void_keeps_the_line(owner_account, owner, codes):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        first = services.client_diagnosis_add(actor=owner, account=owner_account, client=client,
                                              code=codes["dx"], is_primary=True, start_date=date(2024, 1, 1))
        with pytest.raises(services.FieldError) as caught:
            services.client_diagnosis_add(actor=owner, account=owner_account, client=client,
                                          code=codes["dx2"], is_primary=True, start_date=date(2024, 1, 1))
        assert caught.value.field == "is_primary"
        services.client_diagnosis_end(actor=owner, account=owner_account, client=client, line=first,
                                      end_date=date(2024, 3, 1), expected_version=1)
        second = services.client_diagnosis_add(actor=owner, account=owner_account, client=client,
                                               code=codes["dx2"], is_primary=True, start_date=date(2024, 3, 1))
        services.client_diagnosis_void(actor=owner, account=owner_account, client=client, line=second,
                                       reason="Entered on the wrong client", expected_version=1)
        second.refresh_from_db()
        assert second.voided and second.void_reason == "Entered on the wrong client"
        assert client.diagnoses.count() == 2
        with pytest.raises(ServiceError):
            services.client_diagnosis_end(actor=owner, account=owner_account, client=client, line=second,
                                          end_date=date(2024, 4, 1), expected_version=2)


def test_a_pointed_to_diagnosis_cannot_be_voided(owner_account, owner, codes):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client,
                                           code=codes["dx"], is_primary=True, start_date=date(2024, 1, 1))
        service = services.client_service_add(actor=owner, account=owner_account, client=client,
                                              billing_code=codes["billing"],
                                              data={"service_date": date(2024, 1, 2), "units": 2, "fee": None,
                                                    "diagnosis1": dx})
        assert str(service.fee) == "340.00" and service.units == 2
        with pytest.raises(ServiceError):
            services.client_diagnosis_void(actor=owner, account=owner_account, client=client, line=dx,
                                           reason="x", expected_version=1)
        services.client_service_void(actor=owner, account=owner_account, client=client, line=service,
                                     reason="Duplicate", expected_version=1)
        services.client_diagnosis_void(actor=owner, account=owner_account, client=client, line=dx,
                                       reason="x", expected_version=1)


def _policy(**kw):
    data = {"priority": 1, "member_id": "M1", "group_number": "", "subscriber": "self", "subscriber_name": "",
            "subscriber_birth_date": None, "relationship": "", "effective_date": date(2024, 1, 1), "end_date": None}
    data.update(kw)
    return data


def test_at_most_one_policy_of_each_priority_at_a_time(owner_account, owner, codes):
    client = make_client(owner_account, owner)
    payer = codes["payer"]
    with account_scope(owner_account):
        first = services.client_policy_add(actor=owner, account=owner_account, client=client, payer=payer,
                                           data=_policy())
        with pytest.raises(services.FieldError) as caught:
            services.client_policy_add(actor=owner, account=owner_account, client=client, payer=payer,
                                       data=_policy(effective_date=date(2024, 5, 1)))
        assert caught.value.field == "priority"
        services.client_policy_add(actor=owner, account=owner_account, client=client, payer=payer,
                                   data=_policy(priority=2))
        services.client_policy_end(actor=owner, account=owner_account, client=client, line=first,
                                   end_date=date(2024, 4, 30), expected_version=1)
        services.client_policy_add(actor=owner, account=owner_account, client=client, payer=payer,
                                   data=_policy(effective_date=date(2024, 5, 1)))
        with pytest.raises(services.FieldError):  # overlaps the ended one's dates
            services.client_policy_add(actor=owner, account=owner_account, client=client, payer=payer,
                                       data=_policy(effective_date=date(2024, 3, 1), end_date=date(2024, 3, 31)))
        assert ClientPolicy.objects.filter(account=owner_account, client=client).count() == 3


def test_inactive_codes_and_payers_cannot_be_used_for_new_lines(owner_account, owner, codes):
    from practicegate.masterfiles import services as mf
    from practicegate.masterfiles.kinds import DIAGNOSIS

    client = make_client(owner_account, owner)
    mf.masterfile_set_active(actor=owner, account=owner_account, kind=DIAGNOSIS, row=codes["dx"], active=False,
                             expected_version=codes["dx"].version)
    with account_scope(owner_account), pytest.raises(services.FieldError):
        services.client_diagnosis_add(actor=owner, account=owner_account, client=client, code=codes["dx"],
                                      is_primary=False, start_date=date(2024, 1, 1))


def test_a_line_of_another_client_is_refused(owner_account, owner, codes):
    one, two = make_client(owner_account, owner), make_client(owner_account, owner, first_name="Ann")
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=one, code=codes["dx"],
                                           is_primary=False, start_date=date(2024, 1, 1))
        with pytest.raises(services.FieldError):
            services.client_service_add(actor=owner, account=owner_account, client=two,
                                        billing_code=codes["billing"],
                                        data={"service_date": date(2024, 1, 2), "diagnosis1": dx})


def test_an_edited_change_row_no_longer_matches_its_event(owner_account, owner):
    from practicegate.clients.selectors import changes_not_matching_the_log

    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        services.client_update(actor=owner, account=owner_account, client=client,
                               data=_data(city="Salem"), expected_version=1)
        assert changes_not_matching_the_log(owner_account) == []
        change = ClientChange.objects.filter(account=owner_account).latest("id")
        ClientChange.objects.filter(pk=change.pk).update(changes={"city": ["Portland", "Eugene"]})
        assert changes_not_matching_the_log(owner_account) == [change.pk]
