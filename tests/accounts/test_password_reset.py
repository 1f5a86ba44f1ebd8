"""Forgot password, for every username with a confirmed address (master usernames too): asked for by
username or address, the link followed from the mail a real SMTP server received, once, before it
expires; two-factor stays on; the same answer whether anything matched; throttled per typed value and IP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practicegate.accounts.models import User
from practicegate.audit.models import AuditEvent
from practicegate.twofactor.services import has_two_factor
from tests.accounts.email_helpers import confirm_email
from tests.helpers import add_member, make_account, make_user
from tests.twofactor.helpers import password_step, signed_in_id, turn_on

pytestmark = pytest.mark.django_db
NEW = "a lantern glows by the harbor gate"
LINK = re.compile(r"http://testserver(/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def master(owner_account, other_account):
    """A master username: made in one account, joined to another, with a confirmed address."""
    user = make_user("practice-manager", home_account=owner_account)
    add_member(owner_account, user)
    add_member(other_account, user)
    return confirm_email(user, "pat@example.org")


def ask(who: str, ip: str = "10.0.0.1", capture=None):
    client = Client(REMOTE_ADDR=ip)
    if capture is None:
        return client.post("/password/reset/", {"who": who})
    with capture(execute=True):  # the mail leaves after the request's commit, as on the real server
        return client.post("/password/reset/", {"who": who})


def follow_link(body: str, password: str = NEW):
    """Open the mailed link and set `password`, as a person would; the last response."""
    client = Client()
    step = client.get(LINK.search(body).group(1))
    assert step.status_code == 302  # Django moves the token into the session
    return client.post(step["Location"], {"new_password1": password, "new_password2": password})


@pytest.mark.parametrize("who", ["practice-manager", "PRACTICE-MANAGER", "pat@example.org", " PAT@Example.org "])
def test_a_master_username_resets_by_username_or_address(master, smtp_server, django_capture_on_commit_callbacks,
                                                         who):
    response = ask(who, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    [message] = smtp_server.wait_for("pat@example.org")
    assert "practice-manager" in message.body and message.subject == "Reset the password of your PracticeGate username"
    done = follow_link(message.body)
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    master.refresh_from_db()
    assert master.check_password(NEW)
    request_event = AuditEvent.objects.get(action="auth.password_reset_request", outcome="success")
    assert request_event.target_id == str(master.pk) and request_event.actor_username == "practice-manager"
    reset = AuditEvent.objects.get(action="auth.password_reset")
    assert reset.actor_id == master.pk and reset.account_id == master.home_account_id
    # The new password logs in.
    assert password_step(Client(), "practice-manager", NEW)["Location"] == "/start/"


def test_the_link_works_once_and_expires(master, smtp_server, django_capture_on_commit_callbacks, time_machine):
    ask("practice-manager", capture=django_capture_on_commit_callbacks)
    first = smtp_server.wait_for("pat@example.org")[0].body
    assert follow_link(first).status_code == 302
    used = Client().get(LINK.search(first).group(1), follow=True)
    assert b"invalid or has already been used" in used.content

    ask("practice-manager", capture=django_capture_on_commit_callbacks)
    second = smtp_server.wait_for("pat@example.org", count=2)[1].body
    time_machine.move_to(timezone.now() + timedelta(hours=2))  # PASSWORD_RESET_TIMEOUT is one hour
    expired = Client().get(LINK.search(second).group(1), follow=True)
    assert b"invalid or has already been used" in expired.content
    master.refresh_from_db()
    assert master.check_password(NEW)  # the first reset's password, untouched by the expired link


def test_a_reset_keeps_two_factor_on(master, smtp_server, django_capture_on_commit_callbacks):
    turn_on(master)
    ask("pat@example.org", capture=django_capture_on_commit_callbacks)
    assert follow_link(smtp_server.wait_for("pat@example.org")[0].body).status_code == 302
    master.refresh_from_db()
    assert has_two_factor(master)
    client = Client()
    response = password_step(client, "practice-manager", NEW)
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/log-in/"
    assert signed_in_id(client) is None  # the new password alone signs nobody in


def test_the_answer_is_the_same_whatever_matched_and_nothing_is_sent_for_nobody(
        master, smtp_server, django_capture_on_commit_callbacks):
    answers = []
    for who in ("nobody@example.org", "no-such-username", "practice-manager"):
        response = ask(who, capture=django_capture_on_commit_callbacks)
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    assert [m.recipients for m in smtp_server.messages] == [["pat@example.org"]]
    failed = AuditEvent.objects.filter(action="auth.password_reset_request", outcome="failure")
    assert failed.count() == 2 and all(e.account_id is None and e.actor_username == "" for e in failed)
    assert "nobody@example.org" not in str([e.detail for e in failed])


def test_an_address_waiting_for_its_link_gets_no_reset(owner, smtp_server, django_capture_on_commit_callbacks):
    owner.pending_email = "waiting@example.org"
    owner.save(update_fields=["pending_email"])
    for who in ("waiting@example.org", "sunrise", "sunrise@example.org"):
        assert ask(who, capture=django_capture_on_commit_callbacks).status_code == 302
    assert smtp_server.messages == []


def test_an_inactive_username_gets_no_reset(master, smtp_server, django_capture_on_commit_callbacks):
    User.objects.filter(pk=master.pk).update(is_active=False)
    ask("practice-manager", capture=django_capture_on_commit_callbacks)
    assert smtp_server.messages == []


def test_one_address_of_two_usernames_gets_a_link_for_each(master, other_account, smtp_server,
                                                          django_capture_on_commit_callbacks):
    confirm_email(other_account.owner, "PAT@example.org")
    ask("pat@example.org", capture=django_capture_on_commit_callbacks)
    bodies = [m.body for m in smtp_server.wait_for("pat@example.org", count=2)]
    assert any("username practice-manager" in b for b in bodies) and any("username lakeside" in b for b in bodies)


def test_requests_for_one_username_are_throttled(master, smtp_server, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_LIMIT_PER_NAME = 2
    answers = {ask(who, ip=f"10.0.0.{n}", capture=django_capture_on_commit_callbacks)["Location"]
               for n, who in enumerate(["practice-manager", "Practice-Manager", "practice-manager"])}
    assert answers == {"/password/reset/sent/"}
    assert len(smtp_server.wait_for("pat@example.org", count=2)) == 2
    refused = AuditEvent.objects.get(action="auth.password_reset_request", outcome="denied")
    assert refused.target_id == str(master.pk) and "too many requests" in refused.detail["reason"]
    # The address is counted apart from the username.
    ask("pat@example.org", capture=django_capture_on_commit_callbacks)
    assert len(smtp_server.wait_for("pat@example.org", count=3)) == 3


def test_requests_from_one_ip_are_throttled(master, smtp_server, settings, django_capture_on_commit_callbacks,
                                           time_machine):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    for who in ("someone-else", "another-one", "practice-manager", "pat@example.org"):
        assert ask(who, ip="10.9.9.9", capture=django_capture_on_commit_callbacks).status_code == 302
    assert len(smtp_server.messages) == 1  # the third request sent one; the fourth was over the limit
    assert AuditEvent.objects.filter(action="auth.password_reset_request", outcome="denied").count() == 1
    ask("pat@example.org", ip="10.8.8.8", capture=django_capture_on_commit_callbacks)  # another IP
    assert len(smtp_server.wait_for("pat@example.org", count=2)) == 2
    time_machine.move_to(timezone.now() + timedelta(minutes=61))  # the window passes
    ask("pat@example.org", ip="10.9.9.9", capture=django_capture_on_commit_callbacks)
    assert len(smtp_server.wait_for("pat@example.org", count=3)) == 3


def test_the_page_asks_in_plain_words(client, db):
    page = client.get("/password/reset/").content.decode()
    assert "Your username or e-mail address" in page and "Send reset link" in page


def test_the_request_is_logged_in_the_masters_home_account(master):
    """The request's event goes to the chain of the master's home account, not to any other."""
    other = make_account("Elsewhere Practice", "elsewhere")
    ask("practice-manager")
    event = AuditEvent.objects.get(action="auth.password_reset_request")
    assert event.account_id == master.home_account_id != other.pk
