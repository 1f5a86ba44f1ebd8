"""An e-mail address per username: entered at Allow Account Access or under My e-mail, confirmed
from the link in the mail a real SMTP server received, changed with the password (the old address
is told, the new one masked), removed; an address waiting for its link is never written to."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail as outbox_mail
from django.core import signing
from django.test import Client
from django.utils import timezone

from practicegate.accounts import mail
from practicegate.accounts.email_addresses import SALT, confirm_token, mask
from practicegate.accounts.models import User
from practicegate.audit.models import AuditEvent
from tests.access.helpers import url
from tests.accounts.email_helpers import confirm_email
from tests.accounts.helpers import signup
from tests.helpers import PASSWORD, login_client

pytestmark = pytest.mark.django_db
NEW_USER = {"username": "practice-manager", "password1": PASSWORD, "password2": PASSWORD}
LINK = re.compile(r"http://testserver(/me/email/confirm/[^/\s]+/)")


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what a request leaves for after its commit (sending mail), as the real server does."""
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()
    return run


def test_allow_account_access_takes_an_address_that_waits_for_its_link(owner_client, owner_account, owner,
                                                                        smtp_server, commits):
    response = commits(lambda: owner_client.post(url(owner_account, "allow"),
                                                 {**NEW_USER, "email": "Pat.Manager@example.org"}))
    assert response.status_code == 302
    user = User.objects.get(username="practice-manager")
    assert (user.pending_email, user.email, user.email_confirmed_at) == ("Pat.Manager@example.org", "", None)
    [message] = smtp_server.wait_for("Pat.Manager@example.org")
    assert "practice-manager" in message.body and message.subject.startswith("Confirm the e-mail address")
    event = AuditEvent.objects.get(action="auth.email_add", target_id=str(user.pk))
    assert event.account_id == owner_account.pk and event.actor_id == owner.pk
    assert "Pat.Manager" not in str(event.detail) and event.detail["address"] == "P…@e…"
    # Waiting: nothing is written to it.
    assert mail.send_to_user(user, "Test", "Body") is False
    assert len(smtp_server.to("Pat.Manager@example.org")) == 1

    # The link from the mail: the page asks (a GET changes nothing), the button confirms.
    visitor = Client()
    page = visitor.get(link_in(message))
    assert page.status_code == 200 and b"Confirm this address" in page.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    done = visitor.post(link_in(message))
    assert done.status_code == 302 and done["Location"] == "/login/"
    user.refresh_from_db()
    assert (user.email, user.pending_email) == ("Pat.Manager@example.org", "")
    assert user.email_confirmed_at is not None
    confirmed = AuditEvent.objects.get(action="auth.email_confirm", outcome="success")
    assert confirmed.actor_id == user.pk and confirmed.account_id == owner_account.pk
    # Confirmed: send_to_user now really sends.
    assert commits(lambda: mail.send_to_user(user, "Hello", "A notice body")) is True
    assert smtp_server.wait_for("Pat.Manager@example.org", count=2)[-1].subject == "Hello"

    # The link works once.
    again = Client().post(link_in(message))
    assert again.status_code == 400 and b"does not work any more" in again.content


def test_allow_account_access_without_an_address_works_as_before(owner_client, owner_account, commits):
    assert commits(lambda: owner_client.post(url(owner_account, "allow"), NEW_USER)).status_code == 302
    user = User.objects.get(username="practice-manager")
    assert (user.email, user.pending_email) == ("", "")
    assert outbox_mail.outbox == []
    assert not AuditEvent.objects.filter(action="auth.email_add").exists()


@pytest.mark.parametrize("email", ["not an address", "a" * 250 + "@example.org", "x@example.org\nBcc: y@z.org"])
def test_allow_account_access_refuses_a_bad_address_and_adds_nobody(owner_client, owner_account, email):
    response = owner_client.post(url(owner_account, "allow"), {**NEW_USER, "email": email})
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert not User.objects.filter(username="practice-manager").exists()
    assert outbox_mail.outbox == []


def test_sign_up_mails_the_owner_a_link_for_the_accounts_address(client, commits):
    assert commits(lambda: signup(client)).status_code == 302
    owner = User.objects.get(username="maplestreet")
    assert (owner.pending_email, owner.email) == ("maple@example.org", "")
    [message] = outbox_mail.outbox
    assert message.to == ["maple@example.org"] and "maplestreet" in message.body
    assert client.post(link_in(message)).status_code == 302
    owner.refresh_from_db()
    assert mail.confirmed_address(owner) == "maple@example.org"


def test_my_email_page_is_linked_from_every_page_and_says_what_is_in_use(owner, owner_account):
    confirm_email(owner, "sunrise@example.org")
    client = login_client(owner)
    home = client.get(f"/a/{owner_account.slug}/").content.decode()
    assert '<a href="/me/email/">My e-mail</a>' in home
    page = client.get("/me/email/")
    assert page.status_code == 200
    assert re.search(r'id="email-in-use">sunrise@example.org<', page.content.decode())


def test_changing_needs_the_current_password(owner, commits):
    confirm_email(owner, "sunrise@example.org")
    client = login_client(owner)
    response = commits(lambda: client.post("/me/email/", {"email": "new@example.net", "password": "not it at all"}))
    assert response.status_code == 400 and response.context["form"].errors["password"]
    owner.refresh_from_db()
    assert (owner.email, owner.pending_email) == ("sunrise@example.org", "")
    assert outbox_mail.outbox == [] and not AuditEvent.objects.filter(action="auth.email_change").exists()


