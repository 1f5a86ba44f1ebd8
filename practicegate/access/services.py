"""Writes of the master-username workflow. Each service logs its own events.

Refusals raise `ServiceError` with a message safe to show; a refused join is
logged by `join_failure_record` outside the refused transaction, so the failure
event survives the rollback.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from practicegate.access import codes, notices
from practicegate.access.models import JoinCode, Role
from practicegate.accounts.email_addresses import email_set
from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.rule import Refusal, verdict_for
from practicegate.accounts.selectors import log_account_of
from practicegate.accounts.services import user_create
from practicegate.accounts.sessions import sessions_end_all
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import BY_KEY, SECTION_KEYS, Level, clean_levels, level_of

ACCESS = "account_access"
JOIN_CODE_HOURS = 24


# --- Allow Account Access -------------------------------------------------------------------

STARTING = "Starting privileges"  # the account's starting levels (Username Privileges), as a role's name


def starting_levels(account: Account, role: Role | None, *, starting: bool = False) -> tuple[dict[str, int], str]:
    """The levels a new member gets, and the name of where they came from: the role chosen, the
    account's starting privileges when asked for, else the account's least role (never Full
    Access by default); with no role left at all, No Access everywhere."""
    if role is not None:
        if role.account_id != account.pk:
            raise ServiceError("That role is not one of this account's roles.")
        return clean_levels(role.levels), role.name
    if starting:
        return account.new_member_levels(), STARTING
    from practicegate.access.roles import least_role  # roles builds on this module

    least = least_role(account)
    if least is not None:
        return clean_levels(least.levels), least.name
    return clean_levels({}), "No Access"


@transaction.atomic
def username_add(*, actor: User, account: Account, username: str, password: str, role: Role | None = None,
                 starting: bool = False, context=None, email: str = "", site: str = "") -> User:
    """Create a username whose home is `account`, a member with the levels of `role` (see starting_levels).

    An `email` waits for its confirmation link, mailed to it once this commits (links start with `site`).
    """
    levels, role_name = starting_levels(account, role, starting=starting)
    user = user_create(username=username, password=password, home_account=account)
    membership = Membership.objects.create(user=user, account=account, levels=levels)
    record("account.username_add", account=account, actor=actor, context=context, section=ACCESS,
           target=user, detail={"username": user.username, "levels": membership.levels, "role": role_name})
    if email:
        email_set(actor=actor, user=user, address=email, site=site, context=context)
    notices.notice_owners(account=account, kind="joined", actor=actor, context=context,
                          text=f"{actor.username} added the username {user.username} with the role {role_name}.")
    return user


# --- Access Other Accounts ------------------------------------------------------------------

def can_grant_access(credential_user: User, account: Account) -> bool:
    """Whether these credentials may let someone into `account` (Full Access to account_access)."""
    if not credential_user.is_active:
        return False
    membership = Membership.objects.select_related("account").filter(user=credential_user, account=account).first()
    return membership is not None and membership.can(ACCESS, Level.FULL)


def accounts_openable_by(credential_user: User) -> list[Account]:
    """The accounts these credentials may let a username into, in name order."""
    memberships = Membership.objects.select_related("account").filter(user=credential_user).order_by(
        "account__name", "account_id"
    )
    return [m.account for m in memberships if m.can(ACCESS, Level.FULL)]


def _joining_from_check(actor: User, from_account: Account, *, context) -> None:
    """The membership rule for the account joined from: Full Access to its Account Access,
    with its two-factor requirement met (the middleware checks the URL's account; a service
    called from elsewhere must not skip it)."""
    verdict = verdict_for(actor, from_account.slug, section=ACCESS, needed=Level.FULL, context=context)
    if verdict.refusal is Refusal.TWO_FACTOR:
        raise ServiceError(f"{from_account.name} requires two-factor log-in: confirm your code there first.")
    if not verdict.allowed:
        raise ServiceError(f"Your username needs Full Access to Account Access in {from_account.name} "
                           "to join another account from it.")


@transaction.atomic
def membership_join(*, actor: User, account: Account, from_account: Account | None, via: str,
                    credential_user: User | None = None, start: tuple[dict, str] | None = None,
                    context=None) -> Membership:
    """Add `actor` to `account` with its starting privileges (or `start`: the levels and name of a
    role, as a join code copied them); log it in both accounts.

    `via` is "credentials" (then `credential_user` must still have Full Access to
    the account's account_access) or "join_code" (the caller redeemed one).
    """
    if from_account is not None:
        _joining_from_check(actor, from_account, context=context)
    if via == "credentials":
        if credential_user is None or not can_grant_access(credential_user, account):
            raise ServiceError("Those credentials cannot give access to this account: they need "
                               "Full Access to its Account Access.")
        if credential_user.pk == actor.pk:
            raise ServiceError("Those are your own username's credentials. Enter the username and "
                               "password of the provider account you want to join.")
    if Membership.objects.filter(user=actor, account=account).exists():
        raise ServiceError(f"Your username already has access to {account.name}.")
    try:
        with transaction.atomic():
            levels, role_name = ((clean_levels(start[0]), start[1]) if start is not None
                                 else starting_levels(account, None, starting=True))
            membership = Membership.objects.create(user=actor, account=account, levels=levels)
    except IntegrityError as exc:  # a double submit raced us
        raise ServiceError(f"Your username already has access to {account.name}.") from exc
    detail = {"via": via, "levels": membership.levels, "role": role_name}
    if credential_user is not None:
        detail["credentials_of"] = credential_user.username
    how = (f"with the credentials of {credential_user.username}" if credential_user is not None
           else "with a join code")
    notices.notice_owners(account=account, kind="joined", actor=actor, context=context,
                          text=f"{actor.username} joined this account {how}, with {role_name}.")
    record("account.join", account=account, actor=actor, context=context, section=ACCESS,
           target=membership, detail=detail)
    if from_account is not None and from_account.pk != account.pk:
        record("account.join_other", account=from_account, actor=actor, context=context, section=ACCESS,
               target=account, detail={"via": via, "joined": account.slug})
    return membership


@transaction.atomic
def join_found_record(*, actor: User, account: Account, from_account: Account, credential_user: User,
                      context=None) -> None:
    """Log a successful Find Account: in the joiner's account, and in the account whose credentials
    were used (its owner should know they were, even if Join Account never follows)."""
    detail = {"credentials_of": credential_user.username}
    record("account.join_found", account=from_account, actor=actor, context=context, section=ACCESS,
           target=account, detail={**detail, "found": account.slug})
    if account.pk != from_account.pk:
        record("account.join_found", account=account, actor=actor, context=context, section=ACCESS,
               target=account, detail=detail)


@transaction.atomic
def join_failure_record(*, actor: User, account: Account, reason: str, context=None) -> None:
    """Log a refused Find Account / Join Account / join code in the joiner's current account."""
    record("account.join_failed", account=account, actor=actor, context=context, section=ACCESS,
           outcome=Outcome.FAILURE, detail={"reason": reason})


@transaction.atomic
def find_failure_record(*, actor: User, credential_user: User, from_account: Account | None, reason: str,
                        locked: bool = False, context=None) -> None:
    """Log a failed Find Account in the account of the username whose credentials were tried:
    who tried, and from which account (never the password or code)."""
    record("account.find_failed", account=log_account_of(credential_user), actor=actor, context=context,
           section=ACCESS, outcome=Outcome.FAILURE, target=credential_user,
           detail={"reason": reason, "from_account": from_account.slug if from_account else "",
                   "locked": locked})


# --- Join codes -------------------------------------------------------------------------------

class JoinCodeRefused(ServiceError):
    """A join code that admits no one; `reason` goes to the activity log, the message to the user.

    The message says whether the code is unknown, expired, used or revoked, and never which
    account it belongs to: only someone holding a code learns its state, nothing more.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


JOIN_CODE_INVALID = (f"That is not a valid join code. A join code has 20 letters and digits, "
                     f"such as {codes.EXAMPLE}; check it with the person who gave it to you.")
JOIN_CODE_REFUSALS = {
    "join_code_expired": f"This join code has expired: a code works for {JOIN_CODE_HOURS} hours. "
                         "Ask the account for a new one.",
    "join_code_used": "This join code has already been used: a code works once. Ask the account for a new one.",
    "join_code_revoked": "This join code was revoked by the account. Ask the account for a new one.",
}


def _refusal_of(code: JoinCode) -> JoinCodeRefused:
    """Why a code found by its digest cannot be used (used and revoked come before expired)."""
    if code.used_at is not None:
        reason = "join_code_used"
    elif code.revoked_at is not None:
        reason = "join_code_revoked"
    else:
        reason = "join_code_expired"
    return JoinCodeRefused(reason, JOIN_CODE_REFUSALS[reason])


@transaction.atomic
def join_code_create(*, actor: User, account: Account, role: Role | None = None,
                     context=None) -> tuple[JoinCode, str]:
    """Make a single-use join code valid for 24 hours; return it with the code, shown only once.

    The username joining with it gets `role`'s levels (none: the account's starting privileges)."""
    if role is not None and role.account_id != account.pk:
        raise ServiceError("That role is not one of this account's roles.")
    raw = codes.new_code()
    code = JoinCode.objects.create(account=account, code_hash=codes.digest(codes.normalise(raw)), created_by=actor,
                                   expires_at=timezone.now() + timedelta(hours=JOIN_CODE_HOURS),
                                   role_name=role.name if role else "",
                                   role_levels=clean_levels(role.levels) if role else None)
    record("account.join_code_create", account=account, actor=actor, context=context, section=ACCESS,
           target=code, detail={"expires_hours": JOIN_CODE_HOURS, "role": role.name if role else STARTING})
    return code, raw


@transaction.atomic
def join_code_revoke(*, actor: User, account: Account, code: JoinCode, context=None) -> None:
    if code.account_id != account.pk:  # callers look codes up from the account; this is a backstop
        raise ServiceError("No such join code.")
    updated = JoinCode.objects.filter(pk=code.pk, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if not updated:
        raise ServiceError("That join code was already used or revoked.")
    record("account.join_code_revoke", account=account, actor=actor, context=context, section=ACCESS,
           target=code)


@transaction.atomic
def join_code_redeem(*, actor: User, from_account: Account | None, raw_code: str, context=None) -> Membership:
    """Join the account a valid join code belongs to, using the code up in the same transaction.

    The code is read as typed (any case, dashes and spaces or none, O/I/L for 0/1); a refusal
    raises `JoinCodeRefused`.
    """
    digests = codes.digests_of(raw_code)
    # The code names an account the actor has not joined yet: finding it crosses accounts, and
    # the code itself (its 100 random bits, single use, expiry) is what admits the actor.
    with across_accounts():
        code = (JoinCode.objects.select_related("account").filter(code_hash__in=digests).first()
                if digests else None)
        if code is None:
            raise JoinCodeRefused("join_code_invalid", JOIN_CODE_INVALID)
        now = timezone.now()
        # Conditional UPDATE: of two concurrent redemptions exactly one sees a row to change.
        taken = JoinCode.objects.filter(pk=code.pk, used_at__isnull=True, revoked_at__isnull=True,
                                        expires_at__gt=now).update(used_at=now, used_by=actor)
        if taken != 1:
            code.refresh_from_db(fields=["used_at", "revoked_at", "expires_at"])
            raise _refusal_of(code)
    # Raises (and so rolls the use back) when the username is already a member.
    return membership_join(actor=actor, account=code.account, from_account=from_account, via="join_code",
                           start=(code.role_levels, code.role_name) if code.role_levels is not None else None,
                           context=context)


# --- Leaving and removing ---------------------------------------------------------------------

def full_access_holders(account: Account) -> int:
    """How many usernames have Full Access to the account's account_access (the owner always has)."""
    memberships = account.memberships.select_related("account")
    return sum(1 for m in memberships if m.can(ACCESS, Level.FULL))


