"""The demo's synthetic clients: a few hundred per account, from a fixed seed, on the account's own codes."""

from __future__ import annotations

import pytest
from django.db.models import F

from practicegate.accounts import demo
from practicegate.accounts.models import Account
from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.verify import verify_chain
from practicegate.clients import demo as clients_demo
from practicegate.clients.models import (
    Client,
    ClientChange,
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
)
from practicegate.core.demo import build_demo
from practicegate.core.scoping import account_scope, across_accounts
from tests.masterfiles.helpers import add_billing, add_diagnosis, add_payer

pytestmark = pytest.mark.django_db


def test_every_demo_account_gets_a_few_hundred_clients_on_its_own_codes():
    build_demo()
    accounts = list(Account.objects.filter(slug__in=[a[0] for a in demo.DEMO_ACCOUNTS]).order_by("id"))
    with across_accounts():
        for account, expected in zip(accounts, clients_demo.CLIENTS_PER_ACCOUNT, strict=True):
            clients = Client.objects.filter(account=account)
            assert clients.count() == expected >= 200
            assert list(clients.order_by("number").values_list("number", flat=True)) == list(range(1, expected + 1))
            assert clients.filter(status="discharged").exists()
            dx = ClientDiagnosis.objects.filter(account=account)
            policies = ClientPolicy.objects.filter(account=account)
            services = ClientService.objects.filter(account=account)
            assert dx.count() >= expected and policies.count() and services.count()
            # Every line names this account's own codes, payers and clients.
            assert not dx.exclude(code__account=account).exists()
            assert not policies.exclude(payer__account=account).exists()
            assert not services.exclude(billing_code__account=account).exists()
            assert not services.exclude(diagnosis1__client=F("client")).exists()
            assert not services.filter(service_date__lt=F("client__intake_date")).exists()
            events = AuditEvent.objects.filter(account=account, action__startswith="client.")
            lines = dx.count() + policies.count() + services.count()
            assert events.filter(action="client.add").count() == expected
            assert events.count() == expected + lines
            assert ClientChange.objects.filter(account=account).count() == expected + lines
            assert verify_chain(AuditChain.objects.get(account=account)) == []
            # Obviously fictitious: phone numbers in 555-01xx, e-mail at the reserved domains.
            phones = set(clients.values_list("mobile_phone", flat=True))
            assert all(p[5:10] == "55501" for p in phones)
            assert all(e.rsplit(".", 1)[0].endswith("example") for e in clients.values_list("email", flat=True))


def test_the_same_seed_makes_the_same_clients(owner_account, other_account):
    for account in (owner_account, other_account):
        add_diagnosis(account)
        add_billing(account)
        add_payer(account)
        with account_scope(account):
            clients_demo.add_demo_clients(account, count=30, seed=7)
    with across_accounts():
        def people(account):
            return list(Client.objects.filter(account=account).order_by("number")
                        .values_list("first_name", "last_name", "birth_date", "mobile_phone"))
        assert people(owner_account) == people(other_account) and len(people(owner_account)) == 30
