"""The help page's steps, literally, in the Django test client: links are followed by their words."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORDS = {
    "sunrise": "sunrise provider passphrase 1",
    "lakeside": "lakeside provider passphrase 2",
    "harbor": "harbor provider passphrase 3",
}
MASTER = ("practice-manager", "master username passphrase 9")


def link(page, words: str) -> str:
    """The href of the link whose text starts with `words` (what a person would click)."""
    text = page.content.decode()
    match = re.search(r'<a [^>]*href="([^"]+)"[^>]*>\s*' + re.escape(words), text)
    assert match, f"no link {words!r} on {page.request['PATH_INFO']}"
    return html.unescape(match.group(1))


def form_action(page, button: str) -> str:
    """The action of the form holding the button with these words (the page's own URL if none)."""
    text = page.content.decode()
    for form in re.findall(r"<form\b.*?</form>", text, flags=re.S):
        if re.search(r"<button[^>]*>\s*" + re.escape(button) + r"\s*</button>", form):
            action = re.search(r'action="([^"]*)"', form.split(">", 1)[0])
            return html.unescape(action.group(1)) if action else page.request["PATH_INFO"]
    raise AssertionError(f"no {button!r} button on {page.request['PATH_INFO']}")


def sign_up(name: str, username: str) -> None:
    client = Client()
    page = client.get("/")
    assert "Create My Account" in page.content.decode()
    response = client.post("/", {"provider_name": name, "email": f"{username}@example.org", "username": username,
                                 "password1": PASSWORDS[username], "password2": PASSWORDS[username]})
    assert response.status_code == 302, response.content[:800]


def log_in(client: Client, username: str, password: str):
    response = client.post("/login/", {"username": username, "password": password}, follow=True)
    assert response.status_code == 200 and f"signed in as <strong>{username}</strong>" in response.content.decode()
    return response


def test_group_practice_setup_as_the_help_page_describes():
    # Create Provider Accounts: one per provider, through the sign-up form.
    for name, username in (("Sunrise Counseling", "sunrise"), ("Lakeside Therapy", "lakeside"),
                           ("Harbor Psychology", "harbor")):
        sign_up(name, username)
    sunrise, lakeside, harbor = (Account.objects.get(name=n) for n in
                                 ("Sunrise Counseling", "Lakeside Therapy", "Harbor Psychology"))

    # Create Master Username & Password: log into one account, Account Access, Allow Account Access.
    client = Client()
    home = log_in(client, "sunrise", PASSWORDS["sunrise"])
    access = client.get(link(home, "Account Access"))
    allow = client.get(link(access, "Allow Account Access"))
    response = client.post(form_action(allow, "Add Username"),
                           {"username": MASTER[0], "password1": MASTER[1], "password2": MASTER[1],
                            "role": "starting"}, follow=True)  # Full Access: the account's starting privileges
    assert MASTER[0] in response.content.decode()

    # Access Other Accounts: log out, log in with the master username: still in the provider account.
    client.post("/logout/")
    home = log_in(client, *MASTER)
    assert home.request["PATH_INFO"] == f"/a/{sunrise.slug}/"
    for username in ("lakeside", "harbor"):
        access = client.get(link(home, "Account Access"))
        other = client.get(link(access, "Access Other Accounts"))
        found = client.post(form_action(other, "Find Account"),
                            {"username": username, "password": PASSWORDS[username], "code": ""})
        assert found.status_code == 200
        joined = client.post(form_action(found, "Join Account"),
                             {"token": found.context["join_form"].initial["token"]}, follow=True)
        assert "can now reach" in joined.content.decode()

    # The provider dropdown now shows all three accounts.
    page = client.get(f"/a/{sunrise.slug}/")
    dropdown = page.content.decode().split('id="provider-dropdown"')[1].split("</details>")[0]
    for account in (sunrise, lakeside, harbor):
        assert account.name in dropdown
    assert dropdown.count("<li>") == 3

    # Switch to Lakeside from the dropdown: the same page there, and the switch is in Lakeside's log.
    switched = client.get(link(page, "Lakeside Therapy"), follow=True)
    assert switched.request["PATH_INFO"] == f"/a/{lakeside.slug}/"
    assert "You are working in <strong>Lakeside Therapy</strong>" in switched.content.decode()
    master_events = AuditEvent.objects.filter(actor_username=MASTER[0])
    assert master_events.filter(account=lakeside, action="account.switch").exists()
    assert master_events.filter(account=lakeside, action="account.join").exists()
    assert master_events.filter(account=harbor, action="account.join").exists()
    assert master_events.filter(account=sunrise, action="account.join_other").count() == 2

    # Set Access Level: Username Privileges, plus (+) next to the username, View Only on a section.
    access = client.get(link(switched, "Account Access"))
    privileges = client.get(link(access, "Username Privileges"))
    assert MASTER[0] in privileges.content.decode() and "lakeside" in privileges.content.decode()
