"""Master files and copying them, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from practicegate.accounts import demo
from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent
from practicegate.core.demo import build_demo
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.browser.helpers import log_in, sign_up
from tests.helpers import PASSWORD, add_member, make_account, make_user, rows_of
from tests.masterfiles.helpers import add_diagnosis


def test_add_a_diagnosis_code_and_a_payer(browser_page, screenshot):
    page = browser_page
    sign_up(page, provider="Maple Street Counseling", email="maple@example.org", username="maple",
            password="maple leaves fall softly in october")
    sections = page.get_by_role("navigation", name="Sections")

    sections.get_by_role("link", name="Diagnosis Codes").click()
    page.get_by_role("link", name="Add Diagnosis code").click()
    page.get_by_label("ICD-10-CM code").fill("f411")
    page.get_by_label("Description").fill("Generalized anxiety disorder")
    page.get_by_role("button", name="Add Diagnosis code").click()
    expect(page.get_by_role("cell", name="F41.1")).to_be_visible()
    screenshot(page, "10-diagnosis-codes")

    sections.get_by_role("link", name="Insurance Payers").click()
    page.get_by_role("link", name="Add Payer").click()
    page.get_by_label("Name").fill("Empire Plan Behavioral Health")
    page.get_by_label("Electronic payer ID").fill("87726")
    page.get_by_label("State").fill("NY")
    page.get_by_label("ZIP").fill("12207")
    page.get_by_role("button", name="Add Payer").click()
    expect(page.get_by_role("cell", name="Empire Plan Behavioral Health")).to_be_visible()

    account = Account.objects.get(name="Maple Street Counseling")
    assert rows_of(DiagnosisCode, account).filter(code="F411").exists()
    assert rows_of(InsurancePayer, account).get(payer_id="87726").state == "NY"
    added = AuditEvent.objects.filter(account=account, action__in=["diagnosis.add", "payer.add"])
    assert sorted(added.values_list("section", flat=True)) == ["diagnosis_codes", "payers"]


def test_copy_codes_between_two_demo_accounts(browser_page, screenshot):
    build_demo()
    page = browser_page
    source, _, target = (Account.objects.get(slug=slug) for slug, *_ in demo.DEMO_ACCOUNTS)
    before = rows_of(BillingCode, target).count()
    assert before < rows_of(BillingCode, source).count()

    log_in(page, "practice-manager", "practice-manager-demo-passphrase")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Copy Codes to Another Account").click()
    page.get_by_label("Copy From").select_option(label=source.name)
    page.locator("fieldset, div", has_text="Copy To").get_by_label(target.name).first.check()
    page.get_by_label("Billing codes").check()
    page.get_by_label("Insurance payers").check()
    page.get_by_role("button", name="Continue").click()
    billing_row = page.locator('tr[data-file="billing"]').first
    expect(billing_row).to_be_visible()
    screenshot(page, "11-copy-preview")
    page.get_by_role("button", name="Copy Now").click()
    expect(page.get_by_role("heading", name=target.name)).to_be_visible()
    screenshot(page, "12-copy-result")

    source_codes = set(rows_of(BillingCode, source).values_list("code", flat=True))
    target_codes = set(rows_of(BillingCode, target).values_list("code", flat=True))
    assert source_codes <= target_codes and len(target_codes) > before
    for account in (source, target):
        event = AuditEvent.objects.filter(account=account, action="codes.copy").latest("seq")
        assert event.actor_username == "practice-manager" and event.outcome == "success"


def test_two_people_edit_one_code_and_the_second_sees_the_first(browser_page, new_page):
    account = make_account("Willow Counseling", "willow")
    add_member(account, make_user("rowan"))
    row = add_diagnosis(account, "F411", "Generalized anxiety disorder")
    edit = f"/a/{account.slug}/diagnosis-codes/{row.pk}/"
    willow, rowan = browser_page, new_page()
    for page, username in ((willow, "willow"), (rowan, "rowan")):
        log_in(page, username, PASSWORD)
        page.goto(edit)
        expect(page.get_by_label("Description")).to_have_value("Generalized anxiety disorder")

    rowan.get_by_label("Description").fill("Anxiety disorder, generalized")
    rowan.get_by_role("button", name="Save").click()
    expect(rowan.get_by_text("Saved the diagnosis code.")).to_be_visible()

    willow.get_by_label("Description").fill("GAD (willow's wording)")
    willow.get_by_role("button", name="Save").click()
    conflict = willow.get_by_role("alert").filter(has_text="Not saved")
    expect(conflict).to_contain_text("rowan")
    expect(conflict).to_contain_text("Anxiety disorder, generalized")
    # Both changed the description: rowan's is selected, willow's typed value offered beside it.
    expect(willow.get_by_label("Keep rowan's: Anxiety disorder, generalized")).to_be_checked()
    expect(willow.get_by_label("Use yours: GAD (willow's wording)")).not_to_be_checked()
    row.refresh_from_db()
    assert row.description == "Anxiety disorder, generalized" and row.version == 2

    # Having seen rowan's change, willow chooses hers on purpose.
    willow.get_by_label("Use yours: GAD (willow's wording)").check()
    willow.get_by_role("button", name="Save").click()
    expect(willow.get_by_text("Saved the diagnosis code.")).to_be_visible()
    row.refresh_from_db()
    assert row.description == "GAD (willow's wording)" and row.version == 3
