"""The scrubber: each rule listed in plain words with the page that fixes it; Ready only when
nothing is listed; a page of claims checked in the same number of queries as one claim."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicegate.billing import claims as services
from practicegate.billing.models import BillingSettings, Claim, ClaimLine, ClaimStatus
from practicegate.billing.scrubber import problems_for, problems_of
from practicegate.clients.models import Client, ClientPolicy
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import InsurancePayer
from tests.billing.helpers import billable_client, codes, ready_account, url
from tests.helpers import login_client

pytestmark = pytest.mark.django_db
DAY = date(2024, 3, 4)


def _claim(account, actor, *, services_=None, billing=("90837",), policy=None, **client_kw):
    dxs, bills, payer = codes(account, n_dx=2, billing=billing)
    chosen = services_(bills) if services_ else [(DAY, bills["90837"], [0])]
    billable_client(account, actor, dx_codes=dxs, payer=payer, services=chosen, policy=policy, **client_kw)
    with account_scope(account):
        [claim] = services.claims_build(actor=actor, account=account).claims
    return claim


def _texts(account, claim):
    with account_scope(account):
        return [(p.text, p.url) for p in problems_of(Claim.objects.get(pk=claim.pk))]


def test_a_complete_claim_has_no_problems_and_is_ready(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner)
    assert _texts(owner_account, claim) == [] and claim.status == ClaimStatus.READY


def test_missing_billing_settings_link_to_the_settings_page(owner_account, owner):
    claim = _claim(owner_account, owner)
    assert claim.status == ClaimStatus.DRAFT
    [(text, link)] = _texts(owner_account, claim)
    assert "billing settings are not filled in" in text and link == url(owner_account, "settings")


@pytest.mark.parametrize("field, value, words", [
    ("npi", "1234567890", "NPI is missing or not valid"),
    ("taxonomy", "12345", "taxonomy code"),
    ("tax_id", "", "tax ID"),
    ("zip_code", "12207", "all 9 digits"),
    ("city", "", "address is incomplete"),
    ("rendering_npi", "1111111111", "rendering provider's NPI"),
])
def test_each_provider_rule(owner_account, owner, field, value, words):
    ready_account(owner_account)
    with account_scope(owner_account):
        BillingSettings.objects.filter(account=owner_account).update(**{field: value})
    claim = _claim(owner_account, owner)
    texts = _texts(owner_account, claim)
    assert any(words in t and u == url(owner_account, "settings") for t, u in texts), texts


def test_a_payer_without_payer_id_or_filing_indicator_links_to_its_edit_page(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner)
    with account_scope(owner_account):
        InsurancePayer.objects.filter(account=owner_account).update(payer_id="", claim_filing_indicator="")
        payer = InsurancePayer.objects.get(account=owner_account)
    texts = _texts(owner_account, claim)
    edit = f"/a/{owner_account.slug}/payers/{payer.pk}/"
    assert ("The payer Blue Harbor has no electronic payer ID.", edit) in texts
    assert ("The payer Blue Harbor has no claim filing indicator.", edit) in texts


def test_subscriber_rules_when_the_subscriber_is_another_person(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner, policy={"subscriber": "other", "subscriber_name": "", "relationship": ""})
    insurance = f"/a/{owner_account.slug}/clients/{claim.client.number}/insurance/"
    texts = _texts(owner_account, claim)
    for words in ("their name is missing", "their date of birth is missing", "relationship to the subscriber"):
        assert any(words in t and u == insurance for t, u in texts), (words, texts)
    with account_scope(owner_account):
        ClientPolicy.objects.filter(pk=claim.policy_id).update(member_id=" ")
    assert any("subscriber (member) ID" in t for t, _ in _texts(owner_account, claim))


def test_client_address_and_zip(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner)
    with account_scope(owner_account):
        Client.objects.filter(pk=claim.client_id).update(address1="", zip_code="1234")
    edit = f"/a/{owner_account.slug}/clients/{claim.client.number}/edit/"
    texts = _texts(owner_account, claim)
    assert any("address is incomplete" in t and u == edit for t, u in texts)
    assert any("ZIP code is missing or not valid" in t and u == edit for t, u in texts)


def test_a_line_without_pointer_zero_units_or_charge(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner)
    with account_scope(owner_account):
        ClaimLine.objects.filter(claim=claim).update(pointer1=None, units=0, charge=0)
    texts = [t for t, _ in _texts(owner_account, claim)]
    assert "Line 1 (90837) points at no diagnosis." in texts
    assert "Line 1 (90837) has zero units." in texts and "Line 1 (90837) has no charge." in texts


def test_an_add_on_without_its_primary_code_on_the_same_day(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner, billing=("90837", "90785"),
                   services_=lambda b: [(DAY, b["90837"], [0]), (DAY + timedelta(days=1), b["90785"], [0])])
    texts = [t for t, _ in _texts(owner_account, claim)]
    assert texts == ["Line 2 is the add-on code 90785, but no service it adds to was given on the same day."]


def test_an_add_on_with_its_primary_code_is_fine(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner, billing=("90837", "90785"),
                   services_=lambda b: [(DAY, b["90837"], [0]), (DAY, b["90785"], [0])])
    assert _texts(owner_account, claim) == []


def test_a_date_outside_the_policy_and_a_duplicate_line(owner_account, owner):
    ready_account(owner_account)
    claim = _claim(owner_account, owner, services_=lambda b: [(DAY, b["90837"], [0]), (DAY, b["90837"], [0])])
    with account_scope(owner_account):
        ClientPolicy.objects.filter(pk=claim.policy_id).update(effective_date=DAY + timedelta(days=1))
    texts = [t for t, _ in _texts(owner_account, claim)]
    assert "Line 1's date of service is outside the policy's dates." in texts
    assert "Line 2 repeats line 1 (same date, code and modifiers)." in texts


def test_ready_only_when_nothing_is_listed_and_an_edit_rescrubs(owner_account, owner):
    claim = _claim(owner_account, owner)  # no billing settings: a draft
    client = login_client(owner)
    page = client.post(url(owner_account, "claim-ready", number=claim.number), follow=True).content.decode()
    assert "is not ready" in page and "billing settings are not filled in" in page
    ready_account(owner_account)
    client.post(url(owner_account, "claim-ready", number=claim.number))
    with account_scope(owner_account):
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.READY
        # Editing a Ready claim checks it again: a line without a pointer sends it back to Draft.
        services.claim_update(actor=owner, account=owner_account, claim=claim,
                              data={"place_of_service": "11", "prior_authorization": ""},
                              lines={1: {"modifiers": [], "pointers": []}}, expected_version=claim.version)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.DRAFT


def test_a_page_of_claims_is_checked_in_the_queries_of_one(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account, n_dx=2)
    for i in range(8):
        billable_client(owner_account, owner, dx_codes=dxs, payer=payer, last_name=f"Name{'abcdefgh'[i]}",
                        services=[(DAY, bills["90837"], [0]), (DAY + timedelta(days=7), bills["90837"], [1])])
    with account_scope(owner_account):
        built = services.claims_build(actor=owner, account=owner_account).claims
        with CaptureQueriesContext(connection) as one:
            problems_for(owner_account, built[:1])
        with CaptureQueriesContext(connection) as eight:
            problems_for(owner_account, built)
    assert len(one) == len(eight) <= 5


def test_view_only_sees_the_problems_without_links_it_could_not_open(owner_account, owner):
    from practicegate.core.sections import SECTION_KEYS, Level
    from tests.helpers import new_member

    claim = _claim(owner_account, owner)  # no billing settings: listed, fixed on Billing settings (Full Access)
    viewer = login_client(new_member(owner_account, "viewer", {k: int(Level.VIEW) for k in SECTION_KEYS}))
    page = viewer.get(url(owner_account, "claim", number=claim.number)).content.decode()
    assert "billing settings are not filled in" in page
    assert f'href="{url(owner_account, "settings")}"' not in page
