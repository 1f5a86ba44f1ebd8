"""The one access rule: non-members 404, below the level 403 (logged), else the page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def levels(**overrides):
    base = {key: int(Level.FULL) for key in SECTION_KEYS}
    base.update({k: int(v) for k, v in overrides.items()})
    return base


def test_anonymous_visitors_are_sent_to_log_in(client, owner_account):
    response = client.get(f"/a/{owner_account.slug}/settings/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/a/{owner_account.slug}/settings/"


def test_non_members_get_404_for_existing_and_missing_accounts(owner_account, outsider):
    client = login_client(outsider)
    existing = client.get(f"/a/{owner_account.slug}/")
    missing = client.get("/a/no-such-account/")
    assert existing.status_code == missing.status_code == 404
    masked = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert masked.sub(b"", existing.content) == masked.sub(b"", missing.content)


def test_member_without_view_gets_a_403_that_names_the_missing_access(owner_account):
    user = make_user("noaccess")
    add_member(owner_account, user, levels(settings=Level.NONE))
    response = login_client(user).get(f"/a/{owner_account.slug}/settings/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "View Only" in text and "Settings" in text and "No Access" in text
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.account_id, event.actor_id, event.section, event.outcome) == (
        owner_account.id, user.id, "settings", "denied")
    assert event.detail["method"] == "GET"


def test_view_only_member_can_read_but_not_write(owner_account):
    user = make_user("viewer")
    add_member(owner_account, user, levels(settings=Level.VIEW))
    client = login_client(user)
    page = client.get(f"/a/{owner_account.slug}/settings/")
    assert page.status_code == 200
    assert b"<form" not in page.content.split(b"<main>")[1]  # no edit form at View Only
    response = client.post(f"/a/{owner_account.slug}/settings/", {"name": "Hijacked", "email": "x@example.org"})
    assert response.status_code == 403
    owner_account.refresh_from_db()
    assert owner_account.name == "Sunrise Counseling"
    assert AuditEvent.objects.filter(action="access.denied", detail__method="POST").count() == 1


def test_full_access_member_can_change_settings_and_it_is_logged(owner_account, member):
    client = login_client(member)
    response = client.post(f"/a/{owner_account.slug}/settings/", {"name": "Sunrise Group", "email": "s@example.org"})
    assert response.status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.name == "Sunrise Group"
    event = AuditEvent.objects.get(action="account.update")
    assert event.actor_id == member.id and event.detail == {"fields": ["name", "email"]}


@pytest.mark.parametrize("data", [{}, {"name": "", "email": "x"}, {"name": "n" * 200, "email": "a@b.org"},
                                  {"name": "Tab\u202eRLO", "email": "a@b.org"}])
def test_settings_bad_input_changes_nothing(owner_client, owner_account, data):
    response = owner_client.post(f"/a/{owner_account.slug}/settings/", data)
    assert response.status_code == 400
    owner_account.refresh_from_db()
    assert owner_account.name == "Sunrise Counseling"
    assert not AuditEvent.objects.filter(action="account.update").exists()


def test_settings_form_requires_csrf(owner, owner_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="practicegate.accounts.backends.UsernameBackend")
    url = f"/a/{owner_account.slug}/settings/"
    assert client.post(url, {"name": "Other", "email": "o@example.org"}).status_code == 403
    token = client.get(url).cookies["csrftoken"].value
    assert client.post(url, {"name": "Other", "email": "o@example.org", "csrfmiddlewaretoken": token}).status_code == 302


def test_the_owner_is_always_full_access_whatever_its_stored_levels(owner, owner_account):
    membership = owner.memberships.get(account=owner_account)
    membership.levels = levels(settings=Level.NONE, account_access=Level.NONE)
    membership.save()
    assert login_client(owner).get(f"/a/{owner_account.slug}/settings/").status_code == 200


def test_a_level_change_applies_on_the_next_request(owner_account, member):
    client = login_client(member)
    url = f"/a/{owner_account.slug}/settings/"
    assert client.get(url).status_code == 200
    membership = member.memberships.get(account=owner_account)
    membership.levels = levels(settings=Level.NONE)
    membership.save()
    assert client.get(url).status_code == 403


def test_deactivated_username_loses_every_account(owner_account, member):
    client = login_client(member)
    member.is_active = False
    member.save()
    response = client.get(f"/a/{owner_account.slug}/")
    # The session no longer authenticates: back to the login page, as for anyone signed out.
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/a/{owner_account.slug}/"


def test_left_menu_lists_only_sections_the_username_may_see(owner_account):
    user = make_user("partial")
    add_member(owner_account, user, levels(payers=Level.NONE, reports=Level.NONE, settings=Level.VIEW))
    page = login_client(user).get(f"/a/{owner_account.slug}/")
    keys = [item["section"].key for item in page.context["menu"]]
    assert "payers" not in keys and "reports" not in keys
    assert "settings" in keys and "diagnosis_codes" in keys
    nav = page.content.decode().split('aria-label="Sections"')[1].split("</nav>")[0]
    assert "Insurance Payers" not in nav and "Settings" in nav and "View Only" in nav


def test_signed_in_pages_are_not_cached(owner_client, owner_account):
    assert owner_client.get(f"/a/{owner_account.slug}/")["Cache-Control"] == "no-store"
    assert owner_client.get("/password/change/")["Cache-Control"] == "no-store"


def test_security_headers(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_successful_account_page_reads_are_logged(owner_client, owner, owner_account):
    owner_client.get(f"/a/{owner_account.slug}/settings/")
    event = AuditEvent.objects.filter(account=owner_account, action="page.view").latest("seq")
    assert event.actor_id == owner.id and event.section == "settings"
    assert event.detail == {"path": f"/a/{owner_account.slug}/settings/"}
