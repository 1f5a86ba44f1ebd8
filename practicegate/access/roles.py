"""Roles: named sets of levels per account, and applying one to a username in several accounts.

A role is copied, not linked: choosing or applying it writes its levels to the membership, and
editing the role later changes no one's privileges. Every account starts with three roles
(SEED_ROLES), which its Full Access usernames may edit, rename or delete.

Applying a role across accounts takes the role's levels from the account the page is opened in
(one definition, shown in the preview, the same everywhere: a "Biller" defined differently in
another account does not change what the actor saw). Each account reached is judged by the one
membership rule (accounts.rule) for Full Access to Account Access, with its two-factor
requirement met; accounts that fail it are left out without being named. The change is one
transaction for all accounts: either every account shown in the preview changes, or none does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from practicegate.access import notices
from practicegate.access.models import Role
from practicegate.access.services import ACCESS, _lock, narrowing_refusal
from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.rule import verdicts_for
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.sections import SECTION_KEYS, SECTIONS, Level, clean_levels

_F, _V, _N = int(Level.FULL), int(Level.VIEW), int(Level.NONE)
# The owner's starting roles. "billing" applies once that section is registered (clean_levels keeps
# only registered sections when a role is applied).
SEED_ROLES: dict[str, dict[str, int]] = {
    "Front desk": {"clients": _F, "diagnosis_codes": _V, "billing_codes": _V, "payers": _V, "billing": _N,
                   "reports": _N, "account_access": _N, "settings": _N},
    "Clinician": {"clients": _F, "diagnosis_codes": _V, "billing_codes": _V, "payers": _V, "billing": _N,
                  "reports": _V, "account_access": _N, "settings": _N},
    "Biller": {"clients": _V, "diagnosis_codes": _V, "billing_codes": _F, "payers": _F, "billing": _F,
               "reports": _V, "account_access": _N, "settings": _N},
}
NAME_MAX = 60


def seed_roles(account: Account) -> None:
    """Give a new account its starting roles (called when an account is created)."""
    Role.objects.bulk_create([Role(account=account, name=name, name_key=name.casefold(), levels=dict(levels))
                              for name, levels in SEED_ROLES.items()])


def _roles(account: Account):
    """The account's roles, in its own scope (services also run outside a request: demo, CLI)."""
    return Role.objects.with_scope(account=account).filter(account=account)


def roles_of(account: Account) -> list[Role]:
    return list(_roles(account).order_by("name_key", "id"))


