"""Passkeys (WebAuthn) on the server: adding one, using it as the second step of log-in and
alone, the sign count, single-use expiring challenges, removal rules, one username's passkey
never answering for another. The answers are real WebAuthn answers from a software passkey."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from practicegate.access.credentials import PASSKEY_ONLY
from practicegate.audit.models import AuditEvent
from practicegate.twofactor.models import PasskeyDevice
from practicegate.twofactor.services import has_second_factor, users_with_two_factor
from tests.helpers import PASSWORD, make_account, make_user
from tests.twofactor.helpers import turn_on, user_code
from tests.twofactor.soft_passkey import SoftPasskey

pytestmark = pytest.mark.django_db

HOST = "localhost"  # WebAuthn allows plain http only on localhost; the RP ID comes from the host


def client() -> Client:
    return Client(HTTP_HOST=HOST)


def signed_in(user) -> Client:
    c = client()
    c.force_login(user, backend="practicegate.accounts.backends.UsernameBackend")
    return c


def options(c: Client, purpose: str):
    return c.post("/me/two-factor/passkeys/options/", {"purpose": purpose})


def add(c: Client, passkey: SoftPasskey, name: str = "Office laptop", password: str = PASSWORD):
    answer = passkey.create(options(c, "add").json())
    return c.post("/me/two-factor/passkeys/", {"name": name, "password": password,
                                               "credential": json.dumps(answer)})


def registered(user, name: str = "Office laptop") -> SoftPasskey:
    passkey = SoftPasskey()
    assert add(signed_in(user), passkey, name).status_code == 302
    return passkey


def password_step(c: Client, user):
    response = c.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/log-in/"
    return response


def second_step(c: Client, answer: dict):
    return c.post("/me/two-factor/log-in/passkey/", {"credential": json.dumps(answer)})


def events(action, user=None, **detail):
    found = AuditEvent.objects.filter(action=action)
    if user is not None:
        found = found.filter(actor_username=user.username)
    return [e for e in found if all(e.detail.get(k) == v for k, v in detail.items())]


@pytest.fixture
def alice(owner_account):
    return owner_account.owner


def test_a_username_adds_passkeys_and_sees_them_listed(alice):
    c = signed_in(alice)
    assert c.get("/me/two-factor/passkeys/").status_code == 200
    first, second = SoftPasskey(), SoftPasskey()
    assert add(c, first, "Office laptop").status_code == 302
    assert add(c, second, "My phone").status_code == 302
    stored = list(PasskeyDevice.objects.filter(user=alice).order_by("id"))
    assert [d.name for d in stored] == ["Office laptop", "My phone"]
    assert stored[0].credential_id == first.id and stored[0].user_handle == stored[1].user_handle
    page = c.get("/me/two-factor/passkeys/").content.decode()
    assert "Office laptop" in page and "My phone" in page
    assert len(events("twofactor.passkey_added", alice)) == 2
    assert has_second_factor(alice) and alice.pk in users_with_two_factor([alice.pk])
    # Adding it marked this session verified, as set-up of the app does.
    assert c.session[DEVICE_ID_SESSION_KEY] == stored[1].persistent_id


def test_adding_asks_for_the_password(alice):
    c = signed_in(alice)
    response = add(c, SoftPasskey(), password="not my password")
    assert response.status_code == 400 and "password is not right" in response.content.decode()
    assert not PasskeyDevice.objects.filter(user=alice).exists()
    assert events("twofactor.password_failed", alice, purpose="passkey_add")


def test_a_challenge_is_used_once_and_expires(alice, clock):
    c = signed_in(alice)
    passkey = SoftPasskey()
    answer = passkey.create(options(c, "add").json())
    form = {"name": "Laptop", "password": PASSWORD, "credential": json.dumps(answer)}
    assert c.post("/me/two-factor/passkeys/", form).status_code == 302
    PasskeyDevice.objects.all().delete()
    again = c.post("/me/two-factor/passkeys/", form)  # the same answer again: its challenge is gone
    assert again.status_code == 400 and "took too long" in again.content.decode()
    assert not PasskeyDevice.objects.exists()
    late = passkey.create(options(c, "add").json())
    clock.shift(301)
    response = c.post("/me/two-factor/passkeys/", {**form, "credential": json.dumps(late)})
    assert response.status_code == 400 and not PasskeyDevice.objects.exists()
    assert len(events("twofactor.passkey_refused", alice, reason="expired")) == 2


def test_a_wrong_site_or_signature_is_refused(alice):
    c = signed_in(alice)
    other_site = SoftPasskey(origin="https://evil.example")
    assert add(c, other_site).status_code == 400
    assert events("twofactor.passkey_refused", alice, purpose="add", reason="invalid")
    assert not PasskeyDevice.objects.exists()


def test_a_passkey_is_the_second_step_of_log_in(alice, owner_account):
    passkey = registered(alice)
    c = client()
    password_step(c, alice)
    page = c.get("/me/two-factor/log-in/").content.decode()
    assert "Use a Passkey" in page and 'name="code"' not in page  # no app: no code box
    response = second_step(c, passkey.get(options(c, "login").json()))
    assert response.status_code == 302
    device = PasskeyDevice.objects.get(user=alice)
    assert int(c.session["_auth_user_id"]) == alice.pk
    assert c.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # verified, as django-otp marks it
    assert device.sign_count == 1 and device.last_used_at is not None
    assert events("twofactor.passkey_used", alice, purpose="login")
    assert AuditEvent.objects.filter(action="auth.login", actor_id=alice.pk).exists()
    # The account's two-factor requirement is met by this session.
    owner_account.require_two_factor = True
    owner_account.save()
    assert c.get(f"/a/{owner_account.slug}/").status_code == 200


def test_the_password_alone_does_not_log_in(alice):
    registered(alice)
    c = client()
    password_step(c, alice)
    assert "_auth_user_id" not in c.session
    assert c.get("/me/two-factor/").status_code == 302


def test_a_copied_passkey_with_a_lower_or_equal_sign_count_is_refused(alice):
    passkey = registered(alice)
    c = client()
    password_step(c, alice)
    assert second_step(c, passkey.get(options(c, "login").json(), sign_count=7)).status_code == 302
    for count in (7, 3):  # a clone replays the same count, or an older one
        c = client()
        password_step(c, alice)
        response = second_step(c, passkey.get(options(c, "login").json(), sign_count=count))
        assert response.status_code == 302 and response["Location"] == "/me/two-factor/log-in/"
        assert "_auth_user_id" not in c.session
    refused = events("twofactor.passkey_refused", alice, reason="replayed")
    assert [(e.detail["sign_count"], e.detail["stored_sign_count"]) for e in refused] == [(7, 7), (3, 7)]
    assert PasskeyDevice.objects.get(user=alice).sign_count == 7
    c = client()
    password_step(c, alice)
    assert second_step(c, passkey.get(options(c, "login").json(), sign_count=8)).status_code == 302
    assert "_auth_user_id" in c.session


def test_a_passkey_that_never_counts_keeps_working(alice):
    passkey = registered(alice)
    for _ in range(2):  # sign count 0 stored and sent: the passkey does not count (allowed)
        c = client()
        password_step(c, alice)
        assert second_step(c, passkey.get(options(c, "login").json(), sign_count=0)).status_code == 302
        assert "_auth_user_id" in c.session


def test_a_replayed_answer_is_refused(alice):
    passkey = registered(alice)
    c = client()
    password_step(c, alice)
    answer = passkey.get(options(c, "login").json())
    assert second_step(c, answer).status_code == 302
    thief = client()
    password_step(thief, alice)
    options(thief, "login")
    assert second_step(thief, answer).status_code == 302
    assert "_auth_user_id" not in thief.session
    assert events("twofactor.passkey_refused", alice, purpose="login", reason="invalid")


def test_one_usernames_passkey_never_answers_for_another(alice, member):
    passkey = registered(alice, "Alice's laptop")
    registered(member, "Member's phone")
    c = client()
    password_step(c, member)
    offered = options(c, "login").json()["publicKey"]
    member_ids = [d.credential_id for d in PasskeyDevice.objects.filter(user=member)]
    assert [d["id"] for d in offered["allowCredentials"]] == member_ids  # only the member's own
    response = second_step(c, passkey.get({"publicKey": offered}))
    assert response.status_code == 302 and "_auth_user_id" not in c.session
    assert events("twofactor.passkey_refused", member, reason="unknown")
    # Nor can another username see or remove it.
    mine = PasskeyDevice.objects.get(user=alice)
    other = signed_in(member)
    assert mine.name not in other.get("/me/two-factor/passkeys/").content.decode()
    assert other.get(f"/me/two-factor/passkeys/{mine.pk}/remove/").status_code == 404
    assert other.post(f"/me/two-factor/passkeys/{mine.pk}/remove/", {"password": PASSWORD}).status_code == 404
    assert PasskeyDevice.objects.filter(pk=mine.pk).exists()


def test_log_in_with_a_passkey_alone(alice):
    passkey = registered(alice)
    c = client()
    assert "Sign In with a Passkey" in c.get("/login/").content.decode()
    opts = options(c, "passwordless").json()
    assert opts["publicKey"]["userVerification"] == "required" and "allowCredentials" not in opts["publicKey"]
    response = c.post("/login/passkey/", {"credential": json.dumps(passkey.get(opts))})
    assert response.status_code == 302
    assert int(c.session["_auth_user_id"]) == alice.pk
    assert c.session[DEVICE_ID_SESSION_KEY] == PasskeyDevice.objects.get(user=alice).persistent_id
    assert events("twofactor.passkey_used", alice, purpose="passwordless")


def test_a_passkey_naming_another_username_is_refused(alice, member):
    passkey = registered(alice)
    registered(member)
    c = client()
    other_handle = bytes.fromhex("00" * 32)
    answer = passkey.get(options(c, "passwordless").json(), user_handle=other_handle)
    c.post("/login/passkey/", {"credential": json.dumps(answer)})
    assert "_auth_user_id" not in c.session
    assert events("twofactor.passkey_refused", alice, purpose="passwordless", reason="invalid")


def test_malformed_answers_change_nothing(alice):
    registered(alice)
    c = client()
    for junk in ("", "not json", "[1, 2]", json.dumps({"id": "\x00", "response": 5}),
                 json.dumps({"rawId": "a" * 5000})):
        response = c.post("/login/passkey/", {"credential": junk})
        assert response.status_code == 302 and "_auth_user_id" not in c.session
    assert options(c, "everything").status_code == 400
    assert options(c, "add").status_code == 403  # not signed in
    assert options(c, "login").status_code == 400  # no password step


def test_an_account_requirement_is_met_with_a_passkey(alice, owner_account, member):
    passkey = registered(member)
    owner_account.require_two_factor = True
    owner_account.save()
    c = signed_in(member)  # a session that has not used its passkey yet
    page = f"/a/{owner_account.slug}/"
    assert c.get(page)["Location"].startswith("/me/two-factor/verify/")
    assert "Use a Passkey" in c.get("/me/two-factor/verify/").content.decode()
    answer = passkey.get(options(c, "session").json())
    response = c.post("/me/two-factor/verify/passkey/", {"credential": json.dumps(answer), "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert c.get(page).status_code == 200
    assert events("twofactor.verify", member, method="passkey")


def test_removing_one_of_several_passkeys_asks_for_the_password(alice):
    registered(alice, "Laptop")
    c = signed_in(alice)
    add(c, SoftPasskey(), "Phone")
    laptop = PasskeyDevice.objects.get(user=alice, name="Laptop")
    url = f"/me/two-factor/passkeys/{laptop.pk}/remove/"
    assert c.get(url).status_code == 200
    assert c.post(url, {"password": "wrong"}).status_code == 400
    assert events("twofactor.password_failed", alice, purpose="passkey_remove")
    assert c.post(url, {"password": PASSWORD}).status_code == 302
    assert list(PasskeyDevice.objects.filter(user=alice).values_list("name", flat=True)) == ["Phone"]
    assert events("twofactor.passkey_removed", alice, name="Laptop", remaining=1)


def test_removing_the_last_second_factor_asks_for_the_password_and_the_passkey(alice):
    passkey = registered(alice)
    device = PasskeyDevice.objects.get(user=alice)
    c = signed_in(alice)
    url = f"/me/two-factor/passkeys/{device.pk}/remove/"
    assert "last way of two-factor log-in" in c.get(url).content.decode()
    response = c.post(url, {"password": PASSWORD})
    assert response.status_code == 400 and PasskeyDevice.objects.filter(pk=device.pk).exists()
    wrong = passkey.get(options(c, "remove").json())
    assert c.post(url, {"password": "wrong", "credential": json.dumps(wrong)}).status_code == 400
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()
    answer = passkey.get(options(c, "remove").json())
    assert c.post(url, {"password": PASSWORD, "credential": json.dumps(answer)}).status_code == 302
    assert not PasskeyDevice.objects.filter(user=alice).exists()
    assert events("twofactor.passkey_used", alice, purpose="remove")
    assert events("twofactor.passkey_removed", alice, remaining=0)
    assert not has_second_factor(alice)


def test_with_the_app_on_the_last_passkey_needs_only_the_password(alice):
    turn_on(alice)
    registered(alice)
    device = PasskeyDevice.objects.get(user=alice)
    c = signed_in(alice)
    assert c.post(f"/me/two-factor/passkeys/{device.pk}/remove/", {"password": PASSWORD}).status_code == 302
    assert not PasskeyDevice.objects.filter(user=alice).exists()


def test_turning_off_the_app_keeps_passkeys_as_the_second_step(alice, clock):
    turn_on(alice)
    registered(alice)
    clock.shift(30)
    c = signed_in(alice)
    response = c.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": user_code(alice)})
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/"
    assert has_second_factor(alice)
    c2 = client()
    password_step(c2, alice)  # still asks for the second step


def test_each_username_has_its_own_handle(alice):
    other = make_user("bob")
    registered(alice)
    registered(other)
    handles = set(PasskeyDevice.objects.values_list("user_handle", flat=True))
    assert len(handles) == 2



def test_an_empty_add_form_says_what_is_missing(alice):
    response = signed_in(alice).post("/me/two-factor/passkeys/", {"name": "", "password": "", "credential": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required" in page
    assert "did not send a passkey" in page and not PasskeyDevice.objects.exists()


def test_find_account_does_not_take_a_password_alone_for_a_passkey_username(alice, owner_account):
    # Find Account reads the other username's password (and code); a passkey cannot be checked there.
    c = signed_in(alice)
    other = make_account("Harbor Therapy", "harbor")
    registered(other.owner)
    response = c.post(f"/a/{owner_account.slug}/access/other/find/", {"username": "harbor", "password": PASSWORD})
    assert PASSKEY_ONLY.split(",")[0] in response.content.decode()


def test_an_answer_made_for_another_site_is_refused(alice):
    passkey = registered(alice)
    c = client()
    password_step(c, alice)
    answer = passkey.get(options(c, "login").json(), rp_id="evil.example", origin="https://evil.example")
    assert second_step(c, answer).status_code == 302 and "_auth_user_id" not in c.session
    assert events("twofactor.passkey_refused", alice, purpose="login", reason="invalid")
    assert PasskeyDevice.objects.get(user=alice).sign_count == 0
