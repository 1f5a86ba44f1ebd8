"""Writes about usernames and accounts. Each service logs its own event."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.services import record
from practicegate.core.sections import full_levels


class ServiceError(Exception):
    """A rule refused the change; the message is safe to show the user."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40].strip("-") or "account"
    slug = base
    while Account.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def user_create(*, username: str, password: str, email: str = "", home_account: Account | None = None) -> User:
    """Make a username (inside the caller's logged, atomic service); refuse a taken one."""
    if username_taken(username):
        raise ServiceError("That username is taken. Please choose another.")
    user = User(username=username, email=email, home_account=home_account)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise ServiceError("That username is taken. Please choose another.") from exc
    return user


@transaction.atomic
def account_signup(*, provider_name: str, email: str, username: str, password: str, request=None,
                   slug: str | None = None) -> Account:
    """Create a provider account, its owner username and the owner's Full Access membership."""
    user = user_create(username=username, password=password, email=email)
    account = Account.objects.create(slug=slug or _unique_slug(provider_name), name=provider_name, email=email,
                                     owner=user)
    user.home_account = account
    user.save(update_fields=["home_account"])
    Membership.objects.create(user=user, account=account, levels=full_levels())
    record("auth.signup", account=account, actor=user, request=request, target=account,
           section="account_access", detail={"provider_name_length": len(provider_name)})
    return account


@transaction.atomic
def password_change(*, actor: User, new_password: str, request=None, reset: bool = False) -> None:
    from practicegate.audit.signals import log_account_of

    actor.set_password(new_password)
    actor.save(update_fields=["password", "password_changed_at"])
    record(
        "auth.password_reset" if reset else "auth.password_change",
        account=log_account_of(actor),
        actor=actor,
        request=request,
        target=actor,
    )


@transaction.atomic
def account_update(*, actor: User, account: Account, name: str, email: str, request=None) -> Account:
    changed = [f for f, v in (("name", name), ("email", email)) if getattr(account, f) != v]
    account.name = name
    account.email = email
    account.save(update_fields=["name", "email"])
    record("account.update", account=account, actor=actor, request=request, section="settings",
           target=account, detail={"fields": changed})
    return account
