"""Access Other Accounts: Find Account, then Join Account, with B's credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import events, password_login, url
from tests.helpers import PASSWORD, add_member, login_client, make_account, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(joiner):
    return login_client(joiner)


def find(client, account_a, username="lakeside", password=PASSWORD, code="", ip="10.9.9.9"):
    return client.post(url(account_a, "find"), {"username": username, "password": password, "code": code},
                       REMOTE_ADDR=ip)


def join(client, account_a, found):
    token = found.context["join_form"].initial["token"]
    return client.post(url(account_a, "join"), {"token": token})


def test_find_shows_the_provider_and_join_adds_the_membership(web, joiner, owner_account, other_account):
    found = find(web, owner_account)
    assert found.status_code == 200
    html = found.content.decode()
    assert "Lakeside Therapy" in html and "Join Account" in html
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()
    assert events(owner_account, "account.join_found").get().detail["found"] == other_account.slug
    assert events(other_account, "account.join_found").get().actor_id == joiner.id
    response = join(web, owner_account, found)
    assert response.status_code == 302
    membership = Membership.objects.get(user=joiner, account=other_account)
    assert membership.levels == full_levels()
    in_b = events(other_account, "account.join").get()
    assert in_b.actor_id == joiner.id and in_b.detail["via"] == "credentials"
    in_a = events(owner_account, "account.join_other").get()
    assert in_a.actor_id == joiner.id and in_a.target_id == str(other_account.id)
    assert PASSWORD not in str(in_a.detail) + str(in_b.detail)
    assert login_client(joiner).get(f"/a/{other_account.slug}/").status_code == 200


def test_joined_membership_starts_with_b_defaults(web, joiner, owner_account, other_account):
    narrow = full_levels()
    narrow["reports"] = int(Level.VIEW)
    other_account.default_levels = narrow
    other_account.save()
    join(web, owner_account, find(web, owner_account))
    assert Membership.objects.get(user=joiner, account=other_account).levels == narrow


def test_wrong_password_and_unknown_username_read_the_same(web, joiner, owner_account, other_account):
    wrong = find(web, owner_account, password="not the password at all!")
    unknown = find(web, owner_account, username="no-such-username", password="not the password at all!")
    assert wrong.status_code == unknown.status_code == 400
    errors = wrong.context["find_form"].non_field_errors()
    assert errors == unknown.context["find_form"].non_field_errors()
    assert "do not match" in str(errors)
    failed = events(owner_account, "account.join_failed")
    assert failed.count() == 2 and set(failed.values_list("actor_id", flat=True)) == {joiner.id}
    assert {e.detail["reason"] for e in failed} == {"bad_credentials"}
    # The credentials' account learns who tried and from where, not an anonymous failed log-in.
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
    tried = events(other_account, "account.find_failed").get()
    assert tried.actor_id == joiner.id and tried.outcome == "failure"
    assert tried.detail == {"reason": "bad_credentials", "from_account": owner_account.slug, "locked": False}
    assert tried.target_id == str(other_account.owner_id)
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_an_inactive_username_gets_its_own_message(web, owner_account, other_account):
    lakeside = other_account.owner
    lakeside.is_active = False
    lakeside.save()
    response = find(web, owner_account)
    assert response.status_code == 400
    assert "no longer active" in response.content.decode()
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "inactive"


def test_an_account_already_joined_is_refused(web, joiner, owner_account, other_account):
    add_member(other_account, joiner)
    response = find(web, owner_account)
    assert response.status_code == 400
    assert "already has access to Lakeside Therapy" in response.content.decode()
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "already_member"


def test_own_credentials_are_refused(web, joiner, owner_account):
    response = find(web, owner_account, username="MANAGER")
    assert response.status_code == 400
    assert "your own username" in response.content.decode()
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "own_credentials"


def test_view_only_credentials_cannot_hand_out_access(web, joiner, owner_account, other_account):
    viewer = make_user("b-viewer")
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    add_member(other_account, viewer, levels)
    response = find(web, owner_account, username="b-viewer")
    assert response.status_code == 400
    assert "Full Access to Account Access" in response.content.decode()
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_full_access_member_credentials_may_open_their_account(web, joiner, owner_account, other_account):
    admin = make_user("b-admin")
    add_member(other_account, admin)
    found = find(web, owner_account, username="b-admin")
    assert found.context["target"] == other_account
    assert join(web, owner_account, found).status_code == 302
    assert events(other_account, "account.join").get().detail["credentials_of"] == "b-admin"


def test_find_failures_are_counted_apart_from_log_in(web, joiner, owner_account, other_account):
    """Four wrong log-ins plus one wrong Find lock neither form: the counts are separate."""
    visitor = Client()
    for _ in range(4):
        visitor.post("/login/", {"username": "lakeside", "password": "wrong wrong wrong"}, REMOTE_ADDR="10.9.9.9")
    assert find(web, owner_account, password="wrong wrong wrong").status_code == 400
    assert find(web, owner_account).status_code == 200  # the right password still finds it
    assert Client().post("/login/", {"username": "lakeside", "password": PASSWORD},
                         REMOTE_ADDR="10.9.9.9").status_code == 302


def test_find_is_locked_after_five_failures_without_locking_the_owner_out(web, joiner, owner_account,
                                                                          other_account):
    for _ in range(4):
        assert find(web, owner_account, password="wrong wrong wrong").status_code == 400
    locking = find(web, owner_account, password="wrong wrong wrong")
    assert locking.status_code == 429 and "Too many failed attempts" in locking.content.decode()
    locked = find(web, owner_account)  # the right password no longer helps
    assert locked.status_code == 429
    assert "Join Account" not in locked.content.decode().split("<main>")[1].split("id=\"join-code\"")[0]
    assert events(owner_account, "account.join_failed").last().detail["reason"] == "locked"
    assert events(other_account, "account.find_failed").last().detail["locked"] is True
    assert events(other_account, "account.find_failed").count() == 5
    # The owner of that username still logs in from the very same address...
    assert Client().post("/login/", {"username": "lakeside", "password": PASSWORD},
                         REMOTE_ADDR="10.9.9.9").status_code == 302
    # ...another signed-in username is not locked by this one's misses...
    other = make_user("second")
    add_member(owner_account, other)
    assert find(login_client(other), owner_account).status_code == 200
    # ...and the lock ends after the cool-off.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert find(login_client(joiner), owner_account).status_code == 200
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_a_tampered_token_is_refused(web, joiner, owner_account, other_account):
    found = find(web, owner_account)
    token = found.context["join_form"].initial["token"]
    response = web.post(url(owner_account, "join"), {"token": token[:-2] + "xx"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "stale_confirmation"


def test_a_token_works_once_and_only_in_its_session(joiner, owner_account, other_account):
    first, second = login_client(joiner), login_client(joiner)
    found = find(first, owner_account)
    token = found.context["join_form"].initial["token"]
    second.post(url(owner_account, "join"), {"token": token})
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()
    first.post(url(owner_account, "join"), {"token": token})
    assert Membership.objects.filter(user=joiner, account=other_account).exists()
    Membership.objects.filter(user=joiner, account=other_account).delete()
    first.post(url(owner_account, "join"), {"token": token})
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_a_token_cannot_be_used_by_another_username_or_from_another_account(joiner, owner_account,
                                                                              other_account):
    third = make_account("Harbor Psychology", "harbor")
    add_member(third, joiner)
    web = login_client(joiner)
    found = find(web, owner_account)
    web.post(url(third, "join"), {"token": found.context["join_form"].initial["token"]})
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_a_token_expires(web, joiner, owner_account, other_account):
    found = find(web, owner_account)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        web.post(url(owner_account, "join"), {"token": found.context["join_form"].initial["token"]})
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_join_rechecks_the_credentials_access(web, joiner, owner_account, other_account):
    admin = make_user("b-admin")
    add_member(other_account, admin)
    found = find(web, owner_account, username="b-admin")
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=admin, account=other_account).update(levels=levels)
    response = join(web, owner_account, found)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "refused"


@pytest.mark.parametrize("data", [
    {}, {"username": "", "password": ""}, {"username": "x" * 151, "password": "p"},
    {"username": "lake\x00side", "password": PASSWORD}, {"username": "lakeside", "password": "p" * 5000},
    {"username": "lakeside", "password": PASSWORD, "code": "1" * 40},
    {"username": "lake\u202eside", "password": PASSWORD},
])
def test_malformed_find_input_gets_a_message(web, joiner, owner_account, other_account, data):
    response = web.post(url(owner_account, "find"), data)
    assert response.status_code == 400
    assert response.context["find_form"].errors
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


@pytest.mark.parametrize("token", ["", "garbage", "x" * 5000, "\x00"])
def test_malformed_join_token_is_refused(web, joiner, owner_account, other_account, token):
    assert web.post(url(owner_account, "join"), {"token": token}).status_code == 302
    assert Membership.objects.filter(user=joiner).count() == 1


def test_view_only_in_a_cannot_join_from_there(joiner, owner_account, other_account):
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=joiner, account=owner_account).update(levels=levels)
    web = login_client(joiner)
    assert web.get(url(owner_account, "other")).status_code == 403
    assert find(web, owner_account).status_code == 403
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_non_member_gets_404(owner_account, other_account):
    stranger = make_user("stranger")
    assert find(login_client(stranger), owner_account).status_code == 404


def test_two_factor_code_is_asked_and_checked(web, joiner, owner_account, other_account):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=other_account.owner, name="phone", confirmed=True)
    missing = find(web, owner_account)
    assert missing.status_code == 400 and "two-factor" in missing.content.decode()
    right_now = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    wrong = find(web, owner_account, code="000000" if right_now != "000000" else "111111")
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    reasons = [e.detail["reason"] for e in events(owner_account, "account.join_failed")]
    assert reasons == ["two_factor_missing", "two_factor_wrong"]
    # The wrong code is the credentials' account's business (who tried), not a failed log-in.
    assert events(other_account, "account.find_failed").get().detail["reason"] == "two_factor_wrong"
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
    # django-otp throttles a device after a wrong code: try again a little later.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
        found = find(web, owner_account, code=code)
    assert found.status_code == 200 and found.context["target"] == other_account
    assert join(web, owner_account, found).status_code == 302
    assert Membership.objects.filter(user=joiner, account=other_account).exists()


def test_find_asks_for_the_password_again_when_it_is_stale(joiner, owner_account, other_account):
    web = password_login("manager")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        page = web.get(url(owner_account, "other"))
        assert page.status_code == 302 and "/confirm-password/" in page["Location"]
        posted = find(web, owner_account)
        assert posted.status_code == 302 and "/confirm-password/" in posted["Location"]
    assert not AuditEvent.objects.filter(action="account.join").exists()