def removal_refusal(membership: Membership) -> str | None:
    """Why this membership cannot be removed, or None."""
    if membership.is_owner:
        return "This is the account's owner username: it always has Full Access and cannot be removed."
    if membership.can(ACCESS, Level.FULL) and full_access_holders(membership.account) <= 1:
        return "This is the last username with Full Access to Account Access: it cannot be removed."
    return None


def narrowing_refusal(membership: Membership, new_levels: dict[str, int]) -> str | None:
    """Why these levels cannot be set on this membership, or None."""
    if membership.is_owner:
        return "The owner username always has Full Access; its privileges cannot be changed."
    losing_access = membership.can(ACCESS, Level.FULL) and level_of(new_levels, ACCESS) < Level.FULL
    if losing_access and full_access_holders(membership.account) <= 1:
        return ("This is the last username with Full Access to Account Access; "
                "give another username Full Access there first.")
    return None


def _lock(membership: Membership) -> Membership:
    """Re-read the membership under a row lock so two concurrent changes cannot both pass the checks."""
    # Serialize changes within one account (account row first, always): the
    # last-Full-Access rule counts across all of its memberships.
    Account.objects.select_for_update().filter(pk=membership.account_id).values_list("pk").first()
    locked = (Membership.objects.select_for_update().select_related("account", "user")
              .filter(pk=membership.pk, account_id=membership.account_id).first())
    if locked is None:
        raise ServiceError("That username no longer has access to this account.")
    return locked


