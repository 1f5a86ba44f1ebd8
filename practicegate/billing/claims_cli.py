"""`practicegate claims batch | ack`: what the `claims` command runs, as a named username.

The command runs with that username's privileges, judged by the one membership rule in each
account (accounts.rule) with the channel set to the command line: there is no web session,
so an account's two-factor requirement does not apply (rule.two_factor_met), and everything
it does is logged with channel cli like any other action. Accounts the username may not
bill are left out; one the operator named is said to be left out, without saying whether
it exists. A refusal exits with a nonzero status and a sentence saying why.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db.models import Q

from practicegate.accounts.models import User
from practicegate.audit.context import AuditContext
from practicegate.audit.models import Channel
from practicegate.billing import acks, x12
from practicegate.billing.batch_selectors import active_clearinghouses
from practicegate.billing.batches import batch_create, batch_download, billing_verdicts
from practicegate.billing.models import Claim, ClaimBatch
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import across_accounts


def _actor(options) -> User:
    username = str(options.get("as_user") or "")
    actor = User.objects.named(username).filter(is_active=True).first()
    if actor is None:
        raise CommandError(f"No active username “{username[:150]}”.")
    return actor


def _billable(actor, context) -> dict:
    """{slug: account} where the username has Full Access on Billing now."""
    return {slug: v.account for slug, v in billing_verdicts(actor, context=context).items() if v.allowed}


def _clearinghouse(actor, allowed: dict, wanted: int | None):
    houses = active_clearinghouses([a.pk for a in allowed.values()])
    slugs = {a.pk: a.slug for a in allowed.values()}
    listing = "\n".join(f"  {h.pk:>6}  {h.name} (account {slugs[h.account_id]})" for h in houses)
    if wanted is not None:
        found = next((h for h in houses if h.pk == wanted), None)
        if found is None:
            raise CommandError(f"Clearinghouse {wanted} is not an active clearinghouse of an account "
                               f"{actor.username} may bill." + (f" Choose one of:\n{listing}" if houses else ""))
        return found
    if len(houses) == 1:
        return houses[0]
    if not houses:
        raise CommandError(f"None of the accounts {actor.username} may bill has an active clearinghouse.")
    raise CommandError(f"Choose the clearinghouse that sends the batch with --clearinghouse ID:\n{listing}")


def batch(options: dict, *, stdout=None) -> ClaimBatch:
    stdout = stdout or sys.stdout
    actor = _actor(options)
    context = AuditContext.command(actor, channel=Channel.CLI)
    allowed = _billable(actor, context)
    named = [str(s) for s in options.get("accounts") or []]
    chosen = [s for s in named if s in allowed] if named else list(allowed)
    for slug in named:
        if slug not in allowed:
            stdout.write(f"Left out {slug}: not an account {actor.username} may bill.\n")
    if not chosen:
        raise CommandError(f"{actor.username} may bill none of the accounts named." if named else
                           f"{actor.username} has Full Access on Billing in no account.")
    house = _clearinghouse(actor, allowed, options.get("clearinghouse"))
    submitter = next(a for a in allowed.values() if a.pk == house.account_id)
    out = Path(str(options["out"]))
    try:
        handle = out.open("w", encoding="ascii", newline="")  # before anything changes: a bad path changes nothing
    except OSError as exc:
        raise CommandError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    with handle:
        try:
            made = batch_create(actor=actor, account=submitter, clearinghouse=house, accounts=chosen,
                                context=context)
            text = batch_download(actor=actor, account=submitter, batch=made, context=context)
        except ServiceError as exc:
            handle.close()
            out.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        handle.write(text)
    names = {a.pk: a.slug for a in allowed.values()}
    stdout.write(f"Batch {made.number} of {submitter.slug}: {made.claim_count} claim{'' if made.claim_count == 1 else 's'}"
                 f" ({made.line_count} lines, charges {made.total_charge:,.2f}) of {len(made.account_ids)} "
                 f"account{'' if len(made.account_ids) == 1 else 's'}, control number {made.control_number}, "
                 f"through {house.name}.\n")
    for account_id in made.account_ids:
        stdout.write(f"  {names[account_id]}\n")
    stdout.write(f"Written to {out}. Its claims are now Sent.\n")
    return made


_CLAIM = re.compile(r"PG([0-9]{1,12})C([0-9]{1,12})")
_BATCH = re.compile(r"PG([0-9]{1,12})B([0-9]{1,12})")


def _batch_answered(actor, report, allowed: dict, options) -> ClaimBatch:
    """The batch the acknowledgment answers, among those sent by accounts the username may bill."""
    submitters = {a.pk: a for a in allowed.values()}
    if options.get("account"):
        account = allowed.get(str(options["account"]))
        if account is None:
            raise CommandError(f"{options['account']} is not an account {actor.username} may bill.")
        submitters = {account.pk: account}
    with across_accounts():  # only batches sent by the accounts just judged
        batches = ClaimBatch.objects.filter(account_id__in=list(submitters)).select_related("clearinghouse")
        if options.get("batch"):
            batches = batches.filter(number=options["batch"])
        elif report.kind == "999":
            batches = batches.filter(control_number=report.control_number)
        elif (m := _BATCH.fullmatch(report.batch_reference or "")) is not None:
            batches = batches.filter(account_id=int(m[1]), control_number=int(m[2]))
        else:
            named = Q(pk__in=[])
            for r in report.results:
                if (m := _CLAIM.fullmatch(r.reference)) is not None:
                    named |= Q(account_id=int(m[1]), number=int(m[2]))
            ids = set(Claim.objects.filter(named).values_list("batch_id", flat=True))
            batches = batches.filter(pk__in=[i for i in ids if i])
        found = list(batches.order_by("account_id", "number")[:10])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError("This acknowledgment answers no batch sent by an account you may bill.")
    listing = "\n".join(f"  --account {submitters[b.account_id].slug} --batch {b.number}" for b in found)
    raise CommandError(f"Several batches could be the one answered; name it:\n{listing}")


def ack(options: dict, *, stdout=None):
    stdout = stdout or sys.stdout
    actor = _actor(options)
    context = AuditContext.command(actor, channel=Channel.CLI)
    path = Path(str(options["file"]))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a text file: a 999 or 277CA file is plain text.") from None
    try:
        report = x12.read_ack(text)
    except x12.AckRefused as refused:
        raise CommandError(f"{refused} Nothing was changed.") from None
    allowed = _billable(actor, context)
    answered = _batch_answered(actor, report, allowed, options)
    submitter = next(a for a in allowed.values() if a.pk == answered.account_id)
    try:
        outcome = acks.ack_upload(actor=actor, account=submitter, batch=answered, text=text, context=context)
    except ServiceError as exc:
        raise CommandError(str(exc)) from None
    stdout.write(f"Recorded the {outcome.ack.kind} on batch {answered.number} of {submitter.slug}: "
                 f"{len(outcome.accepted)} claim{'' if len(outcome.accepted) == 1 else 's'} accepted, "
                 f"{len(outcome.rejected)} rejected"
                 + (f", {len(outcome.noted)} given a message" if outcome.noted else "") + ".\n")
    slugs = {a.pk: a.slug for a in allowed.values()}
    for claim in outcome.rejected:
        stdout.write(f"  Rejected: claim {claim.number} of {slugs.get(claim.account_id, '?')}: "
                     f"{' '.join(claim.payer_messages[-1]['messages'])}\n")
    return outcome
