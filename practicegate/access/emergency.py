"""Emergency access ("break the glass", HIPAA 164.312(a)(2)(ii)).

An account's owner turns it on (off by default) and sets how long one use lasts. A member
without access to Clients may then open ONE client's read-only pages for that long, after
writing why; the access middleware lets exactly those pages through while the grant lasts
(`grant_allows`), every read is logged with purpose "emergency", the owner and every username
with Full Access to Account Access are e-mailed at once, and the use stays on their account
home until one of them marks it reviewed with a note.

Finding the client (by number or last name, with the date of birth) belongs to the Clients
section (clients.emergency), which calls `grant_open` here with the client it found.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practicegate.access.models import EmergencyAccess
from practicegate.access.notices import notice_owners
from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.models import AuditEvent, Outcome
from practicegate.audit.services import record
from practicegate.core import localtime
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.core.text import clean_text

ACCESS = "account_access"
CLIENTS = "clients"
PURPOSE = "emergency"  # the detail's purpose on every read made under a grant (audit.fhir maps it)
MINUTES_MIN, MINUTES_MAX, MINUTES_DEFAULT = 15, 480, 60
REASON_MIN, REASON_MAX, REASON_WORDS = 20, 500, 4
NOTE_MAX = 1000
# Tries that matched no client, per username and account, before the page stops answering.
MISSES_ALLOWED, MISSES_WINDOW = 5, timedelta(minutes=15)
log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word: two letters or more, in any script


class EmergencyRefused(ServiceError):
    """Emergency access cannot be used here now; the message says why in plain words."""


class TooManyTries(EmergencyRefused):
    """Too many recent tries matched no client: the page waits before answering again."""


# --- The reason and the note -----------------------------------------------------------------

def clean_reason(value: str) -> str:
    """A reason a reviewer can read: real words, long enough to say something, no hidden characters."""
    value = clean_text(value or "", multiline=True)
    if len(value) < REASON_MIN or len(_WORD.findall(value)) < REASON_WORDS:
        raise ValidationError(f"Write why you need this client's record, in a sentence of at least "
                              f"{REASON_WORDS} words ({REASON_MIN} characters or more).")
    if len(value) > REASON_MAX:
        raise ValidationError(f"Use at most {REASON_MAX} characters.")
    return value


def clean_note(value: str) -> str:
    value = clean_text(value or "", multiline=True)
    if not _WORD.search(value):
        raise ValidationError("Write a short note about what you found.")
    if len(value) > NOTE_MAX:
        raise ValidationError(f"Use at most {NOTE_MAX} characters.")
    return value


# --- Who may use it, and the grant the middleware reads --------------------------------------

def may_break_glass(membership: Membership | None) -> bool:
    """Whether this member could use emergency access: the account allows it and Clients is
    closed to them (a member who may view Clients needs no emergency access)."""
    return (membership is not None and membership.account.emergency_access
            and membership.level(CLIENTS) < Level.VIEW)


def active_grant(membership: Membership | None) -> EmergencyAccess | None:
    """The member's emergency access in force now, if any (one query, asked only of members
    who could have one). Called inside the account's scope. Turning emergency access off
    ends every grant at once."""
    if not may_break_glass(membership):
        return None
    return (EmergencyAccess.objects.filter(account=membership.account, user_id=membership.user_id,
                                           ends_at__gt=timezone.now()).order_by("-ends_at").first())


def grant_allows(grant: EmergencyAccess | None, *, section: str, needed: Level, view, view_kwargs) -> bool:
    """Whether an active grant opens this request: a read-only page of the Clients section
    marked for emergency access (core.decorators.emergency_readable), about the grant's client."""
    return (grant is not None and grant.is_active and section == CLIENTS and needed == Level.VIEW
            and getattr(view, "pg_emergency", False) and view_kwargs.get("number") == grant.client_number)


def owner_and_admins(account: Account) -> list[User]:
    """The owner and every active username with Full Access to Account Access here."""
    members = Membership.objects.select_related("user", "account").filter(account=account, user__is_active=True)
    return [m.user for m in members.order_by("user__username") if m.can(ACCESS, Level.FULL)]


def is_reviewer(membership: Membership | None) -> bool:
    return membership is not None and membership.can(ACCESS, Level.FULL)


# --- Services ----------------------------------------------------------------------------------

@transaction.atomic
def owner_only_refusal(*, actor: User, account: Account, context=None) -> None:
    """Log that someone other than the owner tried to change emergency access (refused)."""
    record("access.denied", account=account, actor=actor, context=context, section="settings",
           outcome=Outcome.DENIED, target=account, detail={"reason": "owner_only", "change": "emergency_access"})


@transaction.atomic
def emergency_settings_change(*, actor: User, account: Account, enabled: bool, minutes: int,
                              context=None) -> Account:
    """Turn emergency access on or off and set how long one use lasts (the owner only)."""
    if account.owner_id != actor.pk:
        raise EmergencyRefused("Only the account's owner can change emergency access.")
    if not MINUTES_MIN <= int(minutes) <= MINUTES_MAX:
        raise EmergencyRefused(f"Choose between {MINUTES_MIN} and {MINUTES_MAX} minutes.")
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = {"enabled": account.emergency_access, "minutes": account.emergency_minutes}
    account.emergency_access, account.emergency_minutes = bool(enabled), int(minutes)
    account.save(update_fields=["emergency_access", "emergency_minutes"])
    record("emergency.settings_change", account=account, actor=actor, context=context, section="settings",
           detail={"before": before, "after": {"enabled": account.emergency_access,
                                               "minutes": account.emergency_minutes}})
    return account


