"""Constant query counts: every page of the authorization-matrix walk costs the same number of
queries with 1 row of each kind as with 50 (usernames, join codes, codes, payers, clients, events,
and accounts in the provider dropdown). A page that queries once per row fails here."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practicegate.access.models import JoinCode
from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.usernames import username_key, username_skeleton
from practicegate.audit.services import record
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import full_levels
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.clients.helpers import make_client
from tests.helpers import login_client, make_account
from tests.walk import account_routes, id_kwargs, path_for

ROUTES = sorted(account_routes())
PAGES = [(name or route, view) for route, name, view in ROUTES if not id_kwargs(route)]  # only the account


def concrete_path(route: str, slug: str) -> tuple[str, bool]:
    return path_for(route, slug, {}), bool(id_kwargs(route))


def _populate(account: Account, owner: User, n: int) -> None:
    tag = f"{account.slug}-{n}"
    names = [f"{tag}-u{i}" for i in range(n)]
    users = User.objects.bulk_create([  # bulk_create skips save(): the lookup keys are set here
        User(username=name, username_key=username_key(name), username_skeleton=username_skeleton(name),
             email=f"u{i}@example.org") for i, name in enumerate(names)])
    Membership.objects.bulk_create([Membership(user=u, account=account, levels=full_levels()) for u in users])
    others = [Account.objects.create(slug=f"{tag}-a{i}", name=f"Other {tag} {i}", email="o@example.org",
                                     owner=users[0]) for i in range(n)]
    Membership.objects.bulk_create([Membership(user=owner, account=a, levels=full_levels()) for a in others])
    soon = timezone.now() + timedelta(days=1)
    JoinCode.objects.bulk_create([JoinCode(account=account, code_hash=hashlib.sha256(f"{tag}-{i}".encode()).hexdigest(),
                                           created_by=owner, expires_at=soon) for i in range(n)])
    with across_accounts():
        DiagnosisCode.objects.bulk_create([DiagnosisCode(account=account, code=f"F{i:02d}", description=f"D {i}")
                                           for i in range(n)])
        BillingCode.objects.bulk_create([BillingCode(account=account, code=f"9{i:04d}", description=f"B {i}")
                                         for i in range(n)])
        InsurancePayer.objects.bulk_create([InsurancePayer(account=account, name=f"Payer {i}") for i in range(n)])
    for i in range(n):
        record("account.update", account=account, actor=users[i], section="settings", target=account)
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(n):
        make_client(account, owner, last_name=f"Count{letters[i // 26]}{letters[i % 26]}")


def _count(client, path: str) -> tuple[int, int]:
    client.get(path)  # first visits may set up session keys
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return len(queries.captured_queries), status


@pytest.mark.django_db
def test_no_page_queries_per_row():
    small, big = make_account("One Of Each", "qc-one"), make_account("Fifty Of Each", "qc-fifty")
    _populate(small, small.owner, 1)
    _populate(big, big.owner, 50)
    one, fifty = login_client(small.owner), login_client(big.owner)
    grown = []
    for name, view in PAGES:
        route = next(r for r, n, v in ROUTES if v is view)
        count_one, status_one = _count(one, concrete_path(route, small.slug)[0])
        count_fifty, status_fifty = _count(fifty, concrete_path(route, big.slug)[0])
        assert status_one == status_fifty, (name, status_one, status_fifty)
        if count_fifty > count_one:
            grown.append((name, count_one, count_fifty))
    assert len(PAGES) > 10
    assert grown == [], grown
