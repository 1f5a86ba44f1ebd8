"""The demo practice gains a master username joined to every demo account."""

from __future__ import annotations

import pytest

from practicegate.access import demo as access_demo
from practicegate.accounts import demo
from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.models import AuditEvent
from practicegate.core.demo import build_demo, demo_credentials
from tests.access.helpers import password_login

pytestmark = pytest.mark.django_db


def test_demo_master_username_reaches_every_account():
    credentials = build_demo()
    assert (access_demo.USERNAME, access_demo.PASSWORD, access_demo.CREDENTIALS[0][2]) in credentials
    assert access_demo.CREDENTIALS[0] in demo_credentials()
    manager = User.objects.get(username=access_demo.USERNAME)
    first = Account.objects.get(slug=demo.DEMO_ACCOUNTS[0][0])
    assert manager.home_account == first
    assert Membership.objects.filter(user=manager).count() == len(demo.DEMO_ACCOUNTS)
    for slug, *_ in demo.DEMO_ACCOUNTS[1:]:
        event = AuditEvent.objects.get(account__slug=slug, action="account.join")
        assert event.actor_id == manager.id and event.channel == "cli"
    client = password_login(access_demo.USERNAME, access_demo.PASSWORD)
    page = client.get(f"/a/{first.slug}/")
    assert page.status_code == 200 and len(page.context["my_accounts"]) == len(demo.DEMO_ACCOUNTS)
