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
from practicegate.core.scoping import across_accounts

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
    """{claim id: (new status or None, messages)} of what the report says about the batch's claims."""
    kind = str(report.kind)
    if report.control_number is not None and int(report.control_number) != batch.control_number:
        raise AckNotForThisBatch(
            f"This {kind} answers the file with control number {report.control_number}, not this batch "
            f"(control number {batch.control_number}). Nothing was changed.")
    answers = {}
    for answer in report.claims:
        claim = claims.get(str(answer.control_number))
        if claim is None:
            raise AckNotForThisBatch(f"This {kind} answers claim {answer.control_number}, which is not in "
                                     "this batch. Nothing was changed.")
        status = ClaimStatus.ACCEPTED if answer.accepted else ClaimStatus.REJECTED
        answers[claim.pk] = (status, [str(m) for m in answer.messages])
    if kind == AckKind.FUNCTIONAL and not answers:
        # A 999 answers the whole file: refused, every claim is rejected; accepted, each is told so.
        status = None if report.accepted else ClaimStatus.REJECTED
        said = [str(m) for m in report.messages] or (
            ["The clearinghouse accepted the file."] if report.accepted else ["The clearinghouse rejected the file."])
        answers = {c.pk: (status, said) for c in claims.values()}
    if not answers:
        raise AckNotForThisBatch(f"This {kind} answers none of the claims in this batch. Nothing was changed.")
    return answers


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
        raise ServiceError(f"{refused.message} Nothing was changed.") from None
    now = timezone.now()
    with across_accounts():  # the batch's own claims, in every account it carries (each judged above)
        claims = {c.control_number: c for c in
                  Claim.objects.select_for_update().filter(batch=batch, status__in=ANSWERABLE).order_by("pk")}
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
