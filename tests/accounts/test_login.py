from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from practicegate.audit.models import AuditEvent
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_lands_in_the_home_account(client, owner_account):
    response = log_in(client, "sunrise")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == f"/a/{owner_account.slug}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"signed in as <strong>sunrise</strong>" in page.content


def test_usernames_log_in_case_insensitively(client, owner_account):
    assert log_in(client, "SunRise")["Location"] == "/start/"


def test_login_gives_a_new_session_key(client, owner_account):
    client.get("/login/")
    client.session["probe"] = 1
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    log_in(client, "sunrise")
    assert client.cookies["sessionid"].value != before


def test_wrong_password_and_unknown_username_read_the_same(client, owner_account):
    wrong = log_in(client, "sunrise", "not the right password at all")
    unknown = log_in(client, "nobody-here", "not the right password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "do not match" in str(wrong.context["form"].non_field_errors())


def test_failed_logins_are_logged_in_the_right_chain(client, owner_account):
    log_in(client, "sunrise", "not the right password at all")
    log_in(client, "nobody-here", "not the right password at all")
    known = AuditEvent.objects.get(action="auth.login_failed", actor_username="sunrise")
    assert known.account_id == owner_account.id and known.outcome == "failure"
    assert known.actor_id is None
    unknown = AuditEvent.objects.get(action="auth.login_failed", actor_username="nobody-here")
    assert unknown.account_id is None  # the system chain
    assert "password" not in str(known.detail).lower()


def test_successful_login_is_logged(client, owner_account):
    log_in(client, "sunrise")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.account_id == owner_account.id and event.actor_username == "sunrise"
    assert event.ip == "10.0.0.1"


def test_five_failures_lock_the_username_and_ip_pair(client, owner_account):
    for _ in range(5):
        log_in(client, "sunrise", "not the right password at all")
    locked = log_in(client, "sunrise")  # even the right password
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.lockout", outcome="denied").exists()
    # Another network is not locked out of this username.
    assert log_in(Client(), "sunrise", ip="10.0.0.2").status_code == 302


def test_lockout_page_does_not_reveal_whether_the_username_exists(client, owner_account):
    for _ in range(5):
        log_in(client, "sunrise", "not the right password at all")
        log_in(client, "ghost-user", "not the right password at all")
    a = log_in(client, "sunrise", "x" * 20)
    b = log_in(client, "ghost-user", "x" * 20)
    assert a.status_code == b.status_code == 429
    assert a.content.replace(b"sunrise", b"").count(b"Too many") == b.content.count(b"Too many")


def test_lockout_expires_after_the_cooloff(client, owner_account):
    for _ in range(5):
        log_in(client, "sunrise", "not the right password at all")
    assert log_in(client, "sunrise").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client, "sunrise").status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "x" * 151, "password": "whatever whatever"},
        {"username": "sunrise", "password": "p" * 1025},
        {"username": "sun\x00rise", "password": "whatever whatever"},
        {"username": ["a", "b"], "password": "whatever"},
    ],
)
def test_malformed_login_posts_get_a_form_error(client, owner_account, data):
    response = client.post("/login/", data)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session_on_the_server(client, owner_account):
    log_in(client, "sunrise")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor_username="sunrise").exists()
    assert client.get(f"/a/{owner_account.slug}/").status_code == 302


def test_logout_opened_directly_asks_with_a_log_out_button_and_logs_nobody_out(client, owner_account):
    log_in(client, "sunrise")
    key = client.session.session_key
    response = client.get("/logout/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log out of PracticeGate?" in html
    assert '<form method="post" action="/logout/">' in html and ">Log out</button>" in html
    assert Session.objects.filter(session_key=key).exists()  # only the POST logs out
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_logout_opened_signed_out_goes_to_the_log_in_page(client, db):
    response = client.get("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_login_requires_csrf(owner_account):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "sunrise", "password": PASSWORD}).status_code == 403
    token = client.get("/login/").cookies["csrftoken"].value
    ok = client.post("/login/", {"username": "sunrise", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_next_parameter_is_honoured_only_for_our_site(client, owner_account):
    response = client.post(
        f"/login/?next=/a/{owner_account.slug}/settings/", {"username": "sunrise", "password": PASSWORD}
    )
    assert response["Location"] == f"/a/{owner_account.slug}/settings/"
    client.post("/logout/")
    response = client.post("/login/?next=https://evil.example/", {"username": "sunrise", "password": PASSWORD})
    assert response["Location"] == "/start/"


class TestSessionLifetimes:
    def test_idle_session_ends_after_fifteen_minutes(self, client, owner_account):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            log_in(client, "sunrise")
            home = f"/a/{owner_account.slug}/"
            assert client.get(home).status_code == 200
            clock.shift(timedelta(minutes=14))
            assert client.get(home).status_code == 200
            clock.shift(timedelta(minutes=14))  # active 14 minutes ago: still fine
            assert client.get(home).status_code == 200
            clock.shift(timedelta(minutes=16))
            response = client.get(home)
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        event = AuditEvent.objects.get(action="auth.session_expired")
        assert event.detail == {"reason": "idle"} and event.account_id == owner_account.id

    def test_absolute_lifetime_ends_an_active_session_after_twelve_hours(self, client, owner_account):
        home = f"/a/{owner_account.slug}/"
        with time_machine.travel(timezone.now(), tick=False) as clock:
            log_in(client, "sunrise")
            answers = []
            for _ in range(12 * 6 + 1):  # a request every ten minutes, just past twelve hours
                clock.shift(timedelta(minutes=10))
                answers.append(client.get(home).status_code)
            assert answers[:-1] == [200] * (12 * 6)
            assert answers[-1] == 302
        assert AuditEvent.objects.get(action="auth.session_expired").detail == {"reason": "absolute"}

    def test_lifetimes_are_settings(self, client, owner_account, settings):
        settings.SESSION_IDLE_SECONDS = 60
        with time_machine.travel(timezone.now(), tick=False) as clock:
            log_in(client, "sunrise")
            clock.shift(timedelta(seconds=90))
            assert client.get(f"/a/{owner_account.slug}/").status_code == 302
