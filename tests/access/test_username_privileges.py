"""Username Privileges: the page, the plus (+), Save, Delete, defaults, and the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practicegate.accounts.models import Membership, User
from practicegate.core.sections import SECTION_KEYS, Level, full_levels
from tests.access.helpers import events, password_login, url
from tests.helpers import add_member, login_client, make_account, make_user

pytestmark = pytest.mark.django_db


def levels_with(**changes) -> dict[str, int]:
    levels = full_levels()
    levels.update({k: int(v) for k, v in changes.items()})
    return levels


def form_data(**changes) -> dict[str, str]:
    return {k: str(v) for k, v in levels_with(**changes).items()}


def membership_of(user, account):
    return Membership.objects.get(user=user, account=account)


def test_the_page_lists_every_username_with_its_details(owner_client, owner_account, member, other_account):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    member.home_account = other_account
    member.save()
    page = owner_client.get(url(owner_account, "privileges"))
    assert page.status_code == 200
    html = page.content.decode()
    for words in ("Username Privileges", "Full Access", "Two-factor", "Last sign-in", "Home account",
                  "Lakeside Therapy", "Delete", 'class="plus"'):
        assert words in html
    rows = {r.username: r for r in page.context["rows"]}
    assert rows["alice"].two_factor is True and rows["sunrise"].two_factor is False
    assert rows["sunrise"].locked_reason and not rows["alice"].locked_reason
    assert rows["sunrise"].last_login is not None  # force_login counts as a sign-in
    assert rows["sunrise"].is_owner and not rows["alice"].is_owner


def test_plus_then_save_changes_levels_and_logs_before_and_after(owner_client, owner, owner_account, member):
    m = membership_of(member, owner_account)
    edit = owner_client.get(url(owner_account, "privileges-edit", membership_id=m.pk))
    html = edit.content.decode()
    assert edit.status_code == 200 and "View Only" in html and "No Access" in html and "Save" in html
    response = owner_client.post(url(owner_account, "privileges-edit", membership_id=m.pk),
                                 form_data(billing_codes=Level.VIEW, reports=Level.NONE))
    assert response.status_code == 302
    assert membership_of(member, owner_account).levels == levels_with(billing_codes=Level.VIEW, reports=Level.NONE)
    event = events(owner_account, "privileges.change").get()
    assert event.actor_id == owner.id and event.target_id == str(member.id)
    assert event.detail["before"] == full_levels()
    assert event.detail["after"]["billing_codes"] == 1 and event.detail["after"]["reports"] == 0
    assert sorted(event.detail["changed"]) == ["billing_codes", "reports"]


def test_a_change_applies_on_the_very_next_request_of_an_open_session(owner_client, owner_account, member):
    theirs = login_client(member)
    assert theirs.get(f"/a/{owner_account.slug}/settings/").status_code == 200
    m = membership_of(member, owner_account)
    owner_client.post(url(owner_account, "privileges-edit", membership_id=m.pk), form_data(settings=Level.VIEW))
    page = theirs.get(f"/a/{owner_account.slug}/settings/")
    assert page.status_code == 200 and b'type="submit" class="primary">Save' not in page.content
    forged = theirs.post(f"/a/{owner_account.slug}/settings/", {"name": "Forged", "email": "f@example.org"})
    assert forged.status_code == 403
    owner_account.refresh_from_db()
    assert owner_account.name == "Sunrise Counseling"
    denied = events(owner_account, "access.denied").get()
    assert denied.actor_id == member.id and denied.section == "settings"
    owner_client.post(url(owner_account, "privileges-edit", membership_id=m.pk), form_data(settings=Level.NONE))
    assert theirs.get(f"/a/{owner_account.slug}/settings/").status_code == 403
    menu = theirs.get(f"/a/{owner_account.slug}/").content.decode().split('class="leftmenu"')[1].split("</nav>")[0]
    assert 'data-section="settings"' not in menu and 'data-section="clients"' in menu


def test_view_only_on_account_access_sees_the_page_without_controls(owner_account, member):
    Membership.objects.filter(user=member).update(levels=levels_with(account_access=Level.VIEW))
    client = login_client(member)
    html = client.get(url(owner_account, "privileges")).content.decode()
    assert "Username Privileges" in html and 'class="plus"' not in html and ">Delete<" not in html
    m = membership_of(member, owner_account)
    assert client.get(url(owner_account, "privileges-edit", membership_id=m.pk)).status_code == 403
    assert client.post(url(owner_account, "privileges-edit", membership_id=m.pk), form_data()).status_code == 403
    assert client.post(url(owner_account, "privileges-delete", membership_id=m.pk)).status_code == 403
    assert membership_of(member, owner_account).levels == levels_with(account_access=Level.VIEW)
    assert events(owner_account, "access.denied").count() == 3


def test_no_access_cannot_see_the_page(owner_account, member):
    Membership.objects.filter(user=member).update(levels=levels_with(account_access=Level.NONE))
    assert login_client(member).get(url(owner_account, "privileges")).status_code == 403


def test_the_owner_row_is_locked(owner_client, owner_account, owner, member):
    m = membership_of(owner, owner_account)
    page = owner_client.get(url(owner_account, "privileges-edit", membership_id=m.pk))
    assert "always has Full Access" in page.content.decode()
    Membership.objects.filter(pk=m.pk).update(levels=full_levels())
    # Even a Full Access member posting by hand cannot narrow or delete the owner.
    client = login_client(member)
    response = client.post(url(owner_account, "privileges-edit", membership_id=m.pk),
                           form_data(account_access=Level.NONE))
    assert response.status_code == 400
    assert membership_of(owner, owner_account).levels == full_levels()
    response = client.post(url(owner_account, "privileges-delete", membership_id=m.pk))
    assert response.status_code == 400 and "owner" in response.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()
    assert not events(owner_account, "privileges.change").exists()


def test_the_owner_is_always_a_full_access_holder(owner_account, member):
    from practicegate.access import services
    from practicegate.core.errors import ServiceError

    m = membership_of(member, owner_account)
    owner_m = membership_of(owner_account.owner, owner_account)
    assert services.full_access_holders(owner_account) == 2
    services.membership_levels_set(actor=owner_account.owner, account=owner_account, membership=m,
                                   levels=levels_with(account_access=Level.VIEW))
    assert services.full_access_holders(owner_account) == 1
    with pytest.raises(ServiceError, match="owner"):
        services.membership_remove(actor=member, account=owner_account, membership=owner_m)
    html = login_client(owner_account.owner).get(url(owner_account, "privileges")).content.decode()
    assert "Owner: always Full Access." in html


def test_the_last_full_access_username_cannot_be_narrowed_or_deleted(owner_client, owner_account, member):
    """Without the owner's row (data from before the owner rule), alice is the last holder."""
    from practicegate.access import services
    from practicegate.core.errors import ServiceError

    Membership.objects.filter(user=owner_account.owner, account=owner_account).delete()
    m = membership_of(member, owner_account)
    with pytest.raises(ServiceError, match="last username with Full Access"):
        services.membership_levels_set(actor=member, account=owner_account, membership=m,
                                       levels=levels_with(account_access=Level.VIEW))
    with pytest.raises(ServiceError, match="last username with Full Access"):
        services.membership_remove(actor=member, account=owner_account, membership=m)
    assert membership_of(member, owner_account).levels == full_levels()
    page = login_client(member).get(url(owner_account, "privileges")).content.decode()
    assert "Last username with Full Access to Account Access." in page


