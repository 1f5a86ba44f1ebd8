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
from practicegate.clients import demo_people as people
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


def _weekday_on_or_after(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _weekday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _first_name(fake: Faker, sex) -> str:
    return fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male() if sex == Sex.MALE \
        else fake.first_name_nonbinary()


def _contact(fake: Faker, rng: random.Random, age: int, last: str) -> tuple[str, str]:
    """(name, relationship) of an emergency contact plausible for a client of `age`."""
    if age < people.ADULT_AGE:
        relationship = rng.choices(people.GUARDIANS, weights=(50, 30, 10, 10))[0]
    else:
        band = next(choices for oldest, choices in people.ADULT_CONTACTS if age <= oldest)
        relationship = rng.choices([r for r, _ in band], weights=[w for _, w in band])[0]
    first = fake.first_name_female() if relationship in people.WOMEN else \
        fake.first_name_male() if relationship in people.MEN else fake.first_name()
    same_last = relationship in people.FAMILY and rng.random() < 0.8
    return f"{first} {last if same_last else fake.last_name()}", relationship


def _person(fake: Faker, rng: random.Random, today: date) -> dict:
    sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[52, 45, 3])[0]
    first = _first_name(fake, sex)
    born = fake.date_between(today - timedelta(days=365 * 80), today - timedelta(days=365 * 6))
    intake = _weekday_on_or_after(fake.date_between(
        max(born + timedelta(days=365 * 5), today - timedelta(days=365 * 6)), today - timedelta(days=30)))
    last = fake.last_name()
    age = age_on(born, today)
    child = age < people.ADULT_AGE
    # Every child's file names a parent or guardian; most adults name someone.
    contact = _contact(fake, rng, age, last) if child or rng.random() < 0.6 else ("", "")
    nicknames = people.NICKNAMES.get(first, ())
    # A child's e-mail address on file is a parent's.
    mail_name = contact[0].split()[0] if child else first
    return {
        "first_name": first, "middle_name": fake.first_name()[:1] if rng.random() < 0.3 else "",
        "last_name": last, "preferred_name": rng.choice(nicknames) if nicknames and rng.random() < 0.3 else "",
        "birth_date": born, "sex": sex, "gender_identity": "Non-binary" if sex == Sex.UNKNOWN else "",
        "address1": fake.street_address(), "address2": "", "city": fake.city(), "state": rng.choice(STATES),
        "zip_code": fake.zipcode(), "home_phone": _phone(rng) if rng.random() < 0.3 else "",
        "mobile_phone": _phone(rng), "work_phone": "",
        "email": f"{mail_name}.{last}@{fake.safe_domain_name()}".lower(),
        "emergency_name": contact[0], "emergency_relationship": contact[1],
        "emergency_phone": _phone(rng) if contact[0] else "", "intake_date": intake,
    }


def _diagnosis_choices(common: dict, fallback: list, age: int) -> list:
    """The account's codes a practice would give a client of `age`, else its first active codes."""
    wanted = people.CHILD_DIAGNOSES if age < people.ADULT_AGE else people.ADULT_DIAGNOSES
    return [common[c] for c in wanted if c in common] or fallback


def _pick_payers(rng: random.Random, payers: list, age: int) -> list:
    """None, one or two of the account's payers; Medicare only from 65, and then usually first."""
    allowed = [p for p in payers if p.payer_type != "medicare" or age >= 65]
    picked = rng.sample(allowed, k=min(len(allowed), rng.choice((0, 1, 1, 1, 2))))
    medicare = [p for p in allowed if p.payer_type == "medicare"]
    if medicare and picked and medicare[0] not in picked and rng.random() < 0.7:
        picked[0] = medicare[0]
    return picked


def _subscriber(fake, rng, client, relationship, known: dict) -> tuple[str, date]:
    """The parent or spouse whose plan covers the client: the emergency contact when that is who it
    is, and the same person on every policy of the client."""
    if relationship not in known:
        if relationship == Relationship.CHILD:
            named = client.emergency_relationship in people.GUARDIANS
            years = rng.randrange(22, 41)
        else:
            named = client.emergency_relationship in people.COUPLES
            years = rng.randrange(-4, 5)
        name = client.emergency_name if named else f"{fake.first_name()} {client.last_name}"
        known[relationship] = (name, client.birth_date - timedelta(days=round(365.25 * years)))
    return known[relationship]


def _policy(fake, rng, account, client, payer, priority, age: int, known: dict) -> ClientPolicy:
    """A policy in effect from before the intake: a child on a parent's plan, some adults on a spouse's
    (or, under 26, a parent's); Medicare and Medicaid members are their own subscribers."""
    own_plan = payer.payer_type in ("medicare", "medicaid")
    if own_plan:
        relationship = ""
    elif age < people.ADULT_AGE or (age < 26 and rng.random() < 0.4):
        relationship = Relationship.CHILD
    elif age >= 20 and rng.random() < 0.2:
        relationship = Relationship.SPOUSE
    else:
        relationship = ""
    name, born = _subscriber(fake, rng, client, relationship, known) if relationship else ("", None)
    start = client.intake_date.replace(day=1) if rng.random() < 0.6 else client.intake_date.replace(month=1, day=1)
    return ClientPolicy(
        account=account, client=client, payer=payer, priority=priority,
        member_id=f"{payer.payer_id or 'EAP'}{rng.randrange(10**8):08d}",
        group_number=f"G{rng.randrange(10**5):05d}" if not own_plan and rng.random() < 0.7 else "",
        subscriber=Subscriber.OTHER if relationship else Subscriber.SELF, subscriber_name=name,
        subscriber_birth_date=born, relationship=relationship, effective_date=max(start, client.birth_date))