def grant_open(*, actor: User, membership: Membership, client_id: int, client_number: int, reason: str,
               context=None) -> EmergencyAccess:
    """Open emergency access to one client (found by the caller in this account), log it, and
    e-mail the owner and the Account Access administrators once it is saved."""
    with transaction.atomic():
        grant = _grant_create(actor=actor, membership=membership, client_id=client_id,
                              client_number=client_number, reason=reason, context=context)
        # The owner notice: an entry on the account home, and an e-mail to the owner and the Account
        # Access administrators (confirmed addresses) once this commits, whatever their notice setting.
        notice_owners(account=grant.account, kind="emergency", actor=actor, context=context,
                      text=f"{actor.username} used emergency access to open client #{grant.client_number}.",
                      mail_text=_opened_mail(grant, actor))
    return grant


@transaction.atomic
def _grant_create(*, actor, membership, client_id, client_number, reason, context) -> EmergencyAccess:
    account = membership.account
    if not may_break_glass(membership) or membership.user_id != actor.pk:
        raise EmergencyRefused("Emergency access is not available to you in this account.")
    current = active_grant(membership)
    if current is not None:
        raise EmergencyRefused(f"You already have emergency access to client #{current.client_number}. "
                               "It must end before you open another client.")
    now = timezone.now()
    grant = EmergencyAccess.objects.create(account=account, user=actor, client_id=client_id,
                                           client_number=client_number, reason=clean_reason(reason),
                                           started_at=now, ends_at=now + timedelta(minutes=account.emergency_minutes))
    record("emergency.open", account=account, actor=actor, context=context, section=CLIENTS,
           target_type="client", target_id=client_id,
           detail={"grant": grant.pk, "client_number": client_number, "minutes": account.emergency_minutes,
                   "purpose": PURPOSE})
    return grant


def miss_record(*, actor: User, account: Account, how: str, context=None) -> None:
    """Log a try that matched no client (nothing about which client was meant)."""
    record("emergency.no_match", account=account, actor=actor, context=context, section=CLIENTS,
           outcome=Outcome.DENIED, detail={"by": how})


def too_many_misses(*, actor: User, account: Account) -> bool:
    since = timezone.now() - MISSES_WINDOW
    return AuditEvent.objects.filter(account=account, action="emergency.no_match", actor_id=actor.pk,
                                     at__gte=since).count() >= MISSES_ALLOWED


@transaction.atomic
def emergency_review(*, actor: User, account: Account, grant_id: int, note: str, context=None) -> EmergencyAccess:
    """Mark one use of emergency access reviewed, with a note (the note is kept in the log too)."""
    grant = EmergencyAccess.objects.select_for_update().filter(account=account, pk=grant_id).first()
    if grant is None:
        raise EmergencyRefused("There is no such emergency access in this account.")
    if grant.reviewed_at is not None:
        raise EmergencyRefused("This emergency access was already reviewed.")
    grant.reviewed_at, grant.reviewed_by, grant.review_note = timezone.now(), actor, clean_note(note)
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    record("emergency.review", account=account, actor=actor, context=context, section=ACCESS,
           target_type="emergency_access", target_id=grant.pk,
           detail={"grant": grant.pk, "client_number": grant.client_number, "note": grant.review_note})
    return grant


# --- Mail ------------------------------------------------------------------------------------

def _opened_mail(grant: EmergencyAccess, actor: User) -> str:
    with timezone.override(grant.account.time_zone):
        ends = localtime.when_text(grant.ends_at)
    return (f"{actor.username} used emergency access in {grant.account.name} to open client "
            f"#{grant.client_number}, read-only, until {ends}.\n\n"
            f"The reason they gave:\n{grant.reason}\n\n"
            "Every page they open is written to the activity log. Please review this use: it is listed on the "
            "account's home page until someone with Full Access to Account Access marks it reviewed.\n")


# --- Selectors ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    grant: EmergencyAccess
    views: int


def grant_in(account: Account, grant_id: int) -> EmergencyAccess | None:
    return EmergencyAccess.objects.filter(account=account, pk=grant_id).first()


def unreviewed(account: Account) -> list[EmergencyAccess]:
    return list(EmergencyAccess.objects.filter(account=account, reviewed_at__isnull=True)
                .select_related("user").order_by("-started_at")[:50])


def report(account: Account, *, limit: int = 200) -> list[Row]:
    """The account's uses of emergency access, newest first, each with how many pages it opened."""
    grants = list(EmergencyAccess.objects.filter(account=account).select_related("user", "reviewed_by")
                  .order_by("-started_at")[:limit])
    if not grants:
        return []
    counts = Counter(AuditEvent.objects.filter(account=account, action="phi.view", detail__purpose=PURPOSE,
                                               at__gte=grants[-1].started_at)
                     .values_list("detail__grant", flat=True))
    return [Row(g, counts.get(g.pk, 0)) for g in grants]
