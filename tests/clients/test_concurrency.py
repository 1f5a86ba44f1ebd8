"""Clients added at the same moment get different numbers; two open policies never both land."""

from __future__ import annotations

from datetime import date

import pytest

from practicegate.clients import services
from practicegate.clients.models import Client, ClientPolicy
from practicegate.core.scoping import account_scope
from tests.clients.helpers import _data, make_client
from tests.helpers import make_account
from tests.masterfiles.helpers import add_payer
from tests.threads import run_at_once

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql("threads need separate server connections"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_adds_get_distinct_gapless_numbers():
    account = make_account("Busy Practice", "busy")

    def work(i):
        with account_scope(account):
            for j in range(5):  # thirty people: thirty dates of birth
                services.client_create(actor=account.owner, account=account,
                                       data=_data(birth_date=f"19{60 + i}-0{1 + j}-15"))

    assert run_at_once(6, work) == []
    with account_scope(account):
        numbers = sorted(Client.objects.filter(account=account).values_list("number", flat=True))
    assert numbers == list(range(1, 31))


def test_the_same_person_added_twice_at_once_lands_once():
    """Each add checks for the same person under the client-number counter's lock: the second
    add sees the first one's client and is refused (nothing saved), never both."""
    account = make_account("Busy Practice", "busy")
    data = _data(first_name="Zoë", last_name="Martínez", birth_date="1990-04-12")

    def work(i):
        with account_scope(account):
            services.client_create(actor=account.owner, account=account, data=data)

    errors = run_at_once(4, work)
    assert len(errors) == 3 and all(isinstance(e, services.PossibleDuplicate) for e in errors)
    with account_scope(account):
        assert Client.objects.filter(account=account).count() == 1


def test_concurrent_primary_policies_only_one_lands():
    account = make_account("Busy Practice", "busy")
    payer = add_payer(account)
    client = make_client(account, account.owner)

    def work(i):
        with account_scope(account):
            services.client_policy_add(actor=account.owner, account=account, client=client, payer=payer,
                                       data={"priority": 1, "member_id": f"M{i}", "effective_date": date(2024, 1, 1)})

    errors = run_at_once(4, work)
    assert len(errors) == 3 and all(isinstance(e, services.FieldError) for e in errors)
    with account_scope(account):
        assert ClientPolicy.objects.filter(account=account, client=client).count() == 1
