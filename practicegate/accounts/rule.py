"""The one membership rule: may this username do this in this account?

AccountMiddleware applies it to the account in the URL. Every service that reaches
another account (copying between accounts, searching clients in all my accounts,
joining, the provider dropdown) applies it to each account it touches, through
these same functions, so that no path can skip a part of it:

1. the username is active and a member of the account;
2. the account's two-factor requirement is met by this session;
3. the username's level on the section is at least the level needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import connection

from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.models import Channel
from practicegate.core.prepared import Columns
from practicegate.core.sections import MEMBERS, Level


class Refusal(StrEnum):
    NOT_MEMBER = "not_member"  # also an inactive username: answered exactly like a stranger
    TWO_FACTOR = "two_factor_required"
    LEVEL = "level"


@dataclass(frozen=True)
class Verdict:
    membership: Membership | None
    refusal: Refusal | None
    section: str = MEMBERS
    needed: Level = Level.VIEW

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def account(self):
        return self.membership.account if self.membership is not None else None

    @property
    def has(self) -> Level:
        if self.membership is None or self.section == MEMBERS:
            return Level.NONE
        return self.membership.level(self.section)


def two_factor_met(user, account, *, context=None) -> bool:
    """Whether this session satisfies the account's two-factor requirement.

    A web request must carry a session verified with a code: django-otp marks the session's
    user, which is the actor of the request's audit context. Without a web context (a
    command run by an operator on the server) there is no session to verify, and the
    requirement does not apply.
    """
    if not account.require_two_factor or context is None or context.channel != Channel.WEB:
        return True
    session_user = context.actor
    if session_user is None or getattr(session_user, "pk", None) != getattr(user, "pk", None):
        return False
    checker = getattr(session_user, "is_verified", None)
    return bool(checker is not None and checker())


def judge(membership: Membership | None, user, *, section: str = MEMBERS,
          needed: Level = Level.VIEW, context=None) -> Verdict:
    """Apply the rule to a membership already loaded (with its account and user)."""
    if (membership is None or user is None or membership.user_id != user.pk
            or not membership.user.is_active):
        return Verdict(None, Refusal.NOT_MEMBER, section, needed)
    if not two_factor_met(user, membership.account, context=context):
        return Verdict(membership, Refusal.TWO_FACTOR, section, needed)
    if section != MEMBERS and not membership.can(section, needed):
        return Verdict(membership, Refusal.LEVEL, section, needed)
    return Verdict(membership, None, section, needed)


_MEMBERSHIP = Columns(Membership, "m")
_ACCOUNT = Columns(Account, "a")


def _memberships(user, slugs: list[str] | None = None) -> list[Membership]:
    """The username's memberships (each with its account), by account name: one statement,
    written once (core.prepared), since every account page runs it.

    An inactive username has none: the database checks is_active, so a stale user object
    cannot keep access. Each membership's user is `user` itself (no second copy of the row).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    where, params = "", [user.pk]
    if slugs is not None:
        slugs = [str(s)[:60] for s in slugs]
        if not slugs:
            return []
        where = f" AND a.slug IN ({', '.join(['%s'] * len(slugs))})"
        params += slugs
    sql = (f"SELECT {_MEMBERSHIP.sql}, {_ACCOUNT.sql} FROM {Membership._meta.db_table} m"
           f" JOIN {Account._meta.db_table} a ON a.id = m.account_id"
           f" JOIN {User._meta.db_table} u ON u.id = m.user_id"
           f" WHERE m.user_id = %s AND u.is_active{where} ORDER BY a.name, a.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = _MEMBERSHIP.instances(rows)
    for membership, account in zip(found, _ACCOUNT.instances(rows, len(_MEMBERSHIP)), strict=True):
        membership.account = account
        membership.user = user
    return found


def verdict_for(user, account_slug: str, *, section: str = MEMBERS, needed: Level = Level.VIEW,
                context=None) -> Verdict:
    """The rule for one account named by its slug: one query."""
    found = _memberships(user, slugs=[account_slug])
    return judge(found[0] if found else None, user, section=section, needed=needed, context=context)


def verdicts_for(user, *, section: str = MEMBERS, needed: Level = Level.VIEW, context=None,
                 slugs: Iterable[str] | None = None) -> dict[str, Verdict]:
    """The rule for every account of the username (or those among `slugs`), by slug: one query.

    Accounts the username has not joined are absent from the answer.
    """
    rows = _memberships(user, slugs=list(slugs) if slugs is not None else None)
    return {m.account.slug: judge(m, user, section=section, needed=needed, context=context)
            for m in rows}


def verdict_with_accounts(user, account_slug: str, *, section: str = MEMBERS, needed: Level = Level.VIEW,
                          context=None) -> tuple[Verdict, list[tuple[str, str]]]:
    """verdict_for() and the username's accounts as (slug, name) by name, for the frame's
    provider dropdown: both from the one query of verdicts_for()."""
    verdicts = verdicts_for(user, section=section, needed=needed, context=context)
    accounts = [(slug, v.membership.account.name) for slug, v in verdicts.items()]
    verdict = verdicts.get(str(account_slug)[:60]) or Verdict(None, Refusal.NOT_MEMBER, section, needed)
    return verdict, accounts
