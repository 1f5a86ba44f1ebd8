"""Claims in all my accounts: the counts of every account the username may bill, and one batch
over the accounts chosen; accounts the rule refuses are neither counted nor named."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.audit.models import AuditEvent
from practicegate.billing.models import ClaimBatch, ClaimStatus
from practicegate.core.sections import SECTION_KEYS, Level
from tests.billing.batch_factories import clearinghouse, ready_claims, statuses, unbilled_service
from tests.helpers import add_member, login_client, make_account, make_user

PAGE = "/claims/all/"


def billing_levels(level: Level) -> dict:
    return {key: int(Level.FULL) for key in SECTION_KEYS} | {"billing": int(level)}




def test_the_url_is_the_page():
    assert reverse("claims_all:all") == PAGE


def test_it_counts_unbilled_services_and_ready_claims_per_account(owner_account, other_account, biller):
    ready_claims(owner_account, 2)
    ready_claims(other_account, 1)
    ready_claims(other_account, 1, status=ClaimStatus.DRAFT)
    unbilled_service(other_account)
    unbilled_service(other_account)
    response = login_client(biller).get(PAGE)
    assert response.status_code == 200
    rows = {r.account.slug: (r.unbilled, r.ready) for r in response.context["overview"].rows}
    assert rows == {owner_account.slug: (0, 2), other_account.slug: (2, 1)}
    assert "Claims in all my accounts" in response.content.decode()


def test_accounts_the_username_may_not_bill_are_not_counted_nor_named(owner_account, other_account):
    user = make_user("part-biller")
    add_member(owner_account, user)
    add_member(other_account, user, billing_levels(Level.VIEW))
    stranger = make_account("Hillside Clinic", "hillside")
    for account in (owner_account, other_account, stranger):
        ready_claims(account, 1)
        clearinghouse(account)
    response = login_client(user).get(PAGE)
    body = response.content.decode()
    assert [r.account for r in response.context["overview"].rows] == [owner_account]
    assert other_account.name not in body and stranger.name not in body
    assert {h.account_id for h in response.context["overview"].clearinghouses} == {owner_account.pk}


def test_an_account_requiring_two_factor_needs_a_verified_session(owner_account, other_account, biller):
    other_account.require_two_factor = True
    other_account.save(update_fields=["require_two_factor"])
    ready_claims(other_account, 1)
    http = login_client(biller)
    assert [r.account for r in http.get(PAGE).context["overview"].rows] == [owner_account]
    device = TOTPDevice.objects.create(user=biller, name="phone", confirmed=True)
    session = http.session
    session["otp_device_id"] = device.persistent_id  # what django_otp.login() stores
    session.save()
    rows = http.get(PAGE).context["overview"].rows
    assert {r.account.slug for r in rows} == {owner_account.slug, other_account.slug}


def test_create_claim_batch_builds_one_batch_over_the_accounts_chosen(owner_account, other_account, biller):
    hub = make_account("Billing Hub", "hub")
    add_member(hub, biller)
    house = clearinghouse(hub)
    mine, theirs = ready_claims(owner_account, 2), ready_claims(other_account, 1)
    http = login_client(biller)
    response = http.post(PAGE, {"accounts": [owner_account.slug, other_account.slug], "clearinghouse": house.pk})
    assert response.status_code == 302
    batch = ClaimBatch.objects.with_scopes_disabled().get()
    assert response["Location"] == reverse("billing:batch", kwargs={"account": hub.slug, "batch_number": 1})
    assert batch.account_id == hub.pk and batch.claim_count == 3
    assert batch.account_ids == sorted([owner_account.pk, other_account.pk])
    assert statuses(owner_account) == statuses(other_account) == {ClaimStatus.IN_BATCH}
    page = http.get(response["Location"])
    assert {c.pk for group, rows in page.context["rows"] for c, _ in rows} == {c.pk for c in mine + theirs}


def test_only_the_accounts_ticked_are_billed(owner_account, other_account, biller):
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 1)
    ready_claims(other_account, 1)
    response = login_client(biller).post(PAGE, {"accounts": [other_account.slug], "clearinghouse": house.pk})
    assert response.status_code == 302
    assert statuses(owner_account) == {ClaimStatus.READY}
    assert statuses(other_account) == {ClaimStatus.IN_BATCH}


def test_an_account_not_offered_is_refused_and_nothing_changes(owner_account, other_account):
    user = make_user("part-biller")
    add_member(owner_account, user)
    add_member(other_account, user, billing_levels(Level.VIEW))
    house = clearinghouse(owner_account)
    foreign = clearinghouse(other_account)
    ready_claims(owner_account, 1)
    ready_claims(other_account, 1)
    http = login_client(user)
    response = http.post(PAGE, {"accounts": [owner_account.slug, other_account.slug], "clearinghouse": house.pk})
    assert response.status_code == 400 and "Choose among the accounts listed" in response.content.decode()
    response = http.post(PAGE, {"accounts": [owner_account.slug], "clearinghouse": foreign.pk})
    assert response.status_code == 400 and "Choose one of the clearinghouses listed" in response.content.decode()
    for bad in ({}, {"accounts": "x" * 5000, "clearinghouse": "1e9"}, {"clearinghouse": "\x00"}):
        assert http.post(PAGE, bad).status_code == 400
    assert statuses(owner_account) == statuses(other_account) == {ClaimStatus.READY}
    assert ClaimBatch.objects.with_scopes_disabled().count() == 0
    assert not AuditEvent.objects.filter(action__startswith="batch.").exists()


def test_nothing_ready_is_said_plainly(owner_account, biller):
    house = clearinghouse(owner_account)
    response = login_client(biller).post(PAGE, {"accounts": [owner_account.slug], "clearinghouse": house.pk})
    assert response.status_code == 400 and "No claims are ready" in response.content.decode()


def test_a_username_who_may_bill_nowhere_is_told_so(owner_account):
    user = make_user("clinician")
    add_member(owner_account, user, billing_levels(Level.NONE))
    response = login_client(user).get(PAGE)
    assert response.status_code == 200 and "None of your accounts lets you bill" in response.content.decode()


def test_a_visitor_is_sent_to_log_in(db):
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_clients_list_links_it_for_a_master_username(owner_account, biller):
    body = login_client(biller).get(reverse("clients:list", kwargs={"account": owner_account.slug})).content.decode()
    assert 'id="claims-in-all"' in body and PAGE in body


def _queries(user) -> int:
    http = login_client(user)
    http.get(PAGE)  # warm the session's own writes
    with CaptureQueriesContext(connection) as captured:
        response = http.get(PAGE)
    assert response.status_code == 200
    return len(captured)


def _joined(user, count: int) -> list:
    accounts = []
    for i in range(count):
        account = make_account(f"Practice {i:02d} of {user.username}", f"{user.username}-owner{i:02d}")
        add_member(account, user)
        ready_claims(account, 1)
        unbilled_service(account)
        clearinghouse(account)
        accounts.append(account)
    return accounts


def test_the_queries_do_not_grow_with_the_number_of_accounts(db):
    one, ten = make_user("one-account"), make_user("ten-accounts")
    _joined(one, 1)
    _joined(ten, 10)
    few, many = _queries(one), _queries(ten)
    assert few == many, (few, many)
    rows = login_client(ten).get(PAGE).context["overview"].rows
    assert len(rows) == 10 and all((r.unbilled, r.ready) == (1, 1) for r in rows)
