"""Turning two-factor log-in on: QR code, secret as text, first code, recovery codes once."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.audit.models import AuditEvent
from practicegate.twofactor.models import RecoveryCode
from practicegate.twofactor.services import has_two_factor
from tests.helpers import PASSWORD, login_client
from tests.twofactor.helpers import pending_code

pytestmark = pytest.mark.django_db


def secret_on_page(html: str) -> str:
    return re.search(r'id="totp-secret" data-secret="([A-Z2-7]+)"', html).group(1)


def test_setup_page_shows_a_local_qr_code_and_the_secret_as_text(owner, owner_client, clock):
    page = owner_client.get("/me/two-factor/set-up/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # drawn here, no outside service
    assert "http://" not in re.search(r'<img[^>]+id="totp-qr"', html).group(0).replace("http://www.w3.org", "")
    secret = secret_on_page(html)
    assert f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}" == pending_code(owner_client, owner)
    # A reload shows the same secret, so a half-done set-up in the app stays valid.
    assert secret_on_page(owner_client.get("/me/two-factor/set-up/").content.decode()) == secret
    assert not has_two_factor(owner)


def test_a_code_computed_from_the_page_secret_turns_it_on_and_shows_ten_codes_once(owner, owner_client, clock):
    secret = secret_on_page(owner_client.get("/me/two-factor/set-up/").content.decode())
    code = f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"
    page = owner_client.post("/me/two-factor/set-up/", {"code": code, "password": PASSWORD})
    assert page.status_code == 200
    shown = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.content.decode())
    assert len(shown) == 10 and len(set(shown)) == 10
    assert has_two_factor(owner)
    # Stored hashed: no plain code anywhere in the table.
    hashes = list(RecoveryCode.objects.filter(device__user=owner).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and all(h.startswith("argon2$") for h in hashes)
    plain = {c.replace("-", "") for c in shown}
    assert not any(p in h for p in plain for h in hashes)
    # This session proved the code, and the event is logged without any code in it.
    assert owner_client.get("/me/two-factor/").status_code == 200
    event = AuditEvent.objects.get(action="twofactor.enable", actor_id=owner.id)
    assert code not in str(event.detail) and event.detail["recovery_codes"] == 10
    # Shown once: the status page shows a count, never the codes.
    status = owner_client.get("/me/two-factor/").content.decode()
    assert "10" in status and not any(c in status for c in shown)


def test_a_wrong_first_code_changes_nothing_and_is_logged(owner, owner_client, clock):
    owner_client.get("/me/two-factor/set-up/")
    right = pending_code(owner_client, owner)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = owner_client.post("/me/two-factor/set-up/", {"code": wrong, "password": PASSWORD})
    assert page.status_code == 400 and b"not right" in page.content
    assert not has_two_factor(owner)
    assert AuditEvent.objects.filter(action="twofactor.code_failed", actor_id=owner.id,
                                     outcome="failure").count() == 1


@pytest.mark.parametrize("value, message", [
    ("", b"This field is required"),
    ("abcdef", b"6-digit code"),
    ("12345", b"6-digit code"),
    ("1" * 65, b"at most 64 characters"),
    ("\u0661\u0662\u0663\u0664\u0665\u0666", b"6-digit code"),  # Arabic-Indic digits
    ("123\u200b456", b"invisible or control characters"),
    ("12 34\x0056", b"invisible or control characters"),
    ("' OR 1=1 --", b"6-digit code"),
])
def test_bad_input_on_setup_gets_a_clear_message(owner, owner_client, clock, value, message):
    owner_client.get("/me/two-factor/set-up/")
    page = owner_client.post("/me/two-factor/set-up/", {"code": value, "password": PASSWORD})
    assert page.status_code == 400 and message in page.content
    assert not has_two_factor(owner)


def test_full_width_digits_and_spaces_are_read_as_the_code(owner, owner_client, clock):
    owner_client.get("/me/two-factor/set-up/")
    code = pending_code(owner_client, owner)
    typed = " ".join(chr(0xFF10 + int(d)) for d in code)  # a phone keyboard's full-width digits
    assert owner_client.post("/me/two-factor/set-up/", {"code": typed, "password": PASSWORD}).status_code == 200
    assert has_two_factor(owner)


def test_setup_needs_a_signed_in_username(client, db):
    assert client.get("/me/two-factor/set-up/")["Location"].startswith("/login/")


def test_the_header_links_to_two_factor(owner_client, owner_account):
    page = owner_client.get(f"/a/{owner_account.slug}/")
    assert b'href="/me/two-factor/">Two-factor log-in</a>' in page.content


def test_setup_form_enforces_csrf(owner, clock):
    client = login_client(owner, csrf=True)
    page = client.get("/me/two-factor/set-up/")
    code = pending_code(client, owner)
    assert client.post("/me/two-factor/set-up/", {"code": code, "password": PASSWORD}).status_code == 403
    assert not has_two_factor(owner)
    token = page.cookies["csrftoken"].value
    assert client.post("/me/two-factor/set-up/", {"code": code, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": token}).status_code == 200
    assert has_two_factor(owner)


def test_a_get_of_the_setup_page_writes_nothing(owner, owner_client, clock):
    """Issue 11, finding 11: the secret waits in the session; no device, no event, until confirmed."""
    events = AuditEvent.objects.count()
    for _ in range(2):
        assert owner_client.get("/me/two-factor/set-up/").status_code == 200
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert AuditEvent.objects.count() == events


def test_turning_it_on_asks_for_the_password(owner, owner_client, clock):
    """Issue 11, finding 3: a stolen session alone cannot bind an attacker's authenticator."""
    owner_client.get("/me/two-factor/set-up/")
    code = pending_code(owner_client, owner)
    missing = owner_client.post("/me/two-factor/set-up/", {"code": code})
    assert missing.status_code == 400 and b"This field is required" in missing.content
    wrong = owner_client.post("/me/two-factor/set-up/", {"code": code, "password": "not my password at all"})
    assert wrong.status_code == 400 and b"password or code is not right" in wrong.content
    assert not has_two_factor(owner) and not TOTPDevice.objects.filter(user=owner).exists()
    failed = AuditEvent.objects.get(action="twofactor.password_failed", actor_id=owner.id)
    assert failed.detail == {"purpose": "setup"} and failed.outcome == "failure"
    assert owner_client.post("/me/two-factor/set-up/", {"code": code, "password": PASSWORD}).status_code == 200
    assert has_two_factor(owner)
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_wrong_passwords_on_setup_lock_like_log_in(owner, owner_client, clock):
    owner_client.get("/me/two-factor/set-up/")
    code = pending_code(owner_client, owner)
    for _ in range(4):
        owner_client.post("/me/two-factor/set-up/", {"code": code, "password": "not my password at all"})
    locked = owner_client.post("/me/two-factor/set-up/", {"code": code, "password": "not my password at all"})
    assert locked.status_code == 429 and b"Too many wrong passwords" in locked.content
    again = owner_client.post("/me/two-factor/set-up/", {"code": code, "password": PASSWORD})
    assert again.status_code == 429 and not has_two_factor(owner)
