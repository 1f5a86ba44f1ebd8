"""Paper claim downloads: Full Access on Billing only, logged in each account whose claims
they hold, never another account's claims."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from practicegate.audit.models import AuditEvent
from practicegate.billing.models import ClaimBatch, ClaimStatus
from practicegate.core.scoping import account_scope, across_accounts
from practicegate.core.sections import SECTION_KEYS, Level, full_levels
from tests.billing.factories import billing_account, claim_shapes, clearinghouse
from tests.helpers import add_member, login_client, make_user


def billing_levels(level: Level) -> dict:
    levels = {key: int(Level.FULL) for key in SECTION_KEYS}
    levels["billing"] = int(level)
    return levels


def text_of(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def events(account, action):
    return list(AuditEvent.objects.filter(account=account, action=action).order_by("id"))


@pytest.fixture
def two_practices(db):
    first = billing_account("Sunrise Counseling", "sunrise", seed=1)
    second = billing_account("Lakeside Therapy", "lakeside", seed=2)
    house = clearinghouse(first)
    shapes = {first.pk: claim_shapes(first, "A"), second.pk: claim_shapes(second, "B")}
    biller = make_user("biller")
    add_member(first, biller, full_levels())
    add_member(second, biller, full_levels())
    with across_accounts():
        batch = ClaimBatch.objects.create(account=first, number=1, clearinghouse=house, control_number=1,
                                          created_by=biller, account_ids=[first.pk, second.pk])
        for made in shapes.values():
            for name in ("adult", "child"):
                claim = made[name]
                claim.batch, claim.status = batch, ClaimStatus.IN_BATCH
                claim.save(update_fields=["batch", "status"])
    return first, second, shapes, batch, biller


def claim_url(account, number, **query):
    url = reverse("billing:claim_pdf", kwargs={"account": account.slug, "number": number})
    return url + ("?form=1" if query.get("form") else "")


def test_a_claim_as_a_form(two_practices):
    first, second, shapes, batch, biller = two_practices
    claim = shapes[first.pk]["adult"]
    response = login_client(biller).get(claim_url(first, claim.number))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = text_of(response)
    assert "LEE, AJORDAN" in text and "HEALTH INSURANCE CLAIM FORM" not in text
    [event] = events(first, "billing.claim_pdf")
    assert event.detail["claim_ids"] == [claim.pk] and event.detail["count"] == 1
    assert event.actor_id == biller.pk and events(second, "billing.claim_pdf") == []
    drawn = login_client(biller).get(claim_url(first, claim.number, form=True))
    assert "HEALTH INSURANCE CLAIM FORM" in text_of(drawn)
    assert events(first, "billing.claim_pdf")[-1].detail["form_drawn"] is True


@pytest.mark.parametrize("level", [Level.VIEW, Level.NONE])
def test_less_than_full_access_on_billing_is_refused(two_practices, level):
    first, second, shapes, batch, biller = two_practices
    viewer = make_user("viewer")
    add_member(first, viewer, billing_levels(level))
    claim = shapes[first.pk]["adult"]
    assert login_client(viewer).get(claim_url(first, claim.number)).status_code == 403
    url = reverse("billing:batch_pdf", kwargs={"account": first.slug, "batch_number": batch.number})
    assert login_client(viewer).get(url).status_code == 403
    assert events(first, "billing.claim_pdf") == events(first, "billing.batch_pdf") == []


def test_another_accounts_claim_number_is_not_found(two_practices):
    first, second, shapes, batch, biller = two_practices
    only_first = make_user("onlyfirst")
    add_member(first, only_first, full_levels())
    with account_scope(second):
        shapes[second.pk]["twelve"].number = 99
        shapes[second.pk]["twelve"].save(update_fields=["number"])
    assert login_client(only_first).get(claim_url(first, 99)).status_code == 404
    assert login_client(only_first).get(claim_url(second, 1)).status_code == 404  # not a member


def test_a_batch_across_accounts_is_logged_in_each(two_practices):
    first, second, shapes, batch, biller = two_practices
    url = reverse("billing:batch_pdf", kwargs={"account": first.slug, "batch_number": batch.number})
    response = login_client(biller).get(url)
    assert response.status_code == 200 and response["X-Claim-Count"] == "4"
    text = text_of(response)
    assert "LEE, AJORDAN" in text and "LEE, BJORDAN" in text and "ORTIZ, BSAM" in text
    assert len(PdfReader(BytesIO(response.content)).pages) == 4
    for account in (first, second):
        [event] = events(account, "billing.batch_pdf")
        mine = [shapes[account.pk][n].pk for n in ("adult", "child")]
        assert event.detail["claim_ids"] == mine and event.detail["count"] == 2


def test_a_batch_leaves_out_accounts_the_username_may_not_bill_now(two_practices):
    first, second, shapes, batch, biller = two_practices
    from practicegate.accounts.models import Membership
    Membership.objects.filter(user=biller, account=second).update(levels=billing_levels(Level.VIEW))
    url = reverse("billing:batch_pdf", kwargs={"account": first.slug, "batch_number": batch.number})
    response = login_client(biller).get(url)
    assert response.status_code == 200 and response["X-Claim-Count"] == "2"
    text = text_of(response)
    assert "AJORDAN" in text and "BJORDAN" not in text and "BSAM" not in text
    assert events(second, "billing.batch_pdf") == [] and len(events(first, "billing.batch_pdf")) == 1


def test_an_unknown_batch_and_bad_numbers(two_practices):
    first, second, shapes, batch, biller = two_practices
    client = login_client(biller)
    url = reverse("billing:batch_pdf", kwargs={"account": first.slug, "batch_number": 77})
    assert client.get(url).status_code == 404
    assert client.get(f"/a/{first.slug}/billing/claims/99999999999999999999/cms1500.pdf").status_code == 404
    assert client.get(claim_url(first, 1) + "?form=%00").status_code == 200
