"""Passkeys in Chromium with the DevTools virtual authenticator: add one, log in with it as the
second step and alone, remove the last one (password and the passkey), and a copied passkey
(same key, lower sign count, in another authenticator) refused.

WebAuthn needs a secure context: http://localhost is one, so the browser opens the live
server as `localhost` (the RP ID is then taken from that host)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from practicegate.twofactor.models import PasskeyDevice
from tests.browser.helpers import log_in, log_out, sign_up
from tests.browser.walk import AXE_OPTIONS, FAILING_IMPACTS

PASSWORD = "a passkey is a key pair on my laptop"
AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                 "hasUserVerification": True, "isUserVerified": True}


@pytest.fixture
def passkey_page(chromium, live_server):
    """A page on http://localhost:<port> with a virtual authenticator (a platform passkey)."""
    base = live_server.url.replace("127.0.0.1", "localhost")
    assert base.startswith("http://localhost:")
    context = chromium.new_context(base_url=base, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
    page.cdp, page.authenticator = cdp, authenticator
    yield page
    context.close()
    assert errors == [], f"browser errors: {errors}"


def add_passkey(page, name: str) -> None:
    page.goto("/me/two-factor/passkeys/")
    page.get_by_label("Name for this passkey").fill(name)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Add a Passkey").click()
    expect(page.locator("#passkeys")).to_contain_text(name)


def serious_axe_violations(page) -> list[str]:
    """The page walk's axe check, for the pages it cannot reach (they need a passkey)."""
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in FAILING_IMPACTS]


def credentials(page) -> list[dict]:
    return page.cdp.send("WebAuthn.getCredentials", {"authenticatorId": page.authenticator})["credentials"]


def test_add_a_passkey_log_in_with_it_and_remove_it(passkey_page):
    page = passkey_page
    sign_up(page, provider="Birch Counseling", email="birch@example.org", username="birch", password=PASSWORD)
    page.goto("/me/two-factor/")
    page.get_by_role("link", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Passkeys")).to_be_visible()
    add_passkey(page, "This laptop")
    expect(page.get_by_text("Passkey “This laptop” added")).to_be_visible()
    assert serious_axe_violations(page) == []
    stored = credentials(page)
    assert len(stored) == 1 and stored[0]["isResidentCredential"]
    device = PasskeyDevice.objects.get(user__username="birch")
    assert device.credential_id == stored[0]["credentialId"].replace("+", "-").replace("/", "_").rstrip("=")

    # Second step of log-in: the password, then the passkey (no app: no code box).
    log_out(page)
    log_in(page, "birch", PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor log-in")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_count(0)
    page.get_by_role("button", name="Use a Passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert AuditEvent.objects.filter(action="twofactor.passkey_used", detail__purpose="login").count() == 1

    # Log-in with the passkey alone.
    log_out(page)
    page.goto("/login/")
    page.get_by_role("button", name="Sign In with a Passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert AuditEvent.objects.filter(action="twofactor.passkey_used", detail__purpose="passwordless").count() == 1
    device.refresh_from_db()
    assert device.sign_count >= 2

    # The last second factor: the password alone is not enough, the passkey confirms.
    page.goto(f"/me/two-factor/passkeys/{device.pk}/remove/")
    expect(page.locator("#last-factor")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Remove Passkey").click()
    expect(page.get_by_text("Passkey “This laptop” removed")).to_be_visible()
    assert not PasskeyDevice.objects.filter(user__username="birch").exists()
    assert AuditEvent.objects.filter(action="twofactor.passkey_removed", detail__remaining=0).exists()


def test_a_copied_passkey_with_a_lower_sign_count_is_refused(passkey_page):
    page = passkey_page
    sign_up(page, provider="Cedar Counseling", email="cedar@example.org", username="cedar", password=PASSWORD)
    add_passkey(page, "Work laptop")
    log_out(page)
    page.goto("/login/")
    page.get_by_role("button", name="Sign In with a Passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    log_out(page)
    stored = PasskeyDevice.objects.get(user__username="cedar").sign_count
    assert stored >= 1

    # Copy the key (with its private half) into another authenticator, its counter set back.
    original = credentials(page)[0]
    page.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": page.authenticator})
    clone = page.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
    page.cdp.send("WebAuthn.addCredential", {"authenticatorId": clone, "credential": {
        "credentialId": original["credentialId"], "isResidentCredential": True, "rpId": original["rpId"],
        "privateKey": original["privateKey"], "userHandle": original["userHandle"], "signCount": 0}})

    page.goto("/login/")
    page.get_by_role("button", name="Sign In with a Passkey").click()
    expect(page.get_by_text("That passkey was not accepted")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    refused = AuditEvent.objects.get(action="twofactor.passkey_refused", detail__reason="replayed")
    assert refused.detail["stored_sign_count"] == stored and refused.detail["sign_count"] <= stored
    assert PasskeyDevice.objects.get(user__username="cedar").sign_count == stored