def test_changing_tells_the_old_address_and_keeps_it_until_the_new_one_is_confirmed(owner, smtp_server, commits):
    confirm_email(owner, "sunrise@example.org")
    client = login_client(owner)
    response = commits(lambda: client.post("/me/email/", {"email": "robin.new@example.net", "password": PASSWORD}))
    assert response.status_code == 302 and response["Location"] == "/me/email/"
    owner.refresh_from_db()
    assert (owner.email, owner.pending_email) == ("sunrise@example.org", "robin.new@example.net")
    assert mail.confirmed_address(owner) == "sunrise@example.org"

    [notice] = smtp_server.wait_for("sunrise@example.org")
    assert "username sunrise was changed to r…@e…" in notice.body
    assert "robin.new" not in notice.body and "example.net" not in notice.body
    assert str(timezone.localdate().year) in notice.body  # the date it happened
    [confirmation] = smtp_server.wait_for("robin.new@example.net")
    event = AuditEvent.objects.get(action="auth.email_change")
    assert event.actor_id == owner.pk and event.detail["confirmed_before"] is True

    assert commits(lambda: client.post(link_in(confirmation))).status_code == 302
    owner.refresh_from_db()
    assert (owner.email, owner.pending_email) == ("robin.new@example.net", "")


def test_a_newer_address_makes_the_older_link_stop_working(owner, commits):
    client = login_client(owner)
    commits(lambda: client.post("/me/email/", {"email": "first@example.org", "password": PASSWORD}))
    commits(lambda: client.post("/me/email/", {"email": "second@example.org", "password": PASSWORD}))
    first, second = (link_in(m) for m in outbox_mail.outbox[-2:])
    assert client.post(first).status_code == 400
    owner.refresh_from_db()
    assert owner.pending_email == "second@example.org" and not mail.confirmed_address(owner)
    assert client.post(second).status_code == 302
    owner.refresh_from_db()
    assert mail.confirmed_address(owner) == "second@example.org"
    assert AuditEvent.objects.filter(action="auth.email_confirm", outcome="failure").count() == 1


def test_a_link_expires(owner, commits, time_machine):
    client = login_client(owner)
    commits(lambda: client.post("/me/email/", {"email": "late@example.org", "password": PASSWORD}))
    link = link_in(outbox_mail.outbox[-1])
    time_machine.move_to(timezone.now() + timedelta(hours=49))
    assert Client().post(link).status_code == 400
    owner.refresh_from_db()
    assert owner.pending_email == "late@example.org" and owner.email_confirmed_at is None


@pytest.mark.parametrize("token", ["nonsense", "a" * 400, "%00", "WzEsImFiYyJd:1abc:xyz"])
def test_a_bad_link_answers_plainly_and_changes_nothing(client, owner, token):
    owner.pending_email = "waiting@example.org"
    owner.save(update_fields=["pending_email"])
    for method in (client.get, client.post):
        response = method(f"/me/email/confirm/{token}/")
        assert response.status_code in (400, 404)
    owner.refresh_from_db()
    assert owner.email_confirmed_at is None


def test_a_link_for_one_username_cannot_confirm_another(owner, member):
    for user, address in ((owner, "own@example.org"), (member, "alice@example.org")):
        user.pending_email, user.pending_email_at = address, timezone.now()
        user.save(update_fields=["pending_email", "pending_email_at"])
    token = confirm_token(owner)
    payload, signature = token.split(":", 1)
    user_id, fingerprint = json.loads(signing.b64_decode(payload.encode()))
    assert user_id == owner.pk
    # The other username's id put in the link: the signature no longer matches.
    edited = signing.b64_encode(json.dumps([member.pk, fingerprint], separators=(",", ":")).encode()).decode()
    # Properly signed, but with the owner's fingerprint: it names the owner's address, not the member's.
    resigned = signing.dumps([member.pk, fingerprint], salt=SALT, compress=False)
    for forged in (f"{edited}:{signature}", resigned):
        assert Client().post(f"/me/email/confirm/{forged}/").status_code == 400
    member.refresh_from_db()
    assert member.email_confirmed_at is None and member.pending_email == "alice@example.org"
    assert Client().post(f"/me/email/confirm/{token}/").status_code == 302  # the real link still works


def test_removing_the_address_tells_it(owner, smtp_server, commits):
    confirm_email(owner, "sunrise@example.org")
    client = login_client(owner)
    assert commits(lambda: client.post("/me/email/", {"email": "", "password": PASSWORD})).status_code == 302
    owner.refresh_from_db()
    assert (owner.email, owner.email_confirmed_at, owner.pending_email) == ("", None, "")
    [notice] = smtp_server.wait_for("sunrise@example.org")
    assert "was removed" in notice.body
    assert AuditEvent.objects.filter(action="auth.email_remove", actor_id=owner.pk).exists()


def test_removing_nothing_is_a_message_not_a_change(owner):
    owner.email = owner.pending_email = ""
    owner.save(update_fields=["email", "pending_email"])
    response = login_client(owner).post("/me/email/", {"email": "", "password": PASSWORD})
    assert response.status_code == 400 and b"no e-mail address to remove" in response.content


def test_send_to_address_reports_a_mail_server_that_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert mail.send_to_address("someone@example.org", "Subject", "Body") is False
    assert mail.send_to_address("", "Subject", "Body") is False


def test_mask_shows_first_letters_only():
    assert mask("robin.new@example.net") == "r…@e…"
    assert mask("broken") == "…"
