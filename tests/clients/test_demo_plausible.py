"""The demo's clients are ones a practice would believe: a parent for a child, add-on codes only
beside their primary code, real preferred names, services on days a practice is open."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from practicegate.accounts import demo as accounts_demo
from practicegate.accounts.models import Account
from practicegate.clients import demo as clients_demo
from practicegate.clients import demo_people as people
from practicegate.clients.models import Client, ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.demo import build_demo
from practicegate.core.scoping import account_scope, across_accounts
from practicegate.masterfiles import demo as masterfiles_demo
from practicegate.masterfiles import services as masterfile_services
from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER

pytestmark = pytest.mark.django_db

CLIENTS = 200


@pytest.fixture
def practice(owner_account):
    """An account with every demo billing code and payer and the common diagnoses, and 200 demo clients."""
    rows = [(BILLING, row) for row in masterfiles_demo._billing_rows(len(masterfiles_demo.BILLING_CODES), "0")]
    rows += [(PAYER, {"address": "", "notes": "", **row}) for row in masterfiles_demo.PAYERS]
    rows += [(DIAGNOSIS, {"code": code, "description": f"Diagnosis {code}"})
             for code in sorted(set(people.CHILD_DIAGNOSES) | set(people.ADULT_DIAGNOSES))]
    rows.append((DIAGNOSIS, {"code": "F0150", "description": "Vascular dementia"}))  # never a child's
    with account_scope(owner_account):
        for kind, data in rows:
            masterfile_services.masterfile_create(actor=None, account=owner_account, kind=kind, data=data)
        clients_demo.add_demo_clients(owner_account, count=CLIENTS, seed=clients_demo.SEED)
    return owner_account


def _ages(account) -> dict[int, int]:
    today = date.today()
    return {c.pk: clients_demo.age_on(c.birth_date, today) for c in Client.objects.filter(account=account)}


def contacts_fit_the_age(account) -> None:
    ages, children = _ages(account), 0
    for client in Client.objects.filter(account=account):
        relationship = client.emergency_relationship
        if ages[client.pk] < 18:
            children += 1
            assert client.emergency_name and client.emergency_phone, client
            assert relationship in people.GUARDIANS, (client.birth_date, relationship)
        elif relationship:
            assert relationship not in people.GUARDIANS[2:], relationship
        if relationship in people.COUPLES:
            assert ages[client.pk] >= 18, (client.birth_date, relationship)
        if relationship in ("Daughter", "Son"):
            assert ages[client.pk] >= 40, (client.birth_date, relationship)
        assert bool(client.emergency_name) == bool(relationship) == bool(client.emergency_phone)
    assert children, "the demo has children"


def add_ons_come_with_their_primary(account) -> set[str]:
    codes_on = defaultdict(set)
    services = list(ClientService.objects.filter(account=account).select_related("billing_code"))
    for service in services:
        codes_on[service.client_id, service.service_date].add(service.billing_code.code)
    billed = set()
    for (_client, day), codes in codes_on.items():
        billed |= codes
        for code in codes & people.ADD_ONS.keys():
            assert codes & people.ADD_ONS[code], f"{code} billed alone on {day}: {sorted(codes)}"
        assert len(codes - people.ADD_ONS.keys() - {people.SCREENING_CODE}) == 1, (day, codes)
    return billed


def services_fall_on_plausible_days(account) -> None:
    today = date.today()
    policies = defaultdict(list)
    for policy in ClientPolicy.objects.filter(account=account):
        policies[policy.client_id].append(policy)
    intakes = {}
    for service in ClientService.objects.filter(account=account).select_related("client", "billing_code"):
        client, day = service.client, service.service_date
        assert day.weekday() < 5, f"a service on a {day:%A}"
        assert client.birth_date < client.intake_date <= day <= today
        if client.discharge_date:
            assert day <= client.discharge_date
        for policy in policies[client.pk]:
            assert policy.effective_date <= day and (policy.end_date is None or day <= policy.end_date)
        if service.billing_code.code in people.INTAKE_CODES:
            assert day == client.intake_date
            assert client.pk not in intakes, "one intake evaluation per client"
            intakes[client.pk] = day
    assert intakes
    # An active client has been seen lately: its last visit is within ten weeks.
    last_seen = defaultdict(lambda: date.min)
    for client_id, day in ClientService.objects.filter(account=account, client__status="active").values_list(
            "client_id", "service_date"):
        last_seen[client_id] = max(last_seen[client_id], day)
    assert last_seen and all((today - day).days <= 70 for day in last_seen.values()), \
        sorted(last_seen.values())[:3]


def preferred_names_are_real(account) -> None:
    named = Client.objects.filter(account=account).exclude(preferred_name="")
    assert named.exists()
    for client in named:
        assert client.preferred_name in people.NICKNAMES.get(client.first_name, ()), \
            (client.first_name, client.preferred_name)


def every_service_points_at_its_clients_diagnosis(account) -> None:
    services = ClientService.objects.filter(account=account)
    assert services.exists()
    assert not services.filter(diagnosis1__isnull=True).exists()
    for service in services.select_related("diagnosis1"):
        assert service.diagnosis1.client_id == service.client_id


def test_every_child_has_a_parent_or_guardian_and_only_adults_a_spouse(practice):
    with account_scope(practice):
        contacts_fit_the_age(practice)


def test_add_on_codes_are_billed_only_with_their_primary_code_on_the_same_day(practice):
    with account_scope(practice):
        billed = add_ons_come_with_their_primary(practice)
    assert {"90785", "90840", "90839", "90791"} <= billed  # the rule was exercised, not avoided


def test_services_are_on_weekdays_after_intake_never_in_the_future_and_within_coverage(practice):
    with account_scope(practice):
        services_fall_on_plausible_days(practice)


def test_preferred_names_are_real_short_forms_of_the_first_name(practice):
    with account_scope(practice):
        preferred_names_are_real(practice)
        assert not Client.objects.filter(preferred_name__in=["Kry", "Jam"]).exists()


def test_every_service_has_a_diagnosis_pointer(practice):
    with account_scope(practice):
        every_service_points_at_its_clients_diagnosis(practice)


def test_children_get_childrens_diagnoses_and_medicare_is_for_65_and_over(practice):
    subscribers = defaultdict(set)
    with account_scope(practice):
        ages = _ages(practice)
        for dx in ClientDiagnosis.objects.filter(account=practice).select_related("code"):
            wanted = people.CHILD_DIAGNOSES if ages[dx.client_id] < 18 else people.ADULT_DIAGNOSES
            assert dx.code.code in wanted
        for policy in ClientPolicy.objects.filter(account=practice).select_related("payer"):
            if policy.payer.payer_type == "medicare":
                assert ages[policy.client_id] >= 65
                assert policy.subscriber == "self"
            if ages[policy.client_id] < 18 and policy.subscriber == "other":
                assert policy.relationship == "child"
                assert policy.subscriber_birth_date < policy.client.birth_date
            if policy.subscriber == "other":
                subscribers[policy.client_id, policy.relationship].add(
                    (policy.subscriber_name, policy.subscriber_birth_date))
    # A client on a parent's (or spouse's) plan names the same parent on each of its policies.
    assert subscribers and all(len(people_) == 1 for people_ in subscribers.values())


def test_the_whole_demo_is_plausible_in_every_account():
    build_demo()
    accounts = Account.objects.filter(slug__in=[a[0] for a in accounts_demo.DEMO_ACCOUNTS]).order_by("id")
    with across_accounts():
        for account in accounts:
            contacts_fit_the_age(account)
            add_ons_come_with_their_primary(account)
            services_fall_on_plausible_days(account)
            preferred_names_are_real(account)
            every_service_points_at_its_clients_diagnosis(account)
