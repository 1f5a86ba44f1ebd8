"""Building claims: grouping, splitting, numbering, one open claim per service, edits and corrections."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.billing import claims as services
from practicegate.billing.models import Claim, ClaimLine, ClaimStatus
from practicegate.clients import services as client_services
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope
from tests.billing.helpers import billable_client, codes, ready_account, url
from tests.helpers import login_client

pytestmark = pytest.mark.django_db
DAY = date(2024, 3, 4)


def _build(account, actor, **kw):
    with account_scope(account):
        return services.claims_build(actor=actor, account=account, **kw)


def test_one_clients_services_make_one_ready_claim(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account, n_dx=2)
    client = billable_client(owner_account, owner, dx_codes=dxs, payer=payer,
                             services=[(DAY, bills["90837"], [0]), (DAY + timedelta(7), bills["90837"], [1, 0])])
    built = _build(owner_account, owner)
    assert (len(built.claims), built.ready) == (1, 1)
    with account_scope(owner_account):
        claim = Claim.objects.get()
        lines = list(ClaimLine.objects.filter(claim=claim).order_by("line_number"))
    assert claim.client_id == client.pk and claim.status == ClaimStatus.READY and claim.number == 1
    assert claim.diagnosis_codes == ["F400", "F401"]
    assert [line.pointers for line in lines] == [[1], [2, 1]]
    assert claim.total_charge == sum(line.charge for line in lines)
    assert AuditEvent.objects.filter(account=owner_account, action="claim.built", target_id=str(claim.pk)).count() == 1
    # Built once: a second build finds nothing left to bill.
    assert _build(owner_account, owner).claims == []


def test_claims_are_per_client_and_numbered_in_order(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    for name in ("Ames", "Bryce"):
        billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0])],
                        last_name=name)
    built = _build(owner_account, owner)
    assert sorted(c.number for c in built.claims) == [1, 2]
    assert len({c.client_id for c in built.claims}) == 2


def test_more_than_twelve_diagnoses_split_into_two_claims(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account, n_dx=16)
    services_ = [(DAY + timedelta(days=i), bills["90837"], [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]) for i in range(4)]
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=services_)
    built = _build(owner_account, owner)
    assert len(built.claims) == 2
    assert [len(c.diagnosis_codes) for c in built.claims] == [12, 4]


def test_more_than_fifty_lines_split(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer,
                    services=[(DAY + timedelta(days=i), bills["90837"], [0]) for i in range(51)])
    built = _build(owner_account, owner)
    with account_scope(owner_account):
        assert sorted(ClaimLine.objects.filter(claim__in=built.claims).values_list("claim_id").distinct().count()
                      for _ in [0]) == [2]
        assert sorted(ClaimLine.objects.filter(claim=c).count() for c in built.claims) == [1, 50]


def test_services_without_a_primary_policy_on_their_date_are_left_unbilled(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(date(2023, 6, 1), bills["90837"], [0])])
    built = _build(owner_account, owner)
    assert (built.claims, built.uncovered) == ([], 1)


def test_voided_services_are_not_billed(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    client = billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0])])
    with account_scope(owner_account):
        line = client.services.get()
        client_services.client_service_void(actor=owner, account=owner_account, client=client, line=line,
                                            reason="entered twice", expected_version=line.version)
    assert _build(owner_account, owner).claims == []


def test_the_database_refuses_a_second_open_line_for_a_service(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0])])
    [claim] = _build(owner_account, owner).claims
    from django.db import IntegrityError, transaction
    with account_scope(owner_account):
        line = ClaimLine.objects.get(claim=claim)
        with pytest.raises(IntegrityError), transaction.atomic():
            ClaimLine.objects.create(account=owner_account, claim=claim, service=line.service, line_number=2,
                                     service_date=DAY, procedure_code="90837", charge=1)


def test_the_build_page_builds_and_says_how_many(owner_account, owner):
    ready_account(owner_account)
    dxs, bills, payer = codes(owner_account)
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0])])
    client = login_client(owner)
    page = client.post(url(owner_account, "build"), {"through": ""}, follow=True).content.decode()
    assert "Built 1 claim: 1 ready to send, 0 drafts to fix." in page
    assert client.post(url(owner_account, "build"), {"through": "not a date"}).status_code == 400


def _draft_claim(account, actor, **policy):
    ready_account(account)
    dxs, bills, payer = codes(account, n_dx=2)
    billable_client(account, actor, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0, 1])], policy=policy)
    [claim] = _build(account, actor).claims
    return claim


def test_an_edit_is_versioned_and_logged_and_a_stale_one_is_refused(owner_account, owner):
    claim = _draft_claim(owner_account, owner)
    client = login_client(owner)
    edit = url(owner_account, "claim-edit", number=claim.number)
    data = {"place_of_service": "10", "prior_authorization": "PA-1", "line1_modifiers": "95 ho",
            "line1_pointers": "2 1", "version": str(claim.version)}
    assert client.post(edit, data).status_code == 302
    with account_scope(owner_account):
        claim.refresh_from_db()
        line = ClaimLine.objects.get(claim=claim)
    assert (claim.place_of_service, claim.prior_authorization, claim.version) == ("10", "PA-1", 2)
    assert (line.modifiers, line.pointers) == (["95", "HO"], [2, 1])
    event = AuditEvent.objects.get(account=owner_account, action="claim.edited")
    assert event.detail["changes"]["line 1 modifiers"] == ["", "95 HO"]
    stale = client.post(edit, {**data, "prior_authorization": "PA-2"})  # still version 1
    assert stale.status_code == 409 and "this record changed while you were editing it" in stale.content.decode()
    for bad in ({"line1_pointers": "3"}, {"line1_pointers": "1 1"}, {"line1_modifiers": "A B C D E"},
                {"line1_pointers": "x"}, {"line1_modifiers": "\x00"}, {"version": "abc"}):
        assert client.post(edit, {**data, "version": "2", **bad}).status_code == 400, bad


def test_a_sent_claim_cannot_be_edited_but_is_replaced(owner_account, owner):
    claim = _draft_claim(owner_account, owner)
    with account_scope(owner_account):
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.SENT)
        claim.refresh_from_db()
        with pytest.raises(ServiceError):
            services.claim_update(actor=owner, account=owner_account, claim=claim,
                                  data={"place_of_service": "11", "prior_authorization": ""}, lines={},
                                  expected_version=claim.version)
    client = login_client(owner)
    response = client.post(url(owner_account, "claim-correct", number=claim.number),
                           {"frequency": "7", "reference": "PAYER-99", "version": str(claim.version)})
    assert response.status_code == 302
    with account_scope(owner_account):
        claim.refresh_from_db()
        new = Claim.objects.get(original=claim)
        assert claim.status == ClaimStatus.REPLACED and new.frequency == "7" and new.original_reference == "PAYER-99"
        assert ClaimLine.objects.filter(claim=claim, open=False).count() == 1
        assert ClaimLine.objects.filter(claim=new, open=True).count() == 1
    assert AuditEvent.objects.filter(account=owner_account, action="claim.replaced").count() == 1
    # The original is closed: correcting it again is refused with a message, nothing made.
    again = client.post(url(owner_account, "claim-correct", number=claim.number),
                        {"frequency": "8", "reference": "PAYER-99", "version": str(claim.version)}, follow=True)
    assert "Only a claim that was sent or accepted" in again.content.decode()


def test_another_accounts_claim_number_is_404(owner_account, owner, other_account):
    claim = _draft_claim(owner_account, owner)
    outsider = login_client(other_account.owner)
    assert outsider.get(url(other_account, "claim", number=claim.number + 100)).status_code == 404
    assert outsider.get(url(owner_account, "claim", number=claim.number)).status_code == 404


def test_pages_show_the_claim_and_log_phi_view(owner_account, owner):
    claim = _draft_claim(owner_account, owner)
    client = login_client(owner)
    assert client.get(url(owner_account, "claims")).status_code == 200
    assert client.get(url(owner_account, "claims") + "?status=nope&after=zz").status_code == 200
    page = client.get(url(owner_account, "claim", number=claim.number)).content.decode()
    assert "Nothing is missing" in page
    assert AuditEvent.objects.filter(account=owner_account, action="phi.view", target_type="client",
                                     target_id=str(claim.client_id)).exists()
    assert AuditEvent.objects.filter(account=owner_account, action="phi.view", target_type="claim_list").exists()
    assert client.get(url(owner_account, "home")).status_code == 200


def test_one_account_never_sees_or_bills_anothers_claims(owner_account, owner, other_account):
    ready_account(owner_account)
    ready_account(other_account)
    dxs, bills, payer = codes(owner_account)
    billable_client(owner_account, owner, dx_codes=dxs, payer=payer, services=[(DAY, bills["90837"], [0])],
                    last_name="Sunriseclient")
    odxs, obills, opayer = codes(other_account)
    billable_client(other_account, other_account.owner, dx_codes=odxs, payer=opayer,
                    services=[(DAY, obills["90837"], [0])], last_name="Lakesideclient")
    built = _build(owner_account, owner)
    assert len(built.claims) == 1 and all(c.account_id == owner_account.pk for c in built.claims)
    with account_scope(other_account):
        assert not Claim.objects.filter(account=other_account).exists()
    [other_claim] = _build(other_account, other_account.owner).claims
    page = login_client(owner).get(url(owner_account, "claims")).content.decode()
    assert "Sunriseclient" in page and "Lakesideclient" not in page
    # The other account's claim number under this account's address is this account's claim (or 404).
    response = login_client(owner).get(url(owner_account, "claim", number=other_claim.number))
    assert "Lakesideclient" not in response.content.decode()
