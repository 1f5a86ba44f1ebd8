"""Emergency access in a real browser: the owner turns it on, a biller breaks the glass and reads
one client with the banner shown, the owner is e-mailed (read off a real SMTP server), sees the
use on the account home and marks it reviewed with a note."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from practicegate.access.models import EmergencyAccess
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level
from tests.accounts.email_helpers import confirm_email
from tests.browser.helpers import log_in
from tests.clients.helpers import levels_with, make_client
from tests.helpers import PASSWORD, make_account, new_member, rows_of

REASON = "The client called in crisis and the clinician on call cannot be reached"


def test_a_member_breaks_the_glass_and_the_owner_reviews_it(browser_page, new_page, smtp_server):
    account = make_account("Sunrise Counseling", "sunrise")
    owner = confirm_email(account.owner, "sunrise@example.org")  # emergency mail goes to confirmed addresses
    client = make_client(account, first_name="Ana", last_name="Quintero", birth_date="1980-02-03")
    make_client(account, first_name="Ben", last_name="Okafor", birth_date="1975-06-30")
    new_member(account, "biller", levels_with(Level.NONE) | {"account_access": int(Level.NONE)})

    # The owner turns it on under Settings, confirming with the password.
    owner_page = new_page()
    log_in(owner_page, owner.username, PASSWORD)
    owner_page.get_by_role("navigation", name="Sections").get_by_role("link", name="Settings").click()
    owner_page.get_by_role("link", name="Emergency access settings").click()
    owner_page.get_by_label("Allow emergency access in this account").check()
    owner_page.get_by_label("How long one use lasts (minutes)").fill("30")
    owner_page.get_by_label("Your password").fill(PASSWORD)
    owner_page.get_by_role("button", name="Save").click()
    expect(owner_page.get_by_text("Emergency access is now on.")).to_be_visible()

    # The biller, who cannot open Clients, names the client and says why.
    page = browser_page
    log_in(page, "biller", PASSWORD)
    page.get_by_role("link", name="Emergency access to a client").click()
    page.get_by_label("Client number").fill(str(client.number))
    page.get_by_label("Date of birth").fill("1980-02-03")
    page.get_by_label("Why do you need this client's record now?").fill(REASON)
    page.get_by_role("button", name="Open the client's record").click()
    expect(page).to_have_url(re.compile(rf"/clients/{client.number}/$"))
    banner = page.locator(".emergency-banner")
    expect(banner).to_contain_text(f"client #{client.number} until")
    expect(banner).to_contain_text("every view is logged")
    expect(page.locator("#demographics")).to_contain_text("Quintero")
    # The banner follows to the account home; the other client stays closed.
    page.goto(f"/a/{account.slug}/")
    expect(page.locator(".emergency-banner")).to_be_visible()
    refused = page.goto(f"/a/{account.slug}/clients/{client.number + 1}/")
    assert refused.status == 403

    mail = smtp_server.wait_for(owner.email)[0]
    assert "emergency access was used" in mail.subject and "biller" in mail.body and REASON in mail.body

    # The owner sees it on the account home and reviews it.
    owner_page.goto(f"/a/{account.slug}/")
    pending = owner_page.get_by_role("region", name="Emergency access to review")
    expect(pending).to_contain_text("biller")
    expect(pending).to_contain_text(REASON)
    pending.get_by_role("link", name="Review").click()
    owner_page.get_by_label("Review note").fill("Spoke with the biller; the client was helped. Justified.")
    owner_page.get_by_role("button", name="Mark reviewed").click()
    expect(owner_page.get_by_text("Marked as reviewed.")).to_be_visible()
    expect(owner_page.get_by_text("Reviewed by sunrise")).to_be_visible()
    owner_page.goto(f"/a/{account.slug}/")
    expect(owner_page.get_by_role("region", name="Emergency access to review")).to_have_count(0)

    grant = rows_of(EmergencyAccess, account).get()
    assert grant.reviewed_by_id == owner.pk and grant.review_note.startswith("Spoke with the biller")
    assert AuditEvent.objects.filter(account=account, action="emergency.review").count() == 1
    reads = AuditEvent.objects.filter(account=account, action="phi.view", actor__username="biller")
    assert reads.count() >= 1 and all(e.detail.get("purpose") == "emergency" for e in reads)
