"""Acknowledgments: what the clearinghouse (999) and the payers (277CA) said of a batch.

An uploaded file is read by billing.x12.read_ack. It must answer this batch: a 999 names
the group control number of the file it acknowledges, a 277CA names the claims (by their
submitter identifier, CLM01) it accepts or rejects. A file that cannot be read, or that
answers another batch, is refused with a message and changes nothing. Otherwise, in one
transaction, each claim answered is marked Accepted or Rejected with the reasons given
(kept in claim.payer_messages, shown on the claim), the file is kept as an Acknowledgment,
and the log gets one event in the submitter's account and one in each account whose
claims the file answered. Like the download, it needs Full Access on Billing in every
account whose claims the batch carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from practicegate.accounts.models import Account
from practicegate.audit.services import Entry, record, record_many
from practicegate.billing import x12
from practicegate.billing.batches import SECTION, TARGET, batch_accounts_refused
from practicegate.billing.models import AckKind, Acknowledgment, Claim, ClaimBatch, ClaimStatus
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope, across_accounts

# What an acknowledgment may change: a claim replaced since is closed and stays as it is.
ANSWERABLE = (ClaimStatus.IN_BATCH, ClaimStatus.SENT, ClaimStatus.ACCEPTED, ClaimStatus.REJECTED)
MAX_MESSAGES = 50  # per claim: the newest are kept


class AckNotForThisBatch(ServiceError):
    """The file is an acknowledgment, but of another file or of claims not in this batch."""


@dataclass
class Outcome:
    """What one acknowledgment did: its row, and the claims it accepted and rejected."""

    ack: Acknowledgment
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    noted: list = field(default_factory=list)  # claims given a message without a change of status


def _verdicts(report, batch: ClaimBatch, claims: dict[str, Claim]) -> dict[int, tuple[str | None, list[str]]]:
    """{claim id: (new status or None to keep it, what was said)} of the batch's claims the report answers."""
    if report.kind == AckKind.FUNCTIONAL:
        return _verdicts_999(report, batch, claims)
    expected = x12.batch_reference(batch.clearinghouse, batch.control_number)
    if report.batch_reference and report.batch_reference != expected:
        raise AckNotForThisBatch(f"This 277CA answers another claim file ({report.batch_reference}), not "
                                 f"batch {batch.number}. Nothing was changed.")
    answers = {}
    strangers = [r.reference for r in report.results if r.reference not in claims]
    if strangers:
        raise AckNotForThisBatch(
            f"This 277CA answers {len(strangers)} claim{'' if len(strangers) == 1 else 's'} that "
            f"{'is' if len(strangers) == 1 else 'are'} not in batch {batch.number} (for example "
            f"{strangers[0]}). Nothing was changed.")
    for result in report.results:
        said = list(result.reasons) or [_STATUS_WORDS[result.status]]
        if result.payer_claim_number:
            said.append(f"The payer's claim number is {result.payer_claim_number}.")
        answers[claims[result.reference].pk] = (_NEW_STATUS[result.status], said)
    if not answers and report.reasons:  # the whole file was turned back before any claim was read
        answers = {c.pk: (ClaimStatus.REJECTED, list(report.reasons)) for c in claims.values()}
    if not answers:
        raise AckNotForThisBatch(f"This 277CA answers none of the claims in batch {batch.number}. "
                                 "Nothing was changed.")
    return answers


_NEW_STATUS = {"accepted": ClaimStatus.ACCEPTED, "rejected": ClaimStatus.REJECTED, "pending": None}
_STATUS_WORDS = {"accepted": "Accepted.", "rejected": "Rejected.", "pending": "Received; no decision yet."}