def _deactivate_if_orphaned(user: User) -> bool:
    """A username left with no account is switched off, never deleted: the log keeps pointing at it."""
    if Membership.objects.filter(user=user).exists():
        return False
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    sessions_end_all(user=user)  # signed out everywhere at once (ASVS 5.0 7.4.2), not at its next click
    return True


@transaction.atomic
def membership_remove(*, actor: User, account: Account, membership: Membership, context=None) -> bool:
    """Delete a username from the account; return whether it was deactivated for having no account left."""
    membership = _lock(membership)
    if membership.account_id != account.pk:
        raise ServiceError("That username does not have access to this account.")
    refusal = removal_refusal(membership)
    if refusal:
        raise ServiceError(refusal)
    user = membership.user
    before = dict(membership.levels)
    membership.delete()
    deactivated = _deactivate_if_orphaned(user)
    record("account.username_remove", account=account, actor=actor, context=context, section=ACCESS,
           target=user, detail={"username": user.username, "levels_before": before, "deactivated": deactivated})
    return deactivated


@transaction.atomic
def membership_leave(*, actor: User, account: Account, context=None) -> None:
    """The signed-in username leaves an account it joined."""
    membership = Membership.objects.filter(user=actor, account=account).first()
    if membership is None:
        raise ServiceError("Your username has no access to this account.")
    membership = _lock(membership)
    if membership.is_owner:
        raise ServiceError("You own this account, so you cannot leave it.")
    if not Membership.objects.filter(user=actor).exclude(pk=membership.pk).exists():
        raise ServiceError("This is the only account your username can reach, so you cannot leave it.")
    refusal = removal_refusal(membership)
    if refusal:
        raise ServiceError(refusal)
    before = dict(membership.levels)
    membership.delete()
    record("account.leave", account=account, actor=actor, context=context, section=ACCESS,
           target=actor, detail={"levels_before": before})


