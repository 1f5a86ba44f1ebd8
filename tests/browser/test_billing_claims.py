"""The master username fixes a claim the scrubber flagged: it opens Billing in a demo account, finds
the draft claim whose payer lost its electronic payer ID, follows the scrubber's link to the payer,
fills the ID in, goes back, and the claim becomes Ready."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practicegate.access.demo import PASSWORD, USERNAME
from practicegate.accounts import demo as accounts_demo
from practicegate.billing.models import Claim, ClaimStatus
from practicegate.core.demo import build_demo
from practicegate.core.scoping import across_accounts
from practicegate.masterfiles.models import InsurancePayer
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_master_username_fixes_a_flagged_claim(browser_page, screenshot):
    build_demo()
    slug = accounts_demo.DEMO_ACCOUNTS[0][0]
    with across_accounts():
        claim = Claim.objects.filter(account__slug=slug, status=ClaimStatus.READY).select_related("policy__payer") \
            .order_by("number").first()
        payer = claim.policy.payer
        payer_id = payer.payer_id
        # The payer's electronic ID was cleared after the claim was built; the claim went back to Draft.
        InsurancePayer.objects.filter(pk=payer.pk).update(payer_id="")
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.DRAFT)
    page = browser_page
    log_in(page, USERNAME, PASSWORD)
    page.goto(f"/a/{slug}/")
    page.get_by_role("link", name="Billing", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Billing")
    page.get_by_role("link", name="Draft: 1").click()
    page.get_by_role("link", name=f"Claim {claim.number}", exact=True).click()
    flagged = page.get_by_role("link", name=f"The payer {payer.name} has no electronic payer ID.")
    expect(flagged).to_be_visible()
    screenshot(page, "40-claim-flagged")
    flagged.click()
    page.get_by_label("Electronic payer ID").fill(payer_id)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Saved the payer.")
    page.goto(f"/a/{slug}/billing/claims/{claim.number}/")
    expect(page.locator("#problems")).to_contain_text("Nothing is missing")
    page.get_by_role("button", name="Check Again and Mark Ready").click()
    expect(page.locator("main")).to_contain_text(f"Claim {claim.number} is ready to send.")
    expect(page.locator("h1")).to_have_text(f"Claim {claim.number}: Ready")
    screenshot(page, "41-claim-ready")
    with across_accounts():
        assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.READY
