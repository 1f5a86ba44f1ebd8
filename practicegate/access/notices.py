"""Owner notices: things an account's owner should hear about, on the account home and by e-mail.

`notice_owners` is called inside the service that made the change (its transaction): the entry is
written with the change, and the e-mails leave only once that transaction commits, so a change
rolled back never mails anyone. Who hears: the owner and every username with Full Access to the
account's Account Access, except the one who made the change. A username may turn the e-mails
off on its own Notices page; emergency access notices are sent all the same.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from practicegate.access.models import NoticeRead, NoticeSetting, OwnerNotice
from practicegate.accounts.mail import send_to_user
from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.selectors import log_account_of
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level

ACCESS = "account_access"
KINDS = {
    "joined": "a username joined",
    "privileges": "privileges changed",
    "emergency": "emergency access was used",
    "two_factor": "the two-factor requirement changed",
}
ALWAYS_SENT = {"emergency"}
TEXT_MAX = 500
SHOWN = 20  # the newest unread notices on the account home

log = logging.getLogger(__name__)


def _send(user: User, subject: str, body: str) -> None:
    """Mail one username at its confirmed address (none: nothing sent); a mail server that is
    down is logged by accounts.mail and never turns the saved change into an error."""
    send_to_user(user, subject, body)


def admins_of(account: Account) -> list[User]:
    """The owner and the active usernames with Full Access to Account Access, owner first."""
    memberships = (Membership.objects.select_related("user", "account").filter(account=account, user__is_active=True)
                   .order_by("user__username"))
    admins = [m.user for m in memberships if m.can(ACCESS, Level.FULL)]
    return sorted(admins, key=lambda u: u.pk != account.owner_id)


def emails_off(users) -> set[int]:
    """The ids among `users` that turned owner-notice e-mails off."""
    return set(NoticeSetting.objects.filter(user__in=[u.pk for u in users], emails_off=True)
               .values_list("user_id", flat=True))


def notice_owners(*, account: Account, kind: str, text: str, actor: User | None, context=None,
                  mail_text: str = "") -> OwnerNotice:
    """Write a notice for `account`'s owner and admins, and e-mail them once the change commits.

    `mail_text`, when given, is the e-mail's message in place of the notice's one-line text (an
    emergency access notice carries the reason given and when it ends)."""
    if kind not in KINDS:
        raise ValueError(f"no owner notice kind {kind!r}")
    text = " ".join(str(text).split())[:TEXT_MAX]
    notice = OwnerNotice.objects.create(account=account, kind=kind, text=text, actor=actor,
                                        actor_username=actor.username if actor is not None else "")
    recipients = [u for u in admins_of(account) if actor is None or u.pk != actor.pk]
    if kind not in ALWAYS_SENT:
        off = emails_off(recipients)
        recipients = [u for u in recipients if u.pk not in off]
    subject = f"{account.name}: {KINDS[kind]}"
    body = (f"{mail_text or text}\n\nAccount: {account.name}\nWhen: {timezone.now():%Y-%m-%d %H:%M} UTC\n\n"
            "You receive this because you own this account or have Full Access to its Account Access. "
            "You can turn these e-mails off on your Notices page (under your username); "
            "emergency access notices are always sent.\n")
    for user in recipients:
        transaction.on_commit(partial(_send, user, subject, body))
    return notice


# --- Reading them -----------------------------------------------------------------------------

def may_see(membership: Membership | None) -> bool:
    return membership is not None and membership.can(ACCESS, Level.FULL)


def unread_for(account: Account, user: User) -> list[OwnerNotice]:
    """The newest notices of `account` this username has not marked read."""
    return list(OwnerNotice.objects.with_scope(account=account).filter(account=account).exclude(reads__user=user)
                .order_by("-created_at", "-id")[:SHOWN])


def notice_in(account: Account, notice_id: int) -> OwnerNotice | None:
    return OwnerNotice.objects.with_scope(account=account).filter(account=account, pk=notice_id).first()


@transaction.atomic
def notice_mark_read(*, actor: User, account: Account, notice: OwnerNotice, context=None) -> None:
    if notice.account_id != account.pk:  # callers look notices up from the account; this is a backstop
        raise ServiceError("That notice no longer exists.")
    _read, created = NoticeRead.objects.get_or_create(notice=notice, user=actor)
    if created:
        record("notices.read", account=account, actor=actor, context=context, section=ACCESS,
               target_type="access.ownernotice", target_id=notice.pk, detail={"kind": notice.kind})


def emails_are_off(user: User) -> bool:
    return NoticeSetting.objects.filter(user=user, emails_off=True).exists()


@transaction.atomic
def notice_emails_set(*, actor: User, off: bool, context=None) -> None:
    """A username's own choice of owner-notice e-mails, logged in its home account."""
    NoticeSetting.objects.update_or_create(user=actor, defaults={"emails_off": off, "changed_at": timezone.now()})
    record("notices.emails_off" if off else "notices.emails_on", account=log_account_of(actor), actor=actor,
           context=context, target=actor)
