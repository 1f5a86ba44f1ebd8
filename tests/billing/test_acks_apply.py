"""Acknowledgments applied to a batch: claims accepted or rejected with the payer's reasons, the
file kept, the log written in each account touched; a malformed or unrelated file changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from practicegate.billing import acks, batches
from practicegate.billing.models import Acknowledgment, Claim, ClaimBatch, ClaimStatus
from practicegate.core.errors import ServiceError
from tests.billing.acks import answer_277ca, answer_999
from tests.billing.batch_factories import clearinghouse, ready_claims
from tests.helpers import login_client


def claims_of(*accounts) -> list[Claim]:
    return list(Claim.objects.with_scopes_disabled().filter(account__in=accounts).order_by("account_id", "number"))


def events(account, action: str) -> list:
    return list(AuditEvent.objects.filter(account=account, action=action).order_by("seq"))


def acks_count() -> int:
    return Acknowledgment.objects.with_scopes_disabled().count()



@pytest.fixture
def sent(owner_account, other_account, biller) -> ClaimBatch:
    """A batch of two claims of each account, downloaded (Sent)."""
    house = clearinghouse(owner_account)
    ready_claims(owner_account, 2)
    ready_claims(other_account, 2)
    batch = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house,
                                 accounts=[owner_account, other_account])
    batches.batch_download(actor=biller, account=owner_account, batch=batch)
    batch.refresh_from_db()
    return batch


def upload(biller, owner_account, batch, text):
    return acks.ack_upload(actor=biller, account=owner_account, batch=batch, text=text)


def test_a_277ca_accepts_and_rejects_claims_with_the_payers_reasons(owner_account, other_account, biller, sent):
    mine, theirs = claims_of(owner_account), claims_of(other_account)
    rejected = theirs[1]
    text = answer_277ca(sent.file_text, rejected={rejected.control_number: ("562", "85")})
    outcome = upload(biller, owner_account, sent, text)
    assert {c.pk for c in outcome.accepted} == {c.pk for c in mine + theirs[:1]}
    assert [c.pk for c in outcome.rejected] == [rejected.pk]
    by_pk = {c.pk: c for c in claims_of(owner_account, other_account)}
    assert by_pk[rejected.pk].status == ClaimStatus.REJECTED
    [note] = by_pk[rejected.pk].payer_messages
    assert note["source"] == "277CA" and note["status"] == ClaimStatus.REJECTED
    assert note["messages"] == ["Rejected for invalid information: the entity's NPI (billing provider)"]
    accepted = by_pk[mine[0].pk]
    assert accepted.status == ClaimStatus.ACCEPTED
    assert any("payer's claim number" in m for m in accepted.payer_messages[0]["messages"])
    ack = Acknowledgment.objects.with_scopes_disabled().get()
    assert (ack.kind, ack.accepted_count, ack.rejected_count, ack.file_text) == ("277CA", 3, 1, text)
    [uploaded] = events(owner_account, "batch.ack_upload")
    assert uploaded.detail["accepted"] == 3 and uploaded.detail["rejected"] == 1
    [there] = events(other_account, "batch.ack_apply")
    assert there.detail["rejected_claim_ids"] == [rejected.pk]
    assert there.detail["accepted_claim_ids"] == [theirs[0].pk]


def test_an_accepting_999_keeps_the_claims_sent_and_says_so(owner_account, other_account, biller, sent):
    outcome = upload(biller, owner_account, sent, answer_999(sent.file_text))
    assert outcome.accepted == outcome.rejected == [] and len(outcome.noted) == 4
    for claim in claims_of(owner_account, other_account):
        assert claim.status == ClaimStatus.SENT
        assert claim.payer_messages[-1]["messages"] == ["The clearinghouse accepted the claim file."]
    assert Acknowledgment.objects.with_scopes_disabled().get().kind == "999"


def test_a_rejecting_999_rejects_every_claim_of_the_file(owner_account, other_account, biller, sent):
    outcome = upload(biller, owner_account, sent, answer_999(sent.file_text, reject=True))
    assert len(outcome.rejected) == 4
    for claim in claims_of(owner_account, other_account):
        assert claim.status == ClaimStatus.REJECTED
        assert len(claim.payer_messages[-1]["messages"]) > 1  # the clearinghouse's reasons follow
    assert len(events(other_account, "batch.ack_apply")) == 1


def _unchanged(owner_account, other_account, before) -> None:
    after = [(c.pk, c.status, c.payer_messages, c.version) for c in claims_of(owner_account, other_account)]
    assert after == before
    assert acks_count() == 0
    assert events(owner_account, "batch.ack_upload") == [] and events(other_account, "batch.ack_apply") == []


@pytest.mark.parametrize("text", [
    "hello",
    "ISA*00*garbage~",
    "\x00\x01\x02",
    "ISA*" + "*" * 200,
])
def test_a_malformed_file_is_refused_and_changes_nothing(owner_account, other_account, biller, sent, text):
    before = [(c.pk, c.status, c.payer_messages, c.version) for c in claims_of(owner_account, other_account)]
    with pytest.raises(ServiceError, match="Nothing was changed"):
        upload(biller, owner_account, sent, text)
    _unchanged(owner_account, other_account, before)


def test_an_acknowledgment_of_another_batch_is_refused(owner_account, other_account, biller, sent):
    house = sent.clearinghouse
    ready_claims(owner_account, 1)
    second = batches.batch_create(actor=biller, account=owner_account, clearinghouse=house, accounts=[owner_account])
    before = [(c.pk, c.status, c.payer_messages, c.version) for c in claims_of(owner_account, other_account)]
    for text in (answer_999(second.file_text), answer_277ca(second.file_text),
                 answer_277ca(second.file_text, name_batch=False)):
        with pytest.raises(acks.AckNotForThisBatch, match="Nothing was changed"):
            upload(biller, owner_account, sent, text)
    _unchanged(owner_account, other_account, before)


def test_the_upload_page_applies_the_file_and_shows_the_claims(owner_account, other_account, biller, sent):
    http = login_client(biller)
    url = reverse("billing:ack_upload", kwargs={"account": owner_account.slug, "batch_number": sent.number})
    assert http.get(url).status_code == 200
    text = answer_277ca(sent.file_text)
    response = http.post(url, {"file": SimpleUploadedFile("answer.277", text.encode())})
    assert response.status_code == 302
    page = http.get(response["Location"])
    body = page.content.decode()
    assert body.count("class=\"claim-status\">Accepted<") == 4
    assert "4 accepted" in body  # the message after the upload
    assert {c.status for c in claims_of(owner_account, other_account)} == {ClaimStatus.ACCEPTED}


def test_the_upload_page_refuses_with_a_message(owner_account, other_account, biller, sent):
    http = login_client(biller)
    url = reverse("billing:ack_upload", kwargs={"account": owner_account.slug, "batch_number": sent.number})
    before = [(c.pk, c.status, c.payer_messages, c.version) for c in claims_of(owner_account, other_account)]
    for data, words in ((b"not an acknowledgment", "Nothing was changed"), (b"\xff\xfe\x00", "not a text file"),
                        (b"", "empty")):
        response = http.post(url, {"file": SimpleUploadedFile("answer.txt", data)})
        assert response.status_code == 400 and words in response.content.decode(), words
    assert http.post(url, {}).status_code == 400
    _unchanged(owner_account, other_account, before)


def test_only_a_username_who_may_bill_every_account_of_the_batch_may_upload(owner_account, other_account, owner,
                                                                             sent):
    before = [(c.pk, c.status, c.payer_messages, c.version) for c in claims_of(owner_account, other_account)]
    with pytest.raises(ServiceError, match="Full Access on Billing"):
        acks.ack_upload(actor=owner, account=owner_account, batch=sent, text=answer_277ca(sent.file_text))
    _unchanged(owner_account, other_account, before)
