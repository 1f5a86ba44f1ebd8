from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from practicegate.accounts.models import User
from practicegate.audit.models import AuditEvent
from tests.accounts.email_helpers import confirm_email
from tests.helpers import PASSWORD, login_client

pytestmark = pytest.mark.django_db
NEW = "a brand new sentence for my password"


def test_change_password_needs_the_current_one(owner):
    client = login_client(owner)
    bad = client.post("/password/change/", {"old_password": "wrong wrong wrong", "new_password1": NEW,
                                            "new_password2": NEW})
    assert bad.status_code == 400
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    before = owner.password_changed_at
    ok = client.post("/password/change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert ok.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW) and owner.password_changed_at > before
    # The session that changed it stays signed in.
    assert client.get("/start/").status_code == 302
    event = AuditEvent.objects.get(action="auth.password_change")
    assert event.actor_id == owner.id and event.account_id == owner.home_account_id


def test_change_password_applies_the_policy(owner):
    client = login_client(owner)
    response = client.post("/password/change/", {"old_password": PASSWORD, "new_password1": "short one",
                                                  "new_password2": "short one"})
    assert response.status_code == 400
    assert "too short" in str(response.context["form"].errors)
    overlong = "z" * 1025
    response = client.post("/password/change/", {"old_password": PASSWORD, "new_password1": overlong,
                                                  "new_password2": overlong})
    assert response.status_code == 400


def test_change_password_requires_csrf(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="practicegate.accounts.backends.UsernameBackend")
    data = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    assert client.post("/password/change/", data).status_code == 403
    token = client.get("/password/change/").cookies["csrftoken"].value
    assert client.post("/password/change/", {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_forgot_password_sends_a_link_that_works_once(client, owner, django_capture_on_commit_callbacks):
    confirm_email(owner, "sunrise@example.org")  # only a confirmed address gets reset links
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the request commits
        response = client.post("/password/reset/", {"who": "sunrise@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    step = client.get(link)
    assert step.status_code == 302  # Django moves the token into the session
    form_url = step["Location"]
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    assert AuditEvent.objects.filter(action="auth.password_reset", actor_id=owner.id).exists()
    assert AuditEvent.objects.filter(action="auth.password_reset_request", target_id=str(owner.id)).exists()
    # The same link does not work twice.
    again = Client().get(link, follow=True)
    assert b"invalid or has already been used" in again.content


def test_forgot_password_for_unknown_email_looks_the_same(client, owner, django_capture_on_commit_callbacks):
    confirm_email(owner, "sunrise@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password/reset/", {"who": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["", "   ", "a" * 300 + "@x.org", "nul\x00@x.org", "bell\x07"])
def test_forgot_password_bad_input(client, db, who):
    response = client.post("/password/reset/", {"who": who})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert mail.outbox == []


def test_old_password_shows_a_reminder(owner, owner_account, settings):
    client = login_client(owner)
    home = f"/a/{owner_account.slug}/"
    assert b"more than a year old" not in client.get(home).content
    User.objects.filter(pk=owner.pk).update(password_changed_at=timezone.now() - timedelta(days=366))
    assert b"more than a year old" in client.get(home).content
    settings.PASSWORD_REMINDER_DAYS = 400
    assert b"more than a year old" not in client.get(home).content
