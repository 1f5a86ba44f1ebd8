"""Copy Codes to Another Account: plan, preview and copy master files between accounts.

The access rule is the one membership rule (accounts.rule), applied here to
every account the copy touches, not only the one in the URL: an active member,
the account's two-factor requirement met by this session, View Only on each
chosen file in the Copy From account and Full Access on it in every Copy To
account. It is checked when the plan is made (Continue) and again, under the
destination's lock, when the copy runs (Copy Now). Refusals are logged.

Each destination is copied in its own transaction: all or nothing. Copies into
one destination are serialized by locking the involved account rows (PostgreSQL)
or by SQLite's IMMEDIATE write transaction, so two at once cannot duplicate.

The rows themselves are read and written by copy_sql, in SQL that names both account ids,
so no account scope (core.scoping) is lifted: the checks above are what admit each account.
A change that moves this work to the ORM must open `across_accounts()` only after them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from practicegate.accounts.models import Account, User
from practicegate.accounts.rule import Refusal, Verdict, judge, verdicts_for
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.masterfiles import copy_sql
from practicegate.masterfiles.actions_copy import COPY
from practicegate.masterfiles.copy_sql import FILES

MAX_DESTINATIONS = 50


class CopyRefused(ServiceError):
    """The username may not copy these files between these accounts (already logged)."""


@dataclass
class Plan:
    actor: User
    source: Account
    destinations: list[Account]
    files: tuple[str, ...]


@dataclass
class FileOutcome:
    key: str
    label: str
    added: int = 0
    identical: int = 0
    different: int = 0
    replaced: int = 0
    examples: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "identical": self.identical, "different": self.different,
                "replaced": self.replaced}


@dataclass
class DestinationOutcome:
    account: Account
    files: list[FileOutcome]
    refused: bool = False  # privileges vanished between the check and the copy: nothing copied

    @property
    def different(self) -> int:
        return sum(f.different for f in self.files)


def parse_files(raw: Iterable[str]) -> tuple[str, ...]:
    """Known file keys in a fixed order; ServiceError for an unknown or empty choice."""
    chosen = {str(item).strip().lower() for item in raw if str(item).strip()}
    unknown = chosen - FILES.keys()
    if unknown:
        raise ServiceError("Unknown file: choose from " + ", ".join(FILES) + ".")
    if not chosen:
        raise ServiceError("Choose at least one file to copy.")
    return tuple(key for key in FILES if key in chosen)


def _deny(*, actor, account, context, channel, reason: str, files, role: str) -> None:
    """Log a refusal in the account it concerns (the system log when the actor has not joined it)."""
    with transaction.atomic():
        record(COPY, account=account, actor=actor, context=context, channel=channel,
               outcome=Outcome.DENIED, section=FILES[files[0]].section if files else "",
               detail={"role": role, "reason": reason, "files": list(files)})


def _refusal_text(verdict: Verdict, *, slug: str, level: Level, files) -> str:
    if verdict.refusal is Refusal.NOT_MEMBER:
        return f"Your username has not joined an account called “{slug[:60]}”."
    name = verdict.account.name
    if verdict.refusal is Refusal.TWO_FACTOR:
        return (f"{name} requires two-factor log-in, and this session has not confirmed a code. "
                f"Open {name} from the provider dropdown, confirm your code (or set up two-factor "
                "log-in), then copy again.")
    lacking = [FILES[k] for k in files if not verdict.membership.can(FILES[k].section, level)]
    return (f"Your username needs {level.label} to {', '.join(f.label.lower() for f in lacking)} "
            f"in {name}.")


def _judge_files(verdicts: dict[str, Verdict], slug: str, *, actor, files, level: Level,
                 context) -> Verdict:
    """The membership rule (accounts.rule) for every chosen file's section in one account."""
    verdict = verdicts.get(slug) or Verdict(None, Refusal.NOT_MEMBER)
    if not verdict.allowed:
        return verdict
    for key in files:
        per_file = judge(verdict.membership, actor, section=FILES[key].section, needed=level,
                         context=context)
        if not per_file.allowed:
            return per_file
    return verdict


def _check(*, actor, source_slug, destination_slugs, files, context, channel, log_account) -> Plan:
    """Apply the membership rule to every account the copy touches: the one rule of the
    middleware (active username, member, two-factor requirement, levels)."""
    verdicts = verdicts_for(actor, slugs=[source_slug, *destination_slugs], context=context)
    deny = dict(actor=actor, context=context, channel=channel, files=files)
    needs = [(source_slug, Level.VIEW, "source")] + [(s, Level.FULL, "destination") for s in destination_slugs]
    # Accounts not joined are reported first: the refusal is logged where the actor stands.
    for slug, level, role in sorted(needs, key=lambda need: need[0] in verdicts):
        verdict = _judge_files(verdicts, slug, actor=actor, files=files, level=level, context=context)
        if verdict.allowed:
            continue
        where = log_account if verdict.refusal is Refusal.NOT_MEMBER else verdict.account
        reason = {Refusal.NOT_MEMBER: "not_joined", Refusal.TWO_FACTOR: "two_factor_required",
                  Refusal.LEVEL: "level"}[verdict.refusal]
        _deny(account=where, reason=reason, role=role, **deny)
        raise CopyRefused(_refusal_text(verdict, slug=slug, level=level, files=files))
    return Plan(actor, verdicts[source_slug].account, [verdicts[s].account for s in destination_slugs], files)


