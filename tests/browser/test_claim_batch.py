"""In a real browser: a billing service's master username builds one claim batch across three
provider accounts on Claims in all my accounts, downloads its 837P file, uploads the 277CA the
clearinghouse answered, and sees the claims accepted."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from practicegate.billing.models import Claim, ClaimStatus
from tests.billing.acks import answer_277ca
from tests.billing.batch_factories import clearinghouse, ready_claims
from tests.browser.helpers import log_in
from tests.helpers import PASSWORD, add_member, make_account, make_user


def test_one_batch_across_three_accounts_from_download_to_acknowledgment(browser_page, tmp_path):
    page = browser_page
    accounts = [make_account(name, slug) for name, slug in
                (("Sunrise Counseling", "sunrise"), ("Lakeside Therapy", "lakeside"), ("Hillside Clinic", "hillside"))]
    biller = make_user("billing-service")
    for account in accounts:
        add_member(account, biller)
        ready_claims(account, 2)
    house = clearinghouse(accounts[0], name="Example Clearinghouse")

    log_in(page, biller.username, PASSWORD)
    page.goto("/claims/all/")
    expect(page.get_by_role("heading", name="Claims in all my accounts")).to_be_visible()
    table = page.locator("#claims-accounts")
    for account in accounts:
        row = table.locator(f"tr[data-account='{account.slug}']")
        expect(row.locator("td.ready")).to_have_text("2")
        expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_label("Send through").select_option(value=str(house.pk))
    page.get_by_role("button", name="Create claim batch").click()

    expect(page.get_by_role("heading", name="Claim batch 1")).to_be_visible()
    expect(page.get_by_text("holds 6 claims of 3 accounts")).to_be_visible()
    expect(page.locator("td.claim-status", has_text="In batch")).to_have_count(6)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download claim file (837P)").click()
    text = Path(info.value.path()).read_text()
    assert text.startswith("ISA*") and text.count("\nCLM*") == 6
    page.reload()
    expect(page.locator("td.claim-status", has_text="Sent")).to_have_count(6)

    answer = tmp_path / "answer.277"
    answer.write_text(answer_277ca(text))
    page.get_by_role("link", name="Upload acknowledgment").click()
    page.get_by_label("Acknowledgment file (999 or 277CA)").set_input_files(str(answer))
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_text("claims 6 accepted, 0 rejected")).to_be_visible()
    expect(page.locator("td.claim-status", has_text="Accepted")).to_have_count(6)
    expect(page.locator("#acks")).to_contain_text("277CA")
    statuses = set(Claim.objects.with_scopes_disabled().values_list("status", flat=True))
    assert statuses == {ClaimStatus.ACCEPTED}
