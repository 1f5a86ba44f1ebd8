"""Passkeys (WebAuthn): adding one, checking one at log-in, removing one.

The WebAuthn checks themselves (challenge, origin, site, signature, user presence and
verification) are python-fido2's Fido2Server. On top of them, here:
- the sign count: a passkey's counter must go up at each use (when it counts at all, i.e.
  is not zero). A count not above the stored one means a copy of the passkey or a replayed
  answer: it is refused and logged (reason `replayed`);
- a passkey answers only for the username that added it (log-in with a password, a
  session check, a removal look it up among that username's passkeys only);
- each event is written to the username's activity log in the same transaction.

Checks return a result instead of raising, so that a refusal's event is kept.
"""

from __future__ import annotations

import logging
import os
import re

from django.db import transaction
from django.utils import timezone
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestedCredentialData, AuthenticationResponse

from practicegate.accounts.models import User
from practicegate.accounts.selectors import log_account_of
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.twofactor import ceremony
from practicegate.twofactor.models import PasskeyDevice
from practicegate.twofactor.services import has_two_factor

logger = logging.getLogger("practicegate.twofactor")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

# Why a passkey was refused (the `reason` of twofactor.passkey_refused).
EXPIRED = "expired"  # no live challenge: it expired, was already answered, or was for another page
UNKNOWN = "unknown"  # not a passkey of this username
INVALID = "invalid"  # the WebAuthn checks failed (signature, site, challenge ...)
REPLAYED = "replayed"  # the sign count did not go up: a copied passkey or a replayed answer
DUPLICATE = "duplicate"  # adding a passkey that is already added
# Why an add or a removal did not happen (returned to the page, which says it plainly).
WRONG_PASSWORD = "password"
NEEDS_PASSKEY = "needs_passkey"  # the last second factor: the passkey must answer too


def passkeys_of(user):
    return PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "id")


def _credential(device: PasskeyDevice) -> AttestedCredentialData:
    return AttestedCredentialData(bytes(device.credential_data))


def _user_handle(user) -> str:
    """The username's WebAuthn id: random, shared by its passkeys (never its name or number)."""
    existing = PasskeyDevice.objects.filter(user=user).values_list("user_handle", flat=True).first()
    return existing or websafe_encode(os.urandom(32))


def registration_options(request, user) -> dict:
    """The options for the browser's navigator.credentials.create; the challenge is kept."""
    handle = _user_handle(user)
    options, state = ceremony.server(request).register_begin(
        {"id": websafe_decode(handle), "name": user.username, "displayName": user.username},
        [_credential(d) for d in passkeys_of(user)],  # the browser will not add one twice
        resident_key_requirement="required", user_verification="required")
    ceremony.keep(request, purpose=ceremony.ADD, user_id=user.pk, state={**state, "user_handle": handle})
    return dict(options)


def assertion_options(request, *, purpose: str, user=None) -> dict:
    """The options for navigator.credentials.get: the username's own passkeys, or (no username
    yet: log-in by passkey alone) any passkey of this site, with the person verified."""
    allowed = [_credential(d) for d in passkeys_of(user)] if user is not None else None
    verification = "required" if purpose == ceremony.PASSWORDLESS else "preferred"
    options, state = ceremony.server(request).authenticate_begin(allowed, user_verification=verification)
    ceremony.keep(request, purpose=purpose, user_id=user.pk if user is not None else None, state=state)
    return dict(options)


def _refuse(user, *, purpose: str, reason: str, context, device=None, signed_in: bool = False,
            extra: dict | None = None) -> None:
    detail = {"purpose": purpose, "reason": reason, **(extra or {})}
    if device is not None:
        detail["name"] = device.name
    record("twofactor.passkey_refused", account=log_account_of(user), actor=user if signed_in else None,
           actor_username=user.username, context=context, target=user, outcome=Outcome.FAILURE,
           detail=detail)
    if reason == REPLAYED:
        logger.warning("Passkey %s of %s refused: its sign count did not go up (%s)",
                       device.pk if device else "?", user.username, detail)


@transaction.atomic
def passkey_add(*, actor: User, name: str, password: str, credential: dict, server, state: dict | None,
                context=None) -> PasskeyDevice | str:
    """Add a passkey after the password and the browser's answer to the kept challenge.

    Return the new passkey, or why not (WRONG_PASSWORD, EXPIRED, INVALID, DUPLICATE; logged)."""
    if not actor.check_password(password):
        record("twofactor.password_failed", account=log_account_of(actor), actor=actor, context=context,
               target=actor, outcome=Outcome.FAILURE, detail={"purpose": "passkey_add"})
        return WRONG_PASSWORD
    if state is None:
        _refuse(actor, purpose=ceremony.ADD, reason=EXPIRED, context=context, signed_in=True)
        return EXPIRED
    try:
        auth_data = server.register_complete(state, credential)
    except Exception:  # noqa: BLE001 (any malformed or wrong answer is a refusal, never a 500)
        _refuse(actor, purpose=ceremony.ADD, reason=INVALID, context=context, signed_in=True)
        return INVALID
    data = auth_data.credential_data
    credential_id = websafe_encode(data.credential_id)
    if PasskeyDevice.objects.filter(credential_id=credential_id).exists():
        _refuse(actor, purpose=ceremony.ADD, reason=DUPLICATE, context=context, signed_in=True)
        return DUPLICATE
    device = PasskeyDevice.objects.create(
        user=actor, name=name, confirmed=True, credential_id=credential_id, credential_data=bytes(data),
        user_handle=state["user_handle"], sign_count=auth_data.counter)
    record("twofactor.passkey_added", account=log_account_of(actor), actor=actor, context=context,
           target=actor, detail={"name": name, "count": passkeys_of(actor).count()})
    return device