def test_delete_after_confirmation(owner_client, owner_account, member, other_account):
    add_member(other_account, member)  # alice reaches another account too: stays active
    m = membership_of(member, owner_account)
    confirm = owner_client.get(url(owner_account, "privileges-delete", membership_id=m.pk))
    assert confirm.status_code == 200 and "Delete" in confirm.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()
    assert owner_client.post(url(owner_account, "privileges-delete", membership_id=m.pk)).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    member.refresh_from_db()
    assert member.is_active
    event = events(owner_account, "account.username_remove").get()
    assert event.detail["deactivated"] is False and event.detail["levels_before"] == full_levels()


def test_deleting_a_username_with_no_other_account_deactivates_it(owner_client, owner_account):
    owner_client.post(url(owner_account, "allow"), {"username": "temp-user", "password1": "x" * 20 + " pass word",
                                                    "password2": "x" * 20 + " pass word"})
    user = User.objects.get(username="temp-user")
    theirs = login_client(user)
    m = membership_of(user, owner_account)
    owner_client.post(url(owner_account, "privileges-delete", membership_id=m.pk))
    user.refresh_from_db()
    assert user.is_active is False and User.objects.filter(pk=user.pk).exists()
    assert events(owner_account, "account.username_remove").get().detail["deactivated"] is True
    # The open session is of no use any more, and the log still points at the username.
    stale = theirs.get(f"/a/{owner_account.slug}/")
    assert stale.status_code == 302 and stale["Location"] == f"/login/?next=/a/{owner_account.slug}/"
    assert events(owner_account, "account.username_add").get().target_id == str(user.pk)


