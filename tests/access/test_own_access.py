"""Narrowing one's own access is warned and confirmed (issue 23); the privilege pages name the account."""

from __future__ import annotations

import pytest

from practicegate.accounts.models import Membership
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import events, password_login, url
from tests.helpers import add_member, make_user

pytestmark = pytest.mark.django_db
NARROWED = {key: str(int(Level.VIEW)) for key in full_levels()}


@pytest.fixture
def admin(owner_account):
    """A Full Access username (not the owner), signed in with a fresh password."""
    membership = add_member(owner_account, make_user("temp.frontdesk"), full_levels())
    return membership, password_login("temp.frontdesk")


def test_the_privilege_pages_name_the_account(owner_account, admin):
    membership, web = admin
    edit = web.get(url(owner_account, "privileges-edit", membership_id=membership.pk)).content.decode()
    assert "<h1>Privileges of temp.frontdesk in Sunrise Counseling</h1>" in edit
    assert "<title>Privileges of temp.frontdesk in Sunrise Counseling &middot;" in edit
    delete = web.get(url(owner_account, "privileges-delete", membership_id=membership.pk)).content.decode()
    assert "<h1>Delete temp.frontdesk from Sunrise Counseling</h1>" in delete
    assert "<title>Delete temp.frontdesk from Sunrise Counseling &middot;" in delete


def test_lowering_ones_own_level_is_warned_and_needs_the_box(owner_account, admin):
    membership, web = admin
    page = web.get(url(owner_account, "privileges-edit", membership_id=membership.pk)).content.decode()
    assert "This is your own username" in page and 'name="confirm_own"' in page
    refused = web.post(url(owner_account, "privileges-edit", membership_id=membership.pk), NARROWED)
    assert refused.status_code == 400
    assert "Nothing was saved: these choices lower your own access" in refused.content.decode()
    assert Membership.objects.get(pk=membership.pk).levels == full_levels()
    assert not events(owner_account, "privileges.change").exists()
    done = web.post(url(owner_account, "privileges-edit", membership_id=membership.pk),
                    {**NARROWED, "confirm_own": "yes"})
    assert done.status_code == 302
    assert set(Membership.objects.get(pk=membership.pk).levels.values()) == {int(Level.VIEW)}
    assert events(owner_account, "privileges.change").count() == 1


def test_keeping_ones_own_levels_needs_no_box(owner_account, admin):
    membership, web = admin
    same = {key: str(int(Level.FULL)) for key in full_levels()}
    assert web.post(url(owner_account, "privileges-edit", membership_id=membership.pk), same).status_code == 302


def test_narrowing_someone_else_needs_no_box(owner_account, owner_client, admin):
    membership, _web = admin
    page = owner_client.get(url(owner_account, "privileges-edit", membership_id=membership.pk)).content.decode()
    assert "This is your own username" not in page
    response = owner_client.post(url(owner_account, "privileges-edit", membership_id=membership.pk), NARROWED)
    assert response.status_code == 302


def test_removing_oneself_is_warned_and_needs_the_box(owner_account, admin):
    membership, web = admin
    delete = url(owner_account, "privileges-delete", membership_id=membership.pk)
    assert "This is your own username" in web.get(delete).content.decode()
    refused = web.post(delete)
    assert refused.status_code == 400 and "Nothing was changed: this is your own username" in refused.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not events(owner_account, "account.username_remove").exists()
    done = web.post(delete, {"confirm_own": "yes"})
    assert done.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert events(owner_account, "account.username_remove").count() == 1


def test_removing_someone_else_needs_no_box(owner_account, owner_client, admin):
    membership, _web = admin
    assert owner_client.post(url(owner_account, "privileges-delete", membership_id=membership.pk)).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