def role_in(account: Account, role_id) -> Role | None:
    try:
        return _roles(account).filter(pk=int(role_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def least_role(account: Account) -> Role | None:
    """The role giving the least access (fewest levels in total): what a new username gets when
    none is chosen. None when the account has deleted every role."""
    roles = roles_of(account)
    return min(roles, key=lambda r: (sum(clean_levels(r.levels).values()), r.name_key), default=None)


def levels_of(role: Role) -> dict[str, int]:
    return clean_levels(role.levels)


def _clean_name(account: Account, name: str, *, other_than: Role | None = None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise ServiceError("Give the role a name, such as Front desk.")
    if len(name) > NAME_MAX:
        raise ServiceError(f"A role name has at most {NAME_MAX} characters.")
    taken = _roles(account).filter(name_key=name.casefold())
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.first() is not None:
        raise ServiceError(f"This account already has a role named {name}.")
    return name


def _saved(role: Role, **kwargs) -> None:
    try:
        with transaction.atomic():
            role.save(**kwargs)
    except IntegrityError as exc:  # the same name saved at the same moment by someone else
        raise ServiceError(f"This account already has a role named {role.name}.") from exc


@transaction.atomic
def role_create(*, actor: User, account: Account, name: str, levels: dict, context=None) -> Role:
    role = Role(account=account, name=_clean_name(account, name), levels=clean_levels(levels))
    _saved(role)
    record("roles.create", account=account, actor=actor, context=context, section=ACCESS, target=role,
           detail={"name": role.name, "levels": role.levels})
    return role


@transaction.atomic
def role_change(*, actor: User, account: Account, role: Role, name: str, levels: dict, context=None) -> Role:
    role = _roles(account).select_for_update().filter(pk=role.pk).first()
    if role is None:
        raise ServiceError("That role no longer exists.")
    before = {"name": role.name, "levels": clean_levels(role.levels)}
    role.name = _clean_name(account, name, other_than=role)
    role.levels = clean_levels(levels)
    _saved(role, update_fields=["name", "levels"])
    changed = [key for key in SECTION_KEYS if before["levels"][key] != role.levels[key]]
    record("roles.change", account=account, actor=actor, context=context, section=ACCESS, target=role,
           detail={"name_before": before["name"], "name": role.name, "before": before["levels"],
                   "after": role.levels, "changed": changed})
    return role


@transaction.atomic
def role_delete(*, actor: User, account: Account, role: Role, context=None) -> None:
    deleted, _ = _roles(account).filter(pk=role.pk).delete()
    if not deleted:
        raise ServiceError("That role no longer exists.")
    record("roles.delete", account=account, actor=actor, context=context, section=ACCESS,
           target_type="access.role", target_id=role.pk, detail={"name": role.name, "levels": role.levels})


# --- Apply a role in several accounts ---------------------------------------------------------

@dataclass
class AccountChange:
    """What applying the role does in one account: the preview's row, and what confirm writes."""

    account: Account
    membership: Membership | None
    changes: list[tuple[str, Level, Level]] = field(default_factory=list)  # (section label, old, new)
    note: str = ""  # why nothing changes here

    @property
    def changing(self) -> bool:
        return self.membership is not None and bool(self.changes) and not self.note


def manageable_accounts(actor: User, *, context=None) -> list[Account]:
    """The actor's accounts where it has Full Access to Account Access now, its two-factor
    requirement met: judged by the one membership rule, as the middleware would."""
    verdicts = verdicts_for(actor, section=ACCESS, needed=Level.FULL, context=context)
    return [v.account for v in verdicts.values() if v.allowed]


def refused_accounts(actor: User, slugs, *, context=None) -> list[Account]:
    """Among `slugs`, the accounts the actor has joined but may not manage now (to log there)."""
    verdicts = verdicts_for(actor, section=ACCESS, needed=Level.FULL, context=context, slugs=list(slugs))
    return [v.account for v in verdicts.values() if not v.allowed and v.account is not None]


def _target(username: str) -> User | None:
    return User.objects.named(str(username)[:150]).filter(is_active=True).first()


def role_preview(*, actor: User, username: str, levels: dict, slugs, context=None) -> list[AccountChange]:
    """Per account among `slugs` that the actor may manage now: what the role would change.

    Accounts the actor may not manage are absent (never named). Raises ServiceError when the
    username is a member of none of the accounts left.
    """
    allowed = {a.slug: a for a in manageable_accounts(actor, context=context)}
    accounts = [allowed[s] for s in dict.fromkeys(str(s)[:60] for s in slugs) if s in allowed]
    user = _target(username)
    memberships = {}
    if user is not None and accounts:
        found = Membership.objects.select_related("account", "user").filter(
            user=user, account__in=[a.pk for a in accounts])
        memberships = {m.account_id: m for m in found}
    if not memberships:
        raise ServiceError(f"There is no username {username} in the accounts you chose.")
    new = clean_levels(levels)
    rows = []
    for account in accounts:
        membership = memberships.get(account.pk)
        row = AccountChange(account, membership)
        if membership is None:
            row.note = "Not a username of this account: nothing changes here."
        elif membership.is_owner:
            row.note = "Owner of this account: always Full Access, never changed."
        else:
            current = clean_levels(membership.levels)
            row.changes = [(s.label, Level(current[s.key]), Level(new[s.key])) for s in SECTIONS
                           if current[s.key] != new[s.key]]
            if not row.changes:
                row.note = "Already has these privileges: nothing changes here."
            else:
                row.note = narrowing_refusal(membership, new) or ""
        rows.append(row)
    return rows


@transaction.atomic
def role_apply(*, actor: User, account: Account, username: str, role_name: str, levels: dict, slugs,
               context=None) -> list[AccountChange]:
    """Apply `levels` (the role `role_name` of `account`) to `username` in the accounts among
    `slugs` the actor may manage: one privileges.apply_role event in each account changed, all in
    this one transaction. A refusal in any account (the last Full Access there) changes nothing."""
    rows = role_preview(actor=actor, username=username, levels=levels, slugs=slugs, context=context)
    new = clean_levels(levels)
    changing = sorted((r for r in rows if r.changing), key=lambda r: r.account.pk)  # lock order: by id
    if not changing:
        raise ServiceError(f"Nothing to change: {username} already has these privileges, or cannot be changed, "
                           "in the accounts you chose.")
    for row in changing:
        membership = _lock(row.membership)
        refusal = narrowing_refusal(membership, new)
        if refusal:
            raise ServiceError(f"Nothing was changed. {row.account.name}: {refusal}")
        before = clean_levels(membership.levels)
        membership.levels = new
        membership.save(update_fields=["levels"])
        changed = [key for key in SECTION_KEYS if before[key] != new[key]]
        record("privileges.apply_role", account=row.account, actor=actor, context=context, section=ACCESS,
               target=membership.user, detail={"username": membership.user.username, "role": role_name,
                                               "role_from": account.slug, "before": before, "after": new,
                                               "changed": changed})
        notices.notice_owners(account=row.account, kind="privileges", actor=actor, context=context,
                              text=f"{actor.username} gave {membership.user.username} the role {role_name} "
                                   f"(from {account.name}).")
    return changing


@transaction.atomic
def role_apply_refused_record(*, actor: User, accounts: list[Account], context=None) -> None:
    """Log, in each account the actor has joined but may not manage now, that applying a role there
    was refused (outside the refused work, so the record stays)."""
    for refused in accounts:
        record("privileges.apply_role_denied", account=refused, actor=actor, context=context, section=ACCESS,
               outcome=Outcome.DENIED, detail={"reason": "not_full_access_now"})