def _presented_id(credential) -> str:
    if not isinstance(credential, dict):
        return ""
    value = credential.get("rawId") or credential.get("id")
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value[:1400]):
        return ""
    return value[:1400]


@transaction.atomic
def owner_of(credential) -> User | None:
    """The active username whose passkey this answer claims to be (not yet checked)."""
    device = PasskeyDevice.objects.select_related("user").filter(
        credential_id=_presented_id(credential), confirmed=True, user__is_active=True).first()
    return device.user if device is not None else None


@transaction.atomic
def passkey_check(*, user: User | None, credential: dict, server, state: dict | None, purpose: str,
                  context=None) -> PasskeyDevice | None:
    """The passkey that answered the kept challenge, or None (the refusal logged).

    `user` is the username it must belong to; None for log-in by passkey alone, where the
    passkey names its username (its user handle must then match the one stored)."""
    found = PasskeyDevice.objects.select_for_update().select_related("user").filter(
        credential_id=_presented_id(credential), confirmed=True, user__is_active=True)
    if user is not None:
        found = found.filter(user=user)
    device = found.first()
    signed_in = purpose in (ceremony.SESSION, ceremony.REMOVE)
    if device is None:
        if user is not None:
            _refuse(user, purpose=purpose, reason=UNKNOWN, context=context, signed_in=signed_in)
        return None
    owner = device.user
    if state is None:
        _refuse(owner, purpose=purpose, reason=EXPIRED, context=context, device=device, signed_in=signed_in)
        return None
    try:
        answer = AuthenticationResponse.from_dict(credential)
        server.authenticate_complete(state, [_credential(device)], answer)
        handle = answer.response.user_handle
        if user is None and (handle is None or handle != websafe_decode(device.user_handle)):
            raise ValueError("the passkey names another username")
    except Exception:  # noqa: BLE001 (any malformed or wrong answer is a refusal, never a 500)
        _refuse(owner, purpose=purpose, reason=INVALID, context=context, device=device, signed_in=signed_in)
        return None
    count = answer.response.authenticator_data.counter
    if (count or device.sign_count) and count <= device.sign_count:
        _refuse(owner, purpose=purpose, reason=REPLAYED, context=context, device=device, signed_in=signed_in,
                extra={"sign_count": count, "stored_sign_count": device.sign_count})
        return None
    PasskeyDevice.objects.filter(pk=device.pk).update(sign_count=count, last_used_at=timezone.now())
    record("twofactor.passkey_used", account=log_account_of(owner), actor=owner, context=context,
           target=owner, detail={"purpose": purpose, "name": device.name})
    return device


def is_last_factor(user, device: PasskeyDevice) -> bool:
    """Whether removing this passkey would leave the username without any second factor."""
    return not has_two_factor(user) and not passkeys_of(user).exclude(pk=device.pk).exists()


@transaction.atomic
def passkey_remove(*, actor: User, device: PasskeyDevice, password: str, credential: dict | None = None,
                   server=None, state: dict | None = None, context=None) -> str | None:
    """Remove one of the username's passkeys after its password; the last second factor also
    needs a passkey's answer (a stolen open session and password alone cannot drop it).

    Return None once removed, else why not (WRONG_PASSWORD, NEEDS_PASSKEY, or the refusal)."""
    if device.user_id != actor.pk:
        raise ServiceError("That passkey is not one of yours.")
    if not actor.check_password(password):
        record("twofactor.password_failed", account=log_account_of(actor), actor=actor, context=context,
               target=actor, outcome=Outcome.FAILURE, detail={"purpose": "passkey_remove"})
        return WRONG_PASSWORD
    if is_last_factor(actor, device):
        if credential is None or server is None:
            return NEEDS_PASSKEY
        if passkey_check(user=actor, credential=credential, server=server, state=state,
                         purpose=ceremony.REMOVE, context=context) is None:
            return INVALID
    name = device.name
    device.delete()
    record("twofactor.passkey_removed", account=log_account_of(actor), actor=actor, context=context,
           target=actor, detail={"name": name, "remaining": passkeys_of(actor).count()})
    return None
