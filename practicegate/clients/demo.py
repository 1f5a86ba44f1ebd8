"""Synthetic clients for the demo practice: a few hundred per account, obviously fictitious.

Generated with Faker from a fixed seed (the same clients on every machine), with
telephone numbers in the 555-01xx range set aside for fiction and e-mail addresses at
example.org/.com/.net. Diagnoses, policies and services use each account's own active
diagnosis codes, payers and billing codes (the master-file demo runs first). Everything
is written with bulk inserts, and every addition gets the event and ClientChange its
service would write (bulk.log_added), so `make run` stays quick.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from practicegate.audit.models import Channel
from practicegate.clients import bulk
from practicegate.clients.bulk import Added
from practicegate.clients.imports import _take_numbers
from practicegate.clients.models import (
    Client,
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
    Priority,
    Relationship,
    Sex,
    Status,
    Subscriber,
)
from practicegate.clients.services import DEMOGRAPHIC_FIELDS, POLICY_FIELDS, _keys, default_fee
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

CLIENTS_PER_ACCOUNT = (320, 260, 200)
SEED = 20260413
STATES = ("OR", "WA", "NY", "CT", "MA", "CA", "TX", "IL")


def build(accounts) -> list:
    for index, account in enumerate(accounts):
        count = CLIENTS_PER_ACCOUNT[index % len(CLIENTS_PER_ACCOUNT)]
        with account_scope(account):
            add_demo_clients(account, count=count, seed=SEED + index)
    return []


def _phone(rng: random.Random) -> str:
    return f"+1{rng.choice(('503', '206', '212', '860', '617'))}55501{rng.randrange(100):02d}"


def _person(fake: Faker, rng: random.Random, today: date) -> dict:
    sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[52, 45, 3])[0]
    first = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male() if sex == Sex.MALE \
        else fake.first_name_nonbinary()
    born = fake.date_between(today - timedelta(days=365 * 80), today - timedelta(days=365 * 6))
    intake = fake.date_between(max(born + timedelta(days=365 * 5), today - timedelta(days=365 * 6)),
                               today - timedelta(days=30))
    last = fake.last_name()
    return {
        "first_name": first, "middle_name": fake.first_name()[:1] if rng.random() < 0.3 else "",
        "last_name": last, "preferred_name": first[:3] if rng.random() < 0.08 else "",
        "birth_date": born, "sex": sex, "gender_identity": "Non-binary" if sex == Sex.UNKNOWN else "",
        "address1": fake.street_address(), "address2": "", "city": fake.city(), "state": rng.choice(STATES),
        "zip_code": fake.zipcode(), "home_phone": _phone(rng) if rng.random() < 0.3 else "",
        "mobile_phone": _phone(rng), "work_phone": "", "email": f"{first}.{last}@{fake.safe_domain_name()}".lower(),
        "emergency_name": fake.name() if rng.random() < 0.6 else "", "emergency_relationship": "",
        "emergency_phone": "", "intake_date": intake,
    }


def add_demo_clients(account, *, count: int, seed: int, actor=None) -> int:
    """Add `count` generated clients with their lines to `account` (inside its scope)."""
    fake, rng = Faker("en_US"), random.Random(seed)
    fake.seed_instance(seed)
    today = date.today()
    codes = list(DiagnosisCode.objects.filter(account=account, active=True).order_by("code")[:200])
    payers = list(InsurancePayer.objects.filter(account=account, active=True).order_by("name", "id"))
    billing = list(BillingCode.objects.filter(account=account, active=True).order_by("code"))
    clients = []
    for number in _take_numbers(account, count):
        client = Client(account=account, number=number, **_person(fake, rng, today))
        client.emergency_relationship = rng.choice(("Parent", "Spouse", "Friend")) if client.emergency_name else ""
        client.emergency_phone = _phone(rng) if client.emergency_name else ""
        if rng.random() < 0.15:
            client.status = Status.DISCHARGED
            client.discharge_date = client.intake_date + timedelta(days=rng.randrange(14, max(15, (today - client.intake_date).days)))
        _keys(client)
        clients.append(client)
    Client.objects.bulk_create(clients, batch_size=bulk.BATCH)
    added = [Added(c, {f: (None, getattr(c, f)) for f in DEMOGRAPHIC_FIELDS}, extra={"number": c.number, "demo": True})
             for c in clients]

    diagnoses, policies, services = [], [], []
    for client in clients:
        last_day = client.discharge_date or today
        picked = rng.sample(codes, k=min(len(codes), rng.choice((1, 1, 2, 3)))) if codes else []
        for i, code in enumerate(picked):
            diagnoses.append(ClientDiagnosis(account=account, client=client, code=code, is_primary=i == 0,
                                             start_date=client.intake_date))
        for priority, payer in zip((Priority.PRIMARY, Priority.SECONDARY),
                                   rng.sample(payers, k=min(len(payers), rng.choice((0, 1, 1, 1, 2)))), strict=False):
            other = rng.random() < 0.2
            policies.append(ClientPolicy(
                account=account, client=client, payer=payer, priority=priority,
                member_id=f"{payer.payer_id or 'EAP'}{rng.randrange(10**8):08d}",
                group_number=f"G{rng.randrange(10**5):05d}" if rng.random() < 0.7 else "",
                subscriber=Subscriber.OTHER if other else Subscriber.SELF,
                subscriber_name=f"{fake.first_name()} {client.last_name}" if other else "",
                subscriber_birth_date=client.birth_date - timedelta(days=365 * 25) if other else None,
                relationship=Relationship.CHILD if other else "", effective_date=client.intake_date))
        if billing:
            for _ in range(rng.randrange(0, 9)):
                code = rng.choice(billing)
                units = code.units or 1
                day = client.intake_date + timedelta(days=rng.randrange(0, max(1, (last_day - client.intake_date).days)))
                services.append(ClientService(account=account, client=client, service_date=day, billing_code=code,
                                              units=units, fee=default_fee(code, units)))
    ClientDiagnosis.objects.bulk_create(diagnoses, batch_size=bulk.BATCH)
    primary = {d.client_id: d for d in diagnoses if d.is_primary}
    for service in services:
        service.diagnosis1 = primary.get(service.client_id)
    ClientPolicy.objects.bulk_create(policies, batch_size=bulk.BATCH)
    ClientService.objects.bulk_create(services, batch_size=bulk.BATCH)
    latest = {}  # the list's "last service" order (kept by the services for one service)
    for service in services:
        latest[service.client_id] = max(latest.get(service.client_id, service.service_date), service.service_date)
    for client in clients:
        client.last_service_date = latest.get(client.pk, client.last_service_date)
    Client.objects.bulk_update(clients, ["last_service_date"], batch_size=bulk.BATCH)

    added += [Added(d.client, {"code": (None, d.code.display_code), "is_primary": (None, d.is_primary),
                               "start_date": (None, d.start_date)}, "diagnosis", d) for d in diagnoses]
    added += [Added(p.client, {"payer": (None, p.payer.name), **{f: (None, getattr(p, f)) for f in POLICY_FIELDS}},
                    "policy", p) for p in policies]
    added += [Added(s.client, {"service_date": (None, s.service_date), "billing_code": (None, s.billing_code.code),
                               "units": (None, s.units), "fee": (None, s.fee),
                               "diagnosis1": (None, s.diagnosis1.code.display_code if s.diagnosis1 else None)},
                    "service", s) for s in services]
    bulk.log_added(added, actor=actor, account=account, channel=Channel.CLI)
    return len(clients)