def _therapy_code(rng: random.Random, billing: dict) -> str | None:
    therapy = [(c, w) for c, w in people.THERAPY_CODES if c in billing]
    return rng.choices([c for c, _ in therapy], weights=[w for _, w in therapy])[0] if therapy else None


def _visit_codes(rng: random.Random, billing: dict, age: int, *, intake: bool, usual: str | None) -> list:
    """The codes billed for one visit: a primary code, and now and then an add-on that belongs with it.
    A therapy session is usually the client's `usual` length."""
    if intake:
        primary = [billing[c] for c in people.INTAKE_CODES if c in billing]
        lines = [primary[1] if len(primary) > 1 and rng.random() < 0.15 else primary[0]] if primary else []
    else:
        kind = rng.choices(("therapy", "family", "group", "crisis"),
                           weights=(70, 22 if age < people.ADULT_AGE else 6, 6, 2))[0]
        options = {"family": [c for c in people.FAMILY_CODES if c in billing],
                   "group": [people.GROUP_CODE] if people.GROUP_CODE in billing else [],
                   "crisis": [people.CRISIS_CODE] if people.CRISIS_CODE in billing else []}.get(kind, [])
        if options:
            lines = [billing[rng.choice(options)]]
        elif usual:
            lines = [billing[usual if rng.random() < 0.85 else _therapy_code(rng, billing)]]
        else:
            primaries = [c for code, c in billing.items() if code not in people.ADD_ONS and code != people.SCREENING_CODE]
            lines = [rng.choice(primaries)] if primaries else []
    if not lines:
        return []
    main = lines[0].code
    complexity = 0.15 if age < people.ADULT_AGE else 0.04
    if "90785" in billing and main in people.ADD_ONS["90785"] and rng.random() < complexity:
        lines.append(billing["90785"])
    if "90840" in billing and main == people.CRISIS_CODE and rng.random() < 0.4:
        lines.append(billing["90840"])
    if people.SCREENING_CODE in billing and rng.random() < (0.3 if intake else 0.04):
        lines.append(billing[people.SCREENING_CODE])
    return lines


def _visit_days(rng: random.Random, first: date, last: date, count: int, *, latest: bool) -> list[date]:
    """The intake on `first` and up to `count - 1` follow-ups in a weekly or fortnightly slot on the
    intake's weekday (a weekday), a week missed now and then, never after `last`.

    A discharged client's follow-ups come right after the intake; an active client's are the
    latest slots before `last`, so an active client has been seen lately."""
    if not count:
        return []
    step = rng.choice((7, 7, 7, 14))
    slots = (last - first).days // step  # slot k falls on first + k * step
    picked: list[int] = []
    for slot in (range(slots, 0, -1) if latest else range(1, slots + 1)):
        if len(picked) == count - 1:
            break
        if rng.random() >= 0.15:  # else a missed week
            picked.append(slot)
    return [first] + sorted(first + timedelta(days=step * slot) for slot in picked)


def add_demo_clients(account, *, count: int, seed: int, actor=None) -> int:
    """Add `count` generated clients with their lines to `account` (inside its scope)."""
    fake, rng = Faker("en_US"), random.Random(seed)
    fake.seed_instance(seed)
    today = date.today()
    active = DiagnosisCode.objects.filter(account=account, active=True).order_by("code")
    common = {c.code: c for c in active.filter(code__in=people.CHILD_DIAGNOSES + people.ADULT_DIAGNOSES)}
    fallback = [] if common else list(active[:200])
    payers = list(InsurancePayer.objects.filter(account=account, active=True).order_by("name", "id"))
    billing = {c.code: c for c in BillingCode.objects.filter(account=account, active=True).order_by("code")}
    clients = []
    for number in _take_numbers(account, count):
        client = Client(account=account, number=number, **_person(fake, rng, today))
        if rng.random() < 0.15:
            client.status = Status.DISCHARGED
            client.discharge_date = max(client.intake_date, _weekday_on_or_before(
                client.intake_date + timedelta(days=rng.randrange(14, max(15, (today - client.intake_date).days)))))
        _keys(client)
        clients.append(client)
    Client.objects.bulk_create(clients, batch_size=bulk.BATCH)
    added = [Added(c, {f: (None, getattr(c, f)) for f in DEMOGRAPHIC_FIELDS}, extra={"number": c.number, "demo": True})
             for c in clients]

    diagnoses, policies, services = [], [], []
    for client in clients:
        age = age_on(client.birth_date, today)
        last_day = min(client.discharge_date or today, today)
        choices = _diagnosis_choices(common, fallback, age)
        picked = rng.sample(choices, k=min(len(choices), rng.choice((1, 1, 2, 3)))) if choices else []
        for i, code in enumerate(picked):
            diagnoses.append(ClientDiagnosis(account=account, client=client, code=code, is_primary=i == 0,
                                             start_date=client.intake_date))
        household: dict = {}
        for priority, payer in zip((Priority.PRIMARY, Priority.SECONDARY), _pick_payers(rng, payers, age),
                                   strict=False):
            policies.append(_policy(fake, rng, account, client, payer, priority, age, household))
        if billing and picked:  # a service is billed against a diagnosis
            active = client.status == Status.ACTIVE  # seen lately: an intake and at least one follow-up
            visits = rng.randrange(2, 9) if active else rng.randrange(0, 9)
            usual = _therapy_code(rng, billing)
            for day in _visit_days(rng, client.intake_date, last_day, visits, latest=active):
                for code in _visit_codes(rng, billing, age, intake=day == client.intake_date, usual=usual):
                    units = code.units or 1
                    services.append(ClientService(account=account, client=client, service_date=day,
                                                  billing_code=code, units=units, fee=default_fee(code, units)))
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

