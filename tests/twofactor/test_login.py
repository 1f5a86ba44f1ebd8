"""Log-in with two-factor: the code after the password, once per time step, throttled like passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from practicegate.audit.models import AuditEvent
from practicegate.twofactor.services import has_two_factor
from tests.helpers import PASSWORD, make_user
from tests.twofactor.helpers import password_step, signed_in_id, turn_on, user_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor_owner(owner, clock):
    turn_on(owner)
    clock.shift(30)  # the set-up code's step is used up; log-in needs the next one
    return owner


def test_password_alone_does_not_sign_in(two_factor_owner):
    client = Client()
    response = password_step(client, "sunrise")
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/log-in/"
    assert signed_in_id(client) is None
    assert client.get("/start/")["Location"].startswith("/login/")
    assert not AuditEvent.objects.filter(action="auth.login", actor_id=two_factor_owner.id).exists()


def test_the_code_completes_log_in_and_the_session_is_verified(two_factor_owner):
    client = Client()
    password_step(client, "SUNRISE", next="/me/two-factor/")
    done = client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)})
    assert done.status_code == 302 and done["Location"] == "/me/two-factor/"
    assert signed_in_id(client) == str(two_factor_owner.pk)
    assert client.get("/me/two-factor/").wsgi_request.user.is_verified()
    assert AuditEvent.objects.filter(action="auth.login", actor_id=two_factor_owner.id).count() == 1


def test_a_username_without_two_factor_logs_in_with_the_password(owner):
    client = Client()
    response = password_step(client, "sunrise")
    assert response.status_code == 302 and response["Location"] == "/start/"
    assert signed_in_id(client) == str(owner.pk)


def test_a_used_code_is_refused_the_second_time(two_factor_owner, clock):
    code = user_code(two_factor_owner)
    first = Client()
    password_step(first, "sunrise")
    assert first.post("/me/two-factor/log-in/", {"code": code}).status_code == 302
    second = Client()
    password_step(second, "sunrise")
    replay = second.post("/me/two-factor/log-in/", {"code": code})
    assert replay.status_code == 400 and b"just used" in replay.content
    assert b"Wait 20 seconds" in replay.content  # the clock is 10 s into a 30 s step
    assert signed_in_id(second) is None
    assert AuditEvent.objects.filter(action="twofactor.code_failed", target_id=str(two_factor_owner.id),
                                     detail__purpose="login").count() == 1
    clock.shift(30)  # the next step's code works
    assert second.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)}).status_code == 302
    assert signed_in_id(second) == str(two_factor_owner.pk)


def test_the_time_step_allows_one_step_of_drift_and_no_more(two_factor_owner, clock):
    stale = user_code(two_factor_owner)
    clock.shift(60)  # two steps later: refused
    late = Client()
    password_step(late, "sunrise")
    assert late.post("/me/two-factor/log-in/", {"code": stale}).status_code == 400
    assert signed_in_id(late) is None

    code = user_code(two_factor_owner)
    clock.shift(30)  # the app's clock is one step behind: still accepted
    assert late.post("/me/two-factor/log-in/", {"code": code}).status_code == 302
    assert signed_in_id(late) == str(two_factor_owner.pk)


def test_a_recovery_code_logs_in_once(owner, clock):
    codes = turn_on(owner)
    client = Client()
    password_step(client, "sunrise")
    assert client.post("/me/two-factor/log-in/", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/me/two-factor/").wsgi_request.user.is_verified()
    event = AuditEvent.objects.get(action="twofactor.recovery_code_used", actor_id=owner.id)
    assert event.detail == {"purpose": "login", "codes_left": 9}
    again = Client()
    password_step(again, "sunrise")
    assert again.post("/me/two-factor/log-in/", {"code": codes[0]}).status_code == 400
    assert signed_in_id(again) is None
    # Grouped as printed, with hyphens, another code still works.
    display = "-".join(codes[1][i:i + 4] for i in range(0, 12, 4))
    assert again.post("/me/two-factor/log-in/", {"code": display}).status_code == 302


def test_wrong_codes_lock_the_username_like_wrong_passwords(two_factor_owner, clock, settings):
    client = Client()
    password_step(client, "sunrise")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/me/two-factor/log-in/", {"code": "000000"}).status_code == 400
        clock.shift(20)  # past django-otp's own per-device back-off (1, 2, 4, 8 s) as well
    locked = client.post("/me/two-factor/log-in/", {"code": "000000"})
    assert locked.status_code == 429 and b"Too many failed log-ins" in locked.content
    assert AccessAttempt.objects.get(username="sunrise").failures_since_start == settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action="auth.lockout", target_id=str(two_factor_owner.id)).exists()
    # Locked: the pending log-in is gone, and even the right password is refused.
    assert client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)}).status_code == 302
    assert signed_in_id(client) is None
    assert password_step(Client(), "sunrise").status_code == 429
    # After the cool-off, log-in works again and clears the count.
    clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=30))
    fresh = Client()
    password_step(fresh, "sunrise")
    assert fresh.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)}).status_code == 302
    assert not AccessAttempt.objects.filter(username="sunrise").exists()


def test_wrong_passwords_and_wrong_codes_share_one_count(two_factor_owner, clock, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, "sunrise", password="wrong " * 4).status_code == 400
    password_step(client, "sunrise")
    assert client.post("/me/two-factor/log-in/", {"code": "000000"}).status_code == 429


def test_a_pending_log_in_expires(two_factor_owner, clock):
    client = Client()
    password_step(client, "sunrise")
    clock.shift(301)
    response = client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in_id(client) is None


def test_the_pending_log_in_belongs_to_its_browser_session(two_factor_owner):
    client = Client()
    password_step(client, "sunrise")
    stranger = Client()
    response = stranger.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in_id(stranger) is None


def test_a_password_change_meanwhile_cancels_the_pending_log_in(two_factor_owner):
    client = Client()
    password_step(client, "sunrise")
    two_factor_owner.set_password("another long passphrase 99")
    two_factor_owner.save()
    assert client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)})["Location"] == "/login/"
    assert signed_in_id(client) is None


def test_the_code_step_without_a_password_step_sends_to_log_in(client, db):
    assert client.get("/me/two-factor/log-in/")["Location"] == "/login/"


@pytest.mark.parametrize("value, message", [
    ("", b"This field is required"),
    ("12345a", b"6-digit code"),
    ("9" * 65, b"at most 64 characters"),
    ("\U0001f600" * 6, b"6-digit code"),
    ("12\u202e3456", b"invisible or control characters"),
])
def test_bad_input_on_the_code_step_gets_a_clear_message(two_factor_owner, value, message):
    client = Client()
    password_step(client, "sunrise")
    response = client.post("/me/two-factor/log-in/", {"code": value})
    assert response.status_code == 400 and message in response.content
    assert signed_in_id(client) is None
    assert not AccessAttempt.objects.filter(username="sunrise").exists()  # not a guess: not counted


def test_the_code_step_enforces_csrf(two_factor_owner):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    client.post("/login/", {"username": "sunrise", "password": PASSWORD, "csrfmiddlewaretoken": token})
    code = user_code(two_factor_owner)
    assert client.post("/me/two-factor/log-in/", {"code": code}).status_code == 403
    token = client.get("/me/two-factor/log-in/").cookies.get("csrftoken", page.cookies["csrftoken"]).value
    assert client.post("/me/two-factor/log-in/", {"code": code, "csrfmiddlewaretoken": token}).status_code == 302
    assert signed_in_id(client) == str(two_factor_owner.pk)


def test_codes_never_reach_the_activity_log(owner, clock):
    codes = turn_on(owner)
    clock.shift(30)
    client = Client()
    password_step(client, "sunrise")
    code = user_code(owner)
    client.post("/me/two-factor/log-in/", {"code": "123456"})
    clock.shift(5)
    client.post("/me/two-factor/log-in/", {"code": codes[3]})
    for event in AuditEvent.objects.all():
        text = f"{event.detail}"
        assert code not in text and "123456" not in text and codes[3] not in text


def test_an_other_username_is_unaffected(two_factor_owner, db):
    make_user("plain")
    client = Client()
    assert password_step(client, "plain")["Location"] == "/start/"
    assert has_two_factor(two_factor_owner)


def test_a_right_code_during_the_back_off_is_not_counted_as_a_failure(two_factor_owner, clock):
    client = Client()
    password_step(client, "sunrise")
    assert client.post("/me/two-factor/log-in/", {"code": "000000"}).status_code == 400
    early = client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)})
    assert early.status_code == 429 and b"Wait 1 seconds" in early.content
    assert AccessAttempt.objects.get(username="sunrise").failures_since_start == 1
    clock.shift(2)
    assert client.post("/me/two-factor/log-in/", {"code": user_code(two_factor_owner)}).status_code == 302