def copy_plan(*, actor: User, source_slug: str, destination_slugs: list[str], files: Iterable[str],
              context=None, channel=None, log_account: Account | None = None) -> Plan:
    """Check that `actor` may copy `files` from one account into the others (Continue)."""
    files = parse_files(files)
    destination_slugs = list(dict.fromkeys(destination_slugs))  # keep order, drop repeats
    if not destination_slugs:
        raise ServiceError("Choose at least one account to Copy To.")
    if len(destination_slugs) > MAX_DESTINATIONS:
        raise ServiceError(f"Copy into at most {MAX_DESTINATIONS} accounts at a time.")
    if source_slug in destination_slugs:
        raise ServiceError("The Copy From account cannot also be a Copy To account.")
    return _check(actor=actor, source_slug=source_slug, destination_slugs=destination_slugs,
                  files=files, context=context, channel=channel, log_account=log_account)


def copy_preview(plan: Plan, *, examples: int = 3) -> list[DestinationOutcome]:
    """Counts (and a few differing rows) per destination and file; reads only."""
    result = []
    for dest in plan.destinations:
        outcomes = []
        for key in plan.files:
            f = FILES[key]
            out = FileOutcome(key, f.label, **copy_sql.count(f, plan.source.pk, dest.pk))
            if out.different and examples:
                out.examples = copy_sql.differing_examples(f, plan.source.pk, dest.pk, examples)
            outcomes.append(out)
        result.append(DestinationOutcome(dest, outcomes))
    return result


class _Refused(Exception):
    pass


def _lock(plan: Plan, dest: Account) -> None:
    """Serialize copies that touch these accounts: row locks in id order (no deadlock)."""
    ids = sorted({plan.source.pk, dest.pk})
    list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _copy_into(plan: Plan, dest: Account, *, replace_different: bool, context, channel,
               progress: Callable[[str, str, str], None] | None) -> DestinationOutcome:
    with transaction.atomic():
        _lock(plan, dest)
        # Privileges may have changed since Continue (or since the plan a moment ago).
        verdicts = verdicts_for(plan.actor, slugs=[plan.source.slug, dest.slug], context=context)
        for slug, level in ((plan.source.slug, Level.VIEW), (dest.slug, Level.FULL)):
            verdict = _judge_files(verdicts, slug, actor=plan.actor, files=plan.files, level=level,
                                   context=context)
            if not verdict.allowed:
                raise _Refused(verdict.refusal)
        now = timezone.now()
        outcomes = []
        for key in plan.files:
            f = FILES[key]
            if progress:
                progress(dest.slug, key, "start")
            empty = not copy_sql.has_rows(f, dest.pk)
            out = FileOutcome(key, f.label, **copy_sql.count(f, plan.source.pk, dest.pk, dest_empty=empty))
            if out.added:
                out.added = copy_sql.insert_missing(f, plan.source.pk, dest.pk, now, dest_empty=empty)
            if replace_different and out.different:
                out.replaced = copy_sql.replace_different(f, plan.source.pk, dest.pk, now)
            outcomes.append(out)
            if progress:
                progress(dest.slug, key, "done")
        counts = {o.key: o.counts() for o in outcomes}
        common = dict(actor=plan.actor, context=context, channel=channel, section=FILES[plan.files[0]].section,
                      target_type="accounts.account")
        detail = {"files": counts, "replace_different": replace_different}
        record(COPY, account=dest, target_id=plan.source.pk, detail={"role": "destination", **detail}, **common)
        record(COPY, account=plan.source, target_id=dest.pk, detail={"role": "source", **detail}, **common)
        return DestinationOutcome(dest, outcomes)


def codes_copy(*, actor: User, source_slug: str, destination_slugs: list[str], files: Iterable[str],
               replace_different: bool = False, context=None, channel=None,
               log_account: Account | None = None,
               progress: Callable[[str, str, str], None] | None = None) -> list[DestinationOutcome]:
    """Copy Now: check every account again, then copy into each destination in its own transaction.

    Raises CopyRefused, with nothing copied, when any account fails the rule. A
    destination whose privileges vanish between that check and its lock is left
    untouched, logged as refused and returned with `refused` set.
    """
    plan = copy_plan(actor=actor, source_slug=source_slug, destination_slugs=destination_slugs,
                     files=files, context=context, channel=channel, log_account=log_account)
    results = []
    for dest in plan.destinations:
        try:
            results.append(_copy_into(plan, dest, replace_different=replace_different, context=context,
                                      channel=channel, progress=progress))
        except _Refused as refused:
            reason = "two_factor_required" if refused.args[0] is Refusal.TWO_FACTOR else "changed"
            _deny(actor=actor, account=dest, context=context, channel=channel, reason=reason,
                  files=plan.files, role="destination")
            results.append(DestinationOutcome(dest, [], refused=True))
    return results
