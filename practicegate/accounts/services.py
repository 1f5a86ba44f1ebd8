"""Writes about usernames and accounts. Each service logs its own event."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from practicegate.accounts.email_addresses import address_wait_for_link
from practicegate.accounts.models import Account, Membership, User
from practicegate.accounts.selectors import log_account_of
from practicegate.accounts.sessions import sessions_end_for_password
from practicegate.accounts.usernames import (
    KEY_MAX_LENGTH,
    mixed_scripts,
    username_key,
    username_skeleton,
)
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.localtime import NOT_A_ZONE, default_zone, is_zone
from practicegate.core.sections import full_levels


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40].strip("-") or "account"
    slug = base
    while Account.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


TAKEN = "That username is taken. Please choose another."


def username_taken(username: str) -> bool:
    return User.objects.named(username).exists()


def username_refusal(username: str) -> str | None:
    """Why `username` cannot be a new username, or None: taken, a look-alike, or a mix of alphabets."""
    scripts = mixed_scripts(username)
    if scripts:
        return (f"Please use letters of one alphabet only; this username mixes {' and '.join(scripts)}.")
    if len(username_key(username)) > KEY_MAX_LENGTH or len(username_skeleton(username)) > KEY_MAX_LENGTH:
        return "Please choose a shorter username."
    if username_taken(username):
        return TAKEN
    if User.objects.filter(username_skeleton=username_skeleton(username)).exists():
        return "That username looks too much like an existing one. Please choose another."
    return None


def user_create(*, username: str, password: str, email: str = "", home_account: Account | None = None) -> User:
    """Make a username (inside the caller's logged, atomic service); refuse a taken or look-alike one."""
    refusal = username_refusal(username)
    if refusal:
        raise ServiceError(refusal)
    user = User(username=username, email=email, home_account=home_account)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise ServiceError(TAKEN) from exc
    return user


def _checked_zone(time_zone: str) -> str:
    if not is_zone(time_zone):
        raise ServiceError(NOT_A_ZONE)
    return time_zone


@transaction.atomic
def account_signup(*, provider_name: str, email: str, username: str, password: str, context=None,
                   slug: str | None = None, time_zone: str | None = None, site: str = "") -> Account:
    """Create a provider account, its owner username and the owner's Full Access membership.

    The account's e-mail address is also the owner's, waiting for the confirmation link mailed to it
    (links start with `site`; without one nothing is mailed).
    """
    zone = _checked_zone(time_zone or default_zone())
    user = user_create(username=username, password=password)
    account = Account.objects.create(slug=slug or _unique_slug(provider_name), name=provider_name, email=email,
                                     owner=user, time_zone=zone)
    user.home_account = account
    user.save(update_fields=["home_account"])
    Membership.objects.create(user=user, account=account, levels=full_levels())
    record("auth.signup", account=account, actor=user, context=context, target=account,
           section="account_access", detail={"provider_name_length": len(provider_name), "time_zone": zone,
                                             "email": "waiting for its confirmation link"})
    address_wait_for_link(user=user, address=email, site=site)
    return account


@transaction.atomic
def password_change(*, actor: User, new_password: str, context=None, reset: bool = False,
                    keep_session: int | None = None) -> None:
    """A new password; every other session of the username ends (on a reset, every session:
    `keep_session` is the session that changed it, see accounts/sessions.py)."""
    actor.set_password(new_password)
    actor.save(update_fields=["password", "password_changed_at"])
    record(
        "auth.password_reset" if reset else "auth.password_change",
        account=log_account_of(actor),
        actor=actor,
        context=context,
        target=actor,
    )
    sessions_end_for_password(user=actor, keep_id=keep_session, reset=reset, context=context)


@transaction.atomic
def account_update(*, actor: User, account: Account, name: str, email: str, time_zone: str | None = None,
                   context=None) -> Account:
    """Change the account's settings; a new time zone is named in the event (it is no PHI)."""
    zone = _checked_zone(time_zone or account.time_zone)
    changed = [f for f, v in (("name", name), ("email", email), ("time_zone", zone)) if getattr(account, f) != v]
    detail: dict = {"fields": changed}
    if "time_zone" in changed:
        detail.update(time_zone_from=account.time_zone, time_zone_to=zone)
    account.name = name
    account.email = email
    account.time_zone = zone
    account.save(update_fields=["name", "email", "time_zone"])
    record("account.update", account=account, actor=actor, context=context, section="settings",
           target=account, detail=detail)
    return account


@transaction.atomic
def user_time_zone_change(*, actor: User, time_zone: str, context=None) -> None:
    """Set the zone of the username's own pages ("" follows its home account)."""
    if time_zone:
        _checked_zone(time_zone)
    previous = actor.time_zone
    actor.time_zone = time_zone
    actor.save(update_fields=["time_zone"])
    record("auth.time_zone_change", account=log_account_of(actor), actor=actor, context=context, target=actor,
           detail={"time_zone_from": previous or "home account's", "time_zone_to": time_zone or "home account's"})
