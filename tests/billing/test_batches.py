"""Claim batches: built in one transaction from the ready claims of the accounts the username may
bill, numbered per submitter, logged in every account they touch; the file's download."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practicegate.audit.context import AuditContext
from practicegate.audit.models import AuditEvent, Channel
from practicegate.billing import batches, x12
from practicegate.billing.models import Claim, ClaimBatch, ClaimStatus, Clearinghouse
from practicegate.core.errors import ServiceError
from practicegate.core.sections import SECTION_KEYS, Level
from tests.billing.batch_factories import clearinghouse, ready_claims
from tests.billing.validator import pyx12_errors
from tests.helpers import add_member, login_client, make_account, make_user
from tests.threads import run_at_once


def billing_levels(level: Level) -> dict:
    levels = {key: int(Level.FULL) for key in SECTION_KEYS}
    levels["billing"] = int(level)
    return levels


def events(account, action: str) -> list:
    return list(AuditEvent.objects.filter(account=account, action=action).order_by("seq"))


def claims_of(account) -> list:
    return list(Claim.objects.with_scopes_disabled().filter(account=account).order_by("number"))



def test_a_batch_takes_every_ready_claim_of_the_accounts_chosen(owner_account, other_account, biller):
    house = clearinghouse(owner_account)
    mine, theirs = ready_claims(owner_account, 2), ready_claims(other_account, 3, lines=2)
    draft = ready_claims(other_account, 1, status=ClaimStatus.DRAFT)[0]
    batch = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account])
    assert batch.number == 1 and batch.control_number == 1
    assert batch.claim_count == 5 and batch.line_count == 2 + 6
    assert batch.account_ids == sorted([owner_account.pk, other_account.pk])
    assert batch.total_charge == sum(c.total_charge for c in mine + theirs)
    assert batch.file_text
    for claim in mine + theirs:
        claim.refresh_from_db()
        assert (claim.status, claim.batch_id) == (ClaimStatus.IN_BATCH, batch.pk)
        assert claim.control_number in batch.file_text
    draft.refresh_from_db()
    assert (draft.status, draft.batch_id) == (ClaimStatus.DRAFT, None)


def test_control_and_batch_numbers_increase_per_submitter(owner_account, other_account, biller):
    house, theirs = clearinghouse(owner_account), clearinghouse(other_account)
    ready_claims(owner_account, 1)
    first = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house, accounts=[owner_account])
    ready_claims(owner_account, 1)
    second = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                  accounts=[owner_account])
    ready_claims(owner_account, 1)
    elsewhere = batches.batch_create(actor=biller, account=other_account, clearinghouse=theirs,
                                     accounts=[owner_account])
    assert (first.number, first.control_number) == (1, 1)
    assert (second.number, second.control_number) == (2, 2)
    assert (elsewhere.account_id, elsewhere.number, elsewhere.control_number) == (other_account.pk, 1, 1)
    assert Clearinghouse.objects.with_scopes_disabled().get(pk=house.pk).next_control_number == 3


def test_accounts_the_username_may_not_bill_are_left_out_and_not_named(owner_account, other_account):
    user = make_user("part-biller")
    add_member(owner_account, user)
    add_member(other_account, user, billing_levels(Level.VIEW))
    third = make_account("Hillside Clinic", "hillside")  # not joined at all
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    theirs, stranger = ready_claims(other_account, 2), ready_claims(third, 1)
    batch = batches.batch_create(actor=user, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account, third])
    assert batch.account_ids == [owner_account.pk] and batch.claim_count == 1
    for claim in theirs + stranger:
        claim.refresh_from_db()
        assert (claim.status, claim.batch_id) == (ClaimStatus.READY, None)
    assert events(other_account, "batch.claims_add") == [] and events(third, "batch.claims_add") == []
    [created] = events(owner_account, "batch.create")
    assert created.detail["accounts"] == [owner_account.pk]
    assert str(other_account.pk) not in str(created.detail) or other_account.pk == owner_account.pk


def test_an_account_requiring_two_factor_is_left_out_of_an_unverified_web_session(owner_account, other_account,
                                                                                   biller):
    other_account.require_two_factor = True
    other_account.save(update_fields=["require_two_factor"])
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    theirs = ready_claims(other_account, 1)[0]
    web = AuditContext(actor=biller, channel=Channel.WEB)  # a session that entered no code
    batch = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account], context=web)
    assert batch.account_ids == [owner_account.pk]
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.READY


def test_the_submitter_needs_full_access_on_billing(owner_account, other_account):
    user = make_user("viewer")
    add_member(owner_account, user, billing_levels(Level.VIEW))
    add_member(other_account, user)
    house = clearinghouse(owner_account)
    ready_claims(other_account, 1)
    with pytest.raises(ServiceError, match="Full Access on Billing"):
        batches.batch_create(actor=user, account=owner_account, clearinghouse=house, accounts=[other_account])
    assert ClaimBatch.objects.with_scopes_disabled().count() == 0


def test_a_clearinghouse_of_another_account_or_inactive_is_refused(owner_account, other_account, biller):
    ready_claims(owner_account, 1)
    foreign, idle = clearinghouse(other_account), clearinghouse(owner_account, active=False)
    for house in (foreign, idle):
        with pytest.raises(ServiceError, match="clearinghouses"):
            batches.batch_create(actor=biller, account=owner_account, clearinghouse=house, accounts=[owner_account])
    assert claims_of(owner_account)[0].status == ClaimStatus.READY


def test_nothing_ready_builds_nothing(owner_account, biller):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1, status=ClaimStatus.DRAFT)
    with pytest.raises(batches.NothingToBatch, match="No claims are ready"):
        batches.batch_create(actor=biller, account=owner_account, clearinghouse=house, accounts=[owner_account])
    assert events(owner_account, "batch.create") == []


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_the_file_leaves_no_claim_marked(monkeypatch):
    account, other = make_account("Sunrise Counseling", "sunrise"), make_account("Lakeside Therapy", "lakeside")
    biller = make_user("biller")
    add_member(account, biller)
    add_member(other, biller)
    house = clearinghouse(account)
    ready_claims(account, 2)
    ready_claims(other, 2)
    before = events(account, "batch.create")

    def broken_writer(**kwargs):
        raise ValueError("the writer failed")

    monkeypatch.setattr(x12, "batch_file", broken_writer)
    with pytest.raises(ValueError):
        batches.batch_create(actor=biller, account=account, clearinghouse=house, accounts=[account, other])
    assert {c.status for c in claims_of(account) + claims_of(other)} == {ClaimStatus.READY}
    assert all(c.batch_id is None for c in claims_of(account) + claims_of(other))
    assert ClaimBatch.objects.with_scopes_disabled().count() == 0
    assert Clearinghouse.objects.with_scopes_disabled().get(pk=house.pk).next_control_number == 1
    assert events(account, "batch.create") == before and events(other, "batch.claims_add") == []


def test_the_log_has_one_event_in_the_submitter_and_one_in_each_account_carried(owner_account, other_account,
                                                                                  biller):
    hub = make_account("Billing Hub", "hub")
    add_member(hub, biller)
    house = clearinghouse(hub)
    mine, theirs = ready_claims(owner_account, 2), ready_claims(other_account, 1)
    batch = batches.batch_create(actor=biller, account=hub, clearinghouse=house,
                                 accounts=[owner_account, other_account])
    [created] = events(hub, "batch.create")
    assert created.detail["claims"] == 3 and created.detail["accounts"] == batch.account_ids
    assert events(hub, "batch.claims_add") == []  # it carries none of the hub's claims
    [added] = events(owner_account, "batch.claims_add")
    assert added.detail["claim_ids"] == [c.pk for c in mine] and added.detail["claims"] == 2
    assert added.actor_id == biller.pk and added.target_id == str(batch.pk)
    [added] = events(other_account, "batch.claims_add")
    assert added.detail["claim_ids"] == [theirs[0].pk]


def _queries_to_batch(accounts: list, claims_each: int) -> int:
    user = make_user(f"counter-{len(accounts)}-{claims_each}")
    for account in accounts:
        add_member(account, user)
        ready_claims(account, claims_each)
    house = clearinghouse(accounts[0])
    with CaptureQueriesContext(connection) as captured:
        batch = batches.batch_create(actor=user, account=accounts[0], clearinghouse=house, accounts=accounts)
    assert batch.claim_count == claims_each * len(accounts)
    return len(captured)


def test_the_queries_do_not_grow_with_the_number_of_claims(db):
    few = _queries_to_batch([make_account("Two Claims", "two-claims")], 2)
    many = _queries_to_batch([make_account("Twenty Claims", "twenty-claims")], 20)
    assert few == many, (few, many)


def test_the_queries_do_not_grow_with_the_number_of_accounts(db):
    one = _queries_to_batch([make_account("Solo Practice", "solo")], 2)
    five = _queries_to_batch([make_account(f"Group {i}", f"group-{i}") for i in range(5)], 2)
    assert one == five, (one, five)


# --- the pages --------------------------------------------------------------------------------

def url(account, name: str, **kwargs) -> str:
    return reverse(f"billing:{name}", kwargs={"account": account.slug, **kwargs})


def test_create_claim_batch_in_one_account_redirects_to_the_batch(owner_account, owner, other_account):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 2)
    http = login_client(owner)
    page = http.get(url(owner_account, "batch_new"))
    assert page.status_code == 200 and page.context["ready"] == 2
    assert house.name in page.content.decode()
    response = http.post(url(owner_account, "batch_new"), {"clearinghouse": house.pk})
    assert response.status_code == 302
    assert response["Location"] == url(owner_account, "batch", batch_number=1)
    batch = http.get(response["Location"])
    assert batch.status_code == 200 and "Claim batch 1" in batch.content.decode()
    assert len(batch.context["rows"][0][1]) == 2
    listed = http.get(url(owner_account, "batches"))
    assert [b.number for b in listed.context["page"].rows] == [1]


def test_create_claim_batch_refuses_another_accounts_clearinghouse(owner_account, owner, other_account):
    foreign = clearinghouse(other_account)
    clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    response = login_client(owner).post(url(owner_account, "batch_new"), {"clearinghouse": foreign.pk})
    assert response.status_code == 400
    assert "Choose one of the clearinghouses listed" in response.content.decode()
    assert claims_of(owner_account)[0].status == ClaimStatus.READY


def test_the_batch_page_lists_only_accounts_the_viewer_may_see(owner_account, other_account, biller, owner):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    theirs = ready_claims(other_account, 1)[0]
    batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                         accounts=[owner_account, other_account])
    response = login_client(owner).get(url(owner_account, "batch", batch_number=1))  # owner is not in Lakeside
    body = response.content.decode()
    assert response.status_code == 200
    assert other_account.name not in body and theirs.client.last_name not in body
    assert "not listed" in body
    shown = login_client(biller).get(url(owner_account, "batch", batch_number=1)).content.decode()
    assert other_account.name in shown and theirs.client.last_name in shown
    assert len(events(other_account, "phi.view")) == 1  # only the biller's view touched Lakeside


def test_download_marks_the_batch_sent_and_is_logged_in_every_account(owner_account, other_account, biller):
    house = clearinghouse(owner_account)
    mine, theirs = ready_claims(owner_account, 1), ready_claims(other_account, 2)
    batch = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account])
    http = login_client(biller)
    response = http.get(url(owner_account, "batch_download", batch_number=1))
    assert response.status_code == 200
    assert response.content.decode() == batch.file_text
    assert response["Content-Disposition"].startswith("attachment;")
    batch.refresh_from_db()
    assert batch.sent_at is not None
    assert {c.status for c in claims_of(owner_account) + claims_of(other_account)} == {ClaimStatus.SENT}
    [here] = events(owner_account, "batch.download")
    [there] = events(other_account, "batch.download")
    assert here.detail["claim_ids"] == [mine[0].pk] and here.detail["first_download"] is True
    assert there.detail["claim_ids"] == [c.pk for c in theirs] and there.detail["claims"] == 2
    sent_at = batch.sent_at
    http.get(url(owner_account, "batch_download", batch_number=1))
    batch.refresh_from_db()
    assert batch.sent_at == sent_at
    assert len(events(other_account, "batch.download")) == 2


def test_download_needs_full_access_in_every_account_the_batch_carries(owner_account, other_account, biller, owner):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    ready_claims(other_account, 1)
    batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                         accounts=[owner_account, other_account])
    response = login_client(owner).get(url(owner_account, "batch_download", batch_number=1))
    assert response.status_code == 302  # back to the batch, with the reason
    assert events(other_account, "batch.download") == []
    assert {c.status for c in claims_of(other_account)} == {ClaimStatus.IN_BATCH}
    viewer = make_user("viewer")
    add_member(owner_account, viewer, billing_levels(Level.VIEW))
    assert login_client(viewer).get(url(owner_account, "batch_download", batch_number=1)).status_code == 403


def test_another_accounts_batch_number_is_not_found(owner_account, other_account, biller, owner):
    house = clearinghouse(other_account)
    ready_claims(other_account, 1)
    batches.batch_create(actor=biller, account=other_account, clearinghouse=house, accounts=[other_account])
    http = login_client(owner)
    for name in ("batch", "batch_download", "ack_upload"):
        assert http.get(url(owner_account, name, batch_number=1)).status_code == 404
    assert events(other_account, "batch.download") == []


def test_a_batch_across_three_accounts_passes_the_independent_validator(owner_account, other_account, biller):
    third = make_account("Hillside Clinic", "hillside")
    add_member(third, biller)
    house = clearinghouse(owner_account)
    for account in (owner_account, other_account, third):
        ready_claims(account, 2, lines=2)
    batch = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account, third])
    assert pyx12_errors(batch.file_text) == []
    assert batch.file_text.count("\nHL*") and batch.file_text.count("*20*1") == 3  # a billing provider each
    assert batch.file_text.count("\nCLM*") == 6 and batch.file_text.count("\nLX*") == 12


@pytest.mark.postgresql("concurrent builders need row locks")
@pytest.mark.django_db(transaction=True)
def test_builders_at_the_same_instant_take_distinct_increasing_numbers_and_claims():
    hub = make_account("Billing Hub", "hub")
    providers = [make_account(f"Provider {i}", f"provider-{i}") for i in range(4)]
    biller = make_user("biller")
    for account in (hub, *providers):
        add_member(account, biller)
    for account in providers:
        ready_claims(account, 2)
    house = clearinghouse(hub)
    made = []

    def work(i):
        try:
            made.append(batches.batch_create(actor=biller, account=hub, clearinghouse=house,
                                             accounts=[providers[i], providers[(i + 1) % 4]]))
        except batches.NothingToBatch:
            pass

    assert run_at_once(4, work) == []
    assert sorted(b.control_number for b in made) == list(range(1, len(made) + 1))
    assert sorted(b.number for b in made) == list(range(1, len(made) + 1))
    claims = Claim.objects.with_scopes_disabled().filter(batch__isnull=False)
    assert sum(b.claim_count for b in made) == claims.count() == 8  # each claim in exactly one batch
