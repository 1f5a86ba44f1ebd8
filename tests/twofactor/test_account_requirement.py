"""An account that requires two-factor log-in: set-up first for usernames without it, other accounts unaffected."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from tests.helpers import PASSWORD, add_member, login_client, make_account
from tests.twofactor.helpers import (
    owner_with_two_factor,
    password_step,
    pending_code,
    settings_url,
    turn_on,
    user_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(owner_account, owner, clock):
    client = owner_with_two_factor(owner, clock)
    response = client.post(settings_url(owner_account), {"required": "on"})
    assert response.status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.require_two_factor
    return client


def test_the_owner_requires_it_and_the_change_is_logged(required, owner_account, owner):
    event = AuditEvent.objects.get(action="twofactor.requirement_on", account=owner_account)
    assert event.actor_id == owner.id and event.section == "settings"
    assert b"must use two-factor log-in" in required.get(settings_url(owner_account)).content
    assert required.post(settings_url(owner_account), {}).status_code == 302
    owner_account.refresh_from_db()
    assert not owner_account.require_two_factor
    assert AuditEvent.objects.filter(action="twofactor.requirement_off", account=owner_account).count() == 1


def test_an_owner_without_two_factor_cannot_require_it(owner_account, owner_client):
    page = owner_client.post(settings_url(owner_account), {"required": "on"})
    assert page.status_code == 400 and b"your own username first" in page.content
    owner_account.refresh_from_db()
    assert not owner_account.require_two_factor


def test_a_member_without_two_factor_is_sent_to_set_up_first(required, owner_account, member, other_account):
    add_member(other_account, member)
    client = login_client(member)
    page = f"/a/{owner_account.slug}/settings/"
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"/me/two-factor/set-up/?next={quote(page, safe='')}"
    denied = AuditEvent.objects.get(action="access.denied", account=owner_account, actor_id=member.id)
    assert denied.detail["reason"] == "two_factor_required"
    # Writes are refused the same way, and nothing is changed.
    assert client.post(page, {"name": "Hijacked", "email": "x@example.org"}).status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.name == "Sunrise Counseling"
    # Its other account opens as before.
    assert client.get(f"/a/{other_account.slug}/").status_code == 200


def test_after_set_up_the_account_opens(required, owner_account, member, clock):
    client = login_client(member)
    target = f"/a/{owner_account.slug}/"
    setup = client.get(client.get(target)["Location"])
    assert setup.status_code == 200
    code = pending_code(client, member)
    shown = client.post(f"/me/two-factor/set-up/?next={target}", {"code": code, "password": PASSWORD,
                                                                  "next": target})
    assert shown.status_code == 200 and f'href="{target}">Continue' in shown.content.decode()
    assert client.get(target).status_code == 200


def test_a_member_with_two_factor_but_an_unproved_session_enters_a_code(required, owner_account, member, clock):
    turn_on(member)
    clock.shift(30)
    client = login_client(member)  # e.g. a session that began before two-factor was turned on elsewhere
    target = f"/a/{owner_account.slug}/"
    response = client.get(target)
    assert response["Location"] == f"/me/two-factor/verify/?next={quote(target, safe='')}"
    wrong = client.post("/me/two-factor/verify/", {"code": "000000", "next": target})
    assert wrong.status_code == 400
    # Straight after a wrong code django-otp asks for a short wait; that is said, not counted.
    wait = client.post("/me/two-factor/verify/", {"code": user_code(member), "next": target})
    assert wait.status_code == 429 and b"Wait 1 seconds" in wait.content
    clock.shift(2)
    done = client.post("/me/two-factor/verify/", {"code": user_code(member), "next": target})
    assert done.status_code == 302 and done["Location"] == target
    assert client.get(target).status_code == 200
    assert AuditEvent.objects.filter(action="twofactor.verify", actor_id=member.id).count() == 1


def test_turning_two_factor_off_closes_the_requiring_account_again(required, owner_account, owner, clock):
    clock.shift(30)
    assert required.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": user_code(owner)}).status_code == 302
    assert required.get(f"/a/{owner_account.slug}/")["Location"].startswith("/me/two-factor/set-up/")


def test_view_only_on_settings_sees_the_page_but_cannot_change_it(required, owner_account, clock):
    from practicegate.accounts.models import User

    viewer = User.objects.create_user("viewer", password=PASSWORD)
    add_member(owner_account, viewer, {**full_levels(), "settings": int(Level.VIEW)})
    turn_on(viewer)
    clock.shift(30)
    client = Client()
    password_step(client, "viewer")
    client.post("/me/two-factor/log-in/", {"code": user_code(viewer)})
    page = client.get(settings_url(owner_account))
    assert page.status_code == 200 and b'name="required"' not in page.content
    assert b"viewer" in page.content and b"sunrise" in page.content
    assert client.post(settings_url(owner_account), {}).status_code == 403
    assert Account.objects.get(pk=owner_account.pk).require_two_factor


def test_the_page_lists_who_has_two_factor(required, owner_account, member):
    html = required.get(settings_url(owner_account)).content.decode()
    assert "<tr><td>alice</td><td>Off</td></tr>" in html
    assert "<tr><td>sunrise</td><td>On</td></tr>" in html


def test_another_accounts_page_is_not_reachable(required, other_account, outsider):
    assert required.get(settings_url(other_account)).status_code == 404
    assert required.post(settings_url(other_account), {"required": "on"}).status_code == 404
    other_account.refresh_from_db()
    assert not other_account.require_two_factor


def test_an_account_not_requiring_it_is_unaffected(owner_account, member):
    assert login_client(member).get(f"/a/{owner_account.slug}/").status_code == 200


def test_the_requirement_form_enforces_csrf(owner_account, owner, clock):
    turn_on(owner)
    clock.shift(30)
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value
    client.post("/login/", {"username": "sunrise", "password": PASSWORD, "csrfmiddlewaretoken": token})
    client.post("/me/two-factor/log-in/", {"code": user_code(owner), "csrfmiddlewaretoken": token})
    page = client.get(settings_url(owner_account))
    assert page.status_code == 200
    assert client.post(settings_url(owner_account), {"required": "on"}).status_code == 403
    owner_account.refresh_from_db()
    assert not owner_account.require_two_factor
    token = client.cookies["csrftoken"].value
    assert client.post(settings_url(owner_account), {"required": "on", "csrfmiddlewaretoken": token}).status_code == 302


def test_the_verify_form_enforces_csrf(owner_account, member, clock):
    turn_on(member)
    clock.shift(30)
    client = login_client(member, csrf=True)
    page = client.get("/me/two-factor/verify/")
    assert client.post("/me/two-factor/verify/", {"code": user_code(member)}).status_code == 403
    token = page.cookies["csrftoken"].value
    assert client.post("/me/two-factor/verify/", {"code": user_code(member), "csrfmiddlewaretoken": token}).status_code == 302


def test_a_second_account_requiring_it_is_independent(required, member, clock):
    third = make_account("Hillside Psychology", "hillside")
    add_member(third, member)
    assert login_client(member).get(f"/a/{third.slug}/").status_code == 200


def test_account_settings_link_to_the_two_factor_page(owner_account, owner_client):
    page = owner_client.get(f"/a/{owner_account.slug}/settings/")
    assert f'href="/a/{owner_account.slug}/settings/two-factor/">Two-factor log-in settings</a>'.encode() in page.content
