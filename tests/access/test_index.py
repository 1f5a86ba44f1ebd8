"""The Account Access page: the actions, shown by level."""

from __future__ import annotations

import pytest

from practicegate.accounts.models import Membership
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import url
from tests.helpers import login_client

pytestmark = pytest.mark.django_db

ACTIONS = ("Allow Account Access", "Access Other Accounts", "Username Privileges", "Copy Codes to Another Account")


def test_full_access_sees_every_action(owner_client, owner_account):
    html = owner_client.get(url(owner_account)).content.decode()
    for words in ACTIONS:
        assert words in html
    assert 'href="/a/sunrise-counseling/access/copy/"' in html


def test_view_only_sees_no_changing_actions(owner_account, member):
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=member).update(levels=levels)
    html = login_client(member).get(url(owner_account)).content.decode()
    assert "Username Privileges" in html
    for words in ("Allow Account Access", "Access Other Accounts", "Copy Codes to Another Account"):
        assert words not in html.split("<main>")[1]


def test_the_menu_leads_here_and_hides_it_at_no_access(owner_account, member, owner_client):
    menu = owner_client.get(f"/a/{owner_account.slug}/").content.decode()
    assert f'href="{url(owner_account)}" data-section="account_access"' in menu
    levels = full_levels()
    levels["account_access"] = int(Level.NONE)
    Membership.objects.filter(user=member).update(levels=levels)
    client = login_client(member)
    assert 'data-section="account_access"' not in client.get(f"/a/{owner_account.slug}/").content.decode()
    assert client.get(url(owner_account)).status_code == 403
