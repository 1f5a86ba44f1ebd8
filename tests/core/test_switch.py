from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level
from tests.helpers import add_member, login_client, make_account, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    narrow = {key: int(Level.FULL) for key in SECTION_KEYS}
    narrow["settings"] = int(Level.NONE)
    add_member(other_account, user, narrow)
    return user, owner_account, other_account


def test_dropdown_lists_every_account_and_marks_the_current_one(two_accounts):
    user, a, b = two_accounts
    page = login_client(user).get(f"/a/{a.slug}/")
    assert page.context["my_accounts"] == sorted([(a.slug, a.name), (b.slug, b.name)], key=lambda r: r[1])
    html = page.content.decode()
    dropdown = html.split('id="provider-dropdown"')[1].split("</details>")[0]
    assert a.name in dropdown and b.name in dropdown
    assert f'data-slug="{a.slug}" aria-current="true"' in dropdown
    assert f'data-slug="{b.slug}" aria-current' not in dropdown


def test_switch_keeps_the_section_when_allowed(two_accounts):
    user, a, b = two_accounts
    client = login_client(user)
    response = client.get("/switch/", {"to": a.slug, "from": f"/a/{b.slug}/settings/"})
    assert response["Location"] == f"/a/{a.slug}/settings/"
    event = AuditEvent.objects.get(action="account.switch")
    assert event.account_id == a.id and event.actor_id == user.id


def test_switch_goes_home_when_the_section_is_closed_there(two_accounts):
    user, a, b = two_accounts
    response = login_client(user).get("/switch/", {"to": b.slug, "from": f"/a/{a.slug}/settings/"})
    assert response["Location"] == f"/a/{b.slug}/"


@pytest.mark.parametrize("origin", ["", "https://evil.example/a/x/", "/nowhere/", "//evil.example/", "\x00"])
def test_switch_with_odd_origins_goes_home(two_accounts, origin):
    user, a, b = two_accounts
    response = login_client(user).get("/switch/", {"to": b.slug, "from": origin})
    assert response.status_code == 302 and response["Location"] == f"/a/{b.slug}/"


def test_switch_to_an_account_that_is_not_yours_is_404(two_accounts, db):
    user, a, b = two_accounts
    foreign = make_account("Elsewhere", "elsewhere")
    assert login_client(user).get("/switch/", {"to": foreign.slug}).status_code == 404
    assert not AuditEvent.objects.filter(action="account.switch").exists()


def test_each_tab_keeps_writing_to_its_own_account(two_accounts):
    """The account lives in the URL: a form posted from tab A changes A even after tab B switched."""
    user, a, b = two_accounts
    client = login_client(user)
    client.get("/switch/", {"to": b.slug})
    client.post(f"/a/{a.slug}/settings/", {"name": "Renamed A", "email": "a@example.org"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.name == "Renamed A" and b.name == "Lakeside Therapy"


def test_switch_to_an_account_requiring_two_factor_goes_through_its_gate(two_accounts):
    user, a, b = two_accounts
    a.require_two_factor = True
    a.save()
    client = login_client(user)
    response = client.get("/switch/", {"to": a.slug, "from": f"/a/{b.slug}/diagnosis-codes/"})
    assert response["Location"] == f"/a/{a.slug}/"
    assert not AuditEvent.objects.filter(action="account.switch", account=a).exists()
    assert client.get(response["Location"])["Location"].startswith("/me/two-factor/set-up/")
    assert AuditEvent.objects.filter(action="access.denied", account=a, actor_id=user.id,
                                     detail__reason="two_factor_required").count() == 1