def _verdicts_999(report, batch: ClaimBatch, claims: dict[str, Claim]) -> dict:
    """A 999 answers the whole file: rejected, every claim in it is rejected with the reasons;
    accepted, each claim is told so and stays Sent until the payer's 277CA."""
    if report.control_number != batch.control_number:
        raise AckNotForThisBatch(
            f"This 999 answers the claim file with control number {report.control_number}, not batch "
            f"{batch.number} (control number {batch.control_number}). Nothing was changed.")
    rejected = report.status == "rejected" or any(r.status == "rejected" for r in report.results)
    if rejected:
        said = [*report.reasons, *(reason for r in report.results for reason in r.reasons)]
        return {c.pk: (ClaimStatus.REJECTED, ["The clearinghouse rejected the claim file.", *said][:20])
                for c in claims.values()}
    return {c.pk: (None, ["The clearinghouse accepted the claim file."]) for c in claims.values()}


@transaction.atomic
def ack_upload(*, actor, account, batch: ClaimBatch, text: str, context=None) -> Outcome:
    """Apply a 999 or 277CA file to the batch's claims, keep it, and log it. Raises ServiceError."""
    if batch.account_id != account.pk:
        raise ServiceError("No such batch in this account.")
    if batch_accounts_refused(actor, batch, context=context):
        raise ServiceError("This batch carries claims of accounts where you do not have Full Access on "
                           "Billing, so you cannot record its acknowledgments.")
    try:
        report = x12.read_ack(text)
    except x12.AckRefused as refused:
        raise ServiceError(f"{refused} Nothing was changed.") from None
    now = timezone.now()
    with across_accounts():  # the batch's own claims, in every account it carries (each judged above)
        claims = {c.control_number: c for c in
                  Claim.objects.select_for_update().filter(batch=batch, status__in=ANSWERABLE).order_by("pk")}
        if not claims:
            raise ServiceError("No claim of this batch can take an acknowledgment now.")
        answers = _verdicts(report, batch, claims)
        outcome = Outcome(ack=None)
        changed = []
        for claim in claims.values():
            if claim.pk not in answers:
                continue
            status, said = answers[claim.pk]
            note = {"at": now.isoformat(), "source": str(report.kind),
                    "status": str(status or claim.status), "messages": said}
            claim.payer_messages = [*claim.payer_messages, note][-MAX_MESSAGES:]
            claim.status = status or claim.status
            claim.updated_at = now
            claim.version = F("version") + 1
            {ClaimStatus.ACCEPTED: outcome.accepted, ClaimStatus.REJECTED: outcome.rejected,
             None: outcome.noted}[status].append(claim)
            changed.append(claim)
        Claim.objects.bulk_update(changed, ["payer_messages", "status", "updated_at", "version"])
    with account_scope(account):  # kept in the batch's account (a command opens no scope of its own)
        outcome.ack = Acknowledgment.objects.create(
            account=account, batch=batch, kind=str(report.kind), file_text=text, uploaded_by=actor,
            uploaded_at=now, accepted_count=len(outcome.accepted), rejected_count=len(outcome.rejected))
    _log(actor, account, batch, outcome, context)
    return outcome


def _log(actor, account, batch: ClaimBatch, outcome: Outcome, context) -> None:
    ack = outcome.ack
    record("batch.ack_upload", account=account, actor=actor, context=context, section=SECTION,
           target_type=TARGET, target_id=batch.pk,
           detail={"batch": batch.number, "acknowledgment_id": ack.pk, "kind": ack.kind,
                   "accepted": len(outcome.accepted), "rejected": len(outcome.rejected),
                   "noted": len(outcome.noted)})
    per_account: dict[int, dict] = {}
    for key, claims in (("accepted", outcome.accepted), ("rejected", outcome.rejected), ("noted", outcome.noted)):
        for claim in claims:
            per_account.setdefault(claim.account_id, {"accepted": [], "rejected": [], "noted": []})[key].append(claim.pk)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=list(per_account))}
    record_many("batch.ack_apply", [
        Entry(accounts[i], target_type=TARGET, target_id=batch.pk, detail={
            "batch": batch.number, "submitter_account_id": account.pk, "kind": ack.kind,
            "accepted_claim_ids": ids["accepted"], "rejected_claim_ids": ids["rejected"],
            "noted_claim_ids": ids["noted"],
            "claims": len(ids["accepted"]) + len(ids["rejected"]) + len(ids["noted"])})
        for i, ids in sorted(per_account.items())
    ], actor=actor, context=context, section=SECTION)