# --- Username Privileges ----------------------------------------------------------------------

@transaction.atomic
def membership_levels_set(*, actor: User, account: Account, membership: Membership, levels: dict,
                          context=None) -> Membership:
    """Set a username's level in every section; it applies from that username's next request."""
    membership = _lock(membership)
    if membership.account_id != account.pk:
        raise ServiceError("That username does not have access to this account.")
    new_levels = clean_levels(levels)
    refusal = narrowing_refusal(membership, new_levels)
    if refusal:
        raise ServiceError(refusal)
    before = clean_levels(membership.levels)
    membership.levels = new_levels
    membership.save(update_fields=["levels"])
    changed = [key for key in SECTION_KEYS if before[key] != new_levels[key]]
    record("privileges.change", account=account, actor=actor, context=context, section=ACCESS,
           target=membership.user, detail={"username": membership.user.username, "before": before,
                                           "after": new_levels, "changed": changed})
    if changed:
        labels = ", ".join(BY_KEY[key].label for key in changed)
        notices.notice_owners(account=account, kind="privileges", actor=actor, context=context,
                              text=f"{actor.username} changed the privileges of {membership.user.username} "
                                   f"({labels}).")
    return membership


@transaction.atomic
def account_default_levels_set(*, actor: User, account: Account, levels: dict, context=None) -> Account:
    """Choose the levels a newly added or joined username starts with."""
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    before = account.new_member_levels()
    account.default_levels = clean_levels(levels)
    account.save(update_fields=["default_levels"])
    record("privileges.defaults_change", account=account, actor=actor, context=context, section=ACCESS,
           target=account, detail={"before": before, "after": account.default_levels})
    return account