def test_membership_ids_of_another_account_are_404(owner_client, owner_account, other_account, outsider):
    theirs = membership_of(outsider, other_account)
    assert owner_client.get(url(owner_account, "privileges-edit", membership_id=theirs.pk)).status_code == 404
    assert owner_client.post(url(owner_account, "privileges-delete", membership_id=theirs.pk)).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("bad", [
    {}, {"clients": "3"}, {"clients": "-1"}, {"clients": "full"}, {"clients": "\x00"}, {"clients": "9" * 100},
])
def test_malformed_levels_get_a_message_and_change_nothing(owner_client, owner_account, member, bad):
    m = membership_of(member, owner_account)
    data = {} if not bad else {**form_data(), **bad}
    response = owner_client.post(url(owner_account, "privileges-edit", membership_id=m.pk), data)
    assert response.status_code == 400
    assert membership_of(member, owner_account).levels == full_levels()
    assert not events(owner_account, "privileges.change").exists()


def test_defaults_apply_to_new_and_joined_usernames(owner_client, owner_account, owner):
    page = owner_client.get(url(owner_account, "privileges-defaults"))
    assert page.status_code == 200
    response = owner_client.post(url(owner_account, "privileges-defaults"), form_data(clients=Level.NONE))
    assert response.status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.new_member_levels() == levels_with(clients=Level.NONE)
    event = events(owner_account, "privileges.defaults_change").get()
    assert event.detail["before"] == full_levels() and event.detail["after"]["clients"] == 0
    joiner = make_user("joiner")
    other = make_account("Harbor Psychology", "harbor")
    add_member(other, joiner)
    from practicegate.access import services

    services.membership_join(actor=joiner, account=owner_account, from_account=other, via="credentials",
                             credential_user=owner)
    assert membership_of(joiner, owner_account).levels == levels_with(clients=Level.NONE)


def test_privilege_changes_ask_for_the_password_again(owner_account, member):
    web = password_login("sunrise")
    m = membership_of(member, owner_account)
    edit = url(owner_account, "privileges-edit", membership_id=m.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = web.post(edit, form_data(reports=Level.NONE), HTTP_REFERER=f"http://testserver{edit}")
        assert response.status_code == 302
        assert response["Location"].startswith(url(owner_account, "confirm-password"))
        assert membership_of(member, owner_account).levels == full_levels()
        assert web.post(url(owner_account, "privileges-delete", membership_id=m.pk)).status_code == 302
        assert Membership.objects.filter(pk=m.pk).exists()
        assert all(key in SECTION_KEYS for key in membership_of(member, owner_account).levels)
