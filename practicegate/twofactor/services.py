"""Two-factor log-in: turning it on and off, recovery codes, checking codes, the account rule.

Each change writes its activity-log event in the same transaction. A failed
code is logged too, so checks return a result instead of raising (an exception
would roll the failure's event back with everything else).
"""

from __future__ import annotations

import math
import time

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from practicegate.accounts.models import Account, User
from practicegate.accounts.selectors import log_account_of
from practicegate.audit.models import Channel, Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.twofactor import recovery
from practicegate.twofactor.hashing import hash_code
from practicegate.twofactor.models import PasskeyDevice, RecoveryCode, RecoveryCodeDevice

TOTP_NAME = "Authenticator app"
# Sent when an account starts or stops requiring two-factor log-in (kwargs: account, required, actor,
# context), inside the change's transaction: higher layers (owner notices) listen without this app
# importing them.
requirement_changed = Signal()


def _log_account(user):
    return log_account_of(user)


def has_two_factor(user) -> bool:
    """Whether the username has a confirmed authenticator (TOTP) device."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_passkey(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return PasskeyDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user) -> bool:
    """Whether log-in asks this username for a second factor: an authenticator app or a passkey."""
    return has_two_factor(user) or has_passkey(user)


def users_with_two_factor(user_ids) -> set[int]:
    """Of these user ids, those with two-factor log-in on: an authenticator app or a passkey
    (one query, for member lists).

    `user_ids` may be a query of ids (`.values("user_id")`): it then runs as a subquery, so a list
    of 500 usernames does not send 500 parameters."""
    ids = user_ids if isinstance(user_ids, QuerySet) else list(user_ids)
    totp = TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    passkey = PasskeyDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    return set(totp.union(passkey))


def recovery_codes_left(user) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    return device.codes_left() if device else 0


def wait_seconds(user, code: str) -> int:
    """Seconds before django-otp's back-off (1, 2, 4... s after wrong codes in a row) lets an
    authenticator code be tried again; 0 for a recovery code or when no wait is due."""
    if recovery.normalize_totp_code(code) is None:
        return 0
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            return max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
    return 0


def reused_step_wait(user, code: str) -> int:
    """Seconds until the next time step when `code` is right but its step was already used
    (django-otp refuses a replay); 0 when the code is simply wrong or a recovery code."""
    totp = recovery.normalize_totp_code(code)
    if totp is None:
        return 0
    now = timezone.now().timestamp()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.last_t is None or device.last_t < 0:
            continue
        check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        check.time = now
        for offset in range(-device.tolerance, device.tolerance + 1):
            check.drift = device.drift + offset
            if check.token() == int(totp) and check.t() <= device.last_t:
                return max(1, math.ceil(device.t0 + (device.last_t + 1) * device.step - now))
    return 0


def _match(user, code: str):
    """The device that accepts `code` (consuming it), or None. Caller holds a transaction."""
    totp = recovery.normalize_totp_code(code)
    if totp is not None:
        # Row lock: two requests with one code cannot both pass django-otp's last_t check.
        for device in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(totp):  # refuses a time step already used (replay)
                return device
        return None
    spare = recovery.normalize_recovery_code(code)
    if spare is not None:
        device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(spare):
            return device
    return None


def _log_recovery_use(user, device, *, context, purpose: str) -> None:
    record("twofactor.recovery_code_used", account=_log_account(user), actor=user, context=context,
           target=user, actor_username=user.username,
           detail={"purpose": purpose, "codes_left": device.codes_left()})


@transaction.atomic
def verify_code(user, code: str, *, context=None, purpose: str = "join"):
    """Check a TOTP or recovery code for the username; return the matching device or None.

    A TOTP code of a time step already used is refused (django-otp's last_t); a
    recovery code is consumed, and its use is logged here. A failure is not
    logged: the caller knows what was being attempted and logs that.
    """
    if not isinstance(code, str) or len(code) > 64 or not has_two_factor(user):
        return None
    device = _match(user, code)
    if isinstance(device, RecoveryCodeDevice):
        _log_recovery_use(user, device, context=context, purpose=purpose)
    return device


@transaction.atomic
def code_check(*, user, code: str, context=None, purpose: str):
    """verify_code, with a failed code logged (log-in, session check, changes to two-factor)."""
    device = verify_code(user, code, context=context, purpose=purpose)
    if device is None:
        record("twofactor.code_failed", account=_log_account(user), actor=None, context=context,
               actor_username=user.username, target=user, outcome=Outcome.FAILURE,
               detail={"purpose": purpose})
    return device


def setup_key_new() -> str:
    """A new authenticator secret (hex, as django-otp stores it). Nothing is written: the
    set-up page keeps it in the server-side session until the first code confirms it."""
    return random_hex(20)


def setup_device(user, key: str) -> TOTPDevice:
    """The device the set-up page shows (for its QR code and secret): not saved."""
    return TOTPDevice(user=user, name=TOTP_NAME, key=key, confirmed=False)


def _first_code_matches(device: TOTPDevice, code: str) -> bool:
    """Check the first code without touching the database (django-otp's verify_token saves)."""
    totp = recovery.normalize_totp_code(code)
    if totp is None:
        return False
    check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    check.time = time.time()
    if not check.verify(int(totp), device.tolerance):
        return False
    device.last_t = check.t()  # this step is used up: log-in needs the next code
    return True


def _new_recovery_codes(user) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [recovery.new_recovery_code() for _ in range(recovery.COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=hash_code(c)) for c in codes)
    return codes


@transaction.atomic
def two_factor_enable(*, actor: User, key: str, code: str, password: str, context=None) -> list[str] | None:
    """Turn two-factor log-in on: the password, then the first code of the secret shown at
    set-up; save the device and return the new recovery codes, or None (each miss logged)."""
    if has_two_factor(actor):
        raise ServiceError("Two-factor log-in is already on for this username.")
    if not actor.check_password(password):
        record("twofactor.password_failed", account=_log_account(actor), actor=actor, context=context,
               target=actor, outcome=Outcome.FAILURE, detail={"purpose": "setup"})
        return None
    try:
        device = setup_device(actor, key)
        device.bin_key  # noqa: B018 (a key that is not hex is refused like a wrong code)
    except (TypeError, ValueError):
        device = None
    if device is None or not _first_code_matches(device, code):
        record("twofactor.code_failed", account=_log_account(actor), actor=actor, context=context,
               target=actor, outcome=Outcome.FAILURE, detail={"purpose": "setup"})
        return None
    TOTPDevice.objects.filter(user=actor).delete()  # set-ups left half-done by older versions
    device.confirmed = True
    device.save()
    codes = _new_recovery_codes(actor)
    record("twofactor.enable", account=_log_account(actor), actor=actor, context=context, target=actor,
           detail={"method": "totp", "recovery_codes": len(codes)})
    return codes


def _reauthenticate(actor: User, *, password: str, code: str, context, purpose: str):
    """Password, then code: the device that passed, or None (each failure logged)."""
    if not actor.check_password(password):
        record("twofactor.password_failed", account=_log_account(actor), actor=actor, context=context,
               target=actor, outcome=Outcome.FAILURE, detail={"purpose": purpose})
        return None
    return code_check(user=actor, code=code, context=context, purpose=purpose)


@transaction.atomic
def two_factor_disable(*, actor: User, password: str, code: str, context=None) -> bool:
    """Turn two-factor log-in off after the password and a current (or recovery) code."""
    if not has_two_factor(actor):
        raise ServiceError("Two-factor log-in is not on for this username.")
    if _reauthenticate(actor, password=password, code=code, context=context, purpose="disable") is None:
        return False
    TOTPDevice.objects.filter(user=actor).delete()
    RecoveryCodeDevice.objects.filter(user=actor).delete()
    record("twofactor.disable", account=_log_account(actor), actor=actor, context=context, target=actor)
    return True


@transaction.atomic
def recovery_codes_regenerate(*, actor: User, password: str, code: str, context=None) -> list[str] | None:
    """Replace every recovery code (the old ones stop working) after the password and a code."""
    if not has_two_factor(actor):
        raise ServiceError("Two-factor log-in is not on for this username.")
    if _reauthenticate(actor, password=password, code=code, context=context, purpose="regenerate") is None:
        return None
    codes = _new_recovery_codes(actor)
    record("twofactor.recovery_codes_regenerated", account=_log_account(actor), actor=actor,
           context=context, target=actor, detail={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def verified_session_mark(*, actor: User, device, context) -> None:
    """Log that this already signed-in session proved a code (an account asked for it)."""
    record("twofactor.verify", account=_log_account(actor), actor=actor, context=context, target=actor,
           detail={"method": _method(device)})


def _method(device) -> str:
    if isinstance(device, RecoveryCodeDevice):
        return "recovery"
    return "passkey" if isinstance(device, PasskeyDevice) else "totp"


class OwnerOnly(ServiceError):
    """Only the account's owner may change its two-factor requirement (already logged)."""


@transaction.atomic
def _requirement_refusal_record(*, actor: User, account: Account, required: bool, context) -> None:
    record("access.denied", account=account, actor=actor, context=context, section="settings",
           outcome=Outcome.DENIED, target=account,
           detail={"reason": "owner_only", "change": "two_factor_requirement", "required": required})


def account_requirement_set(*, actor: User, account: Account, required: bool, context=None) -> bool:
    """Require (or stop requiring) two-factor log-in of every username in the account.

    Only the account's owner may (the README promises it): anyone else is refused with
    OwnerOnly, and the refusal is logged. The one turning it on must have it on and be
    verified in this session, so an owner never locks the account on themselves by a
    click. Return whether it changed.
    """
    if account.owner_id != actor.pk:
        _requirement_refusal_record(actor=actor, account=account, required=required, context=context)
        raise OwnerOnly(f"Only the account's owner ({account.owner.username}) can change whether "
                        "two-factor log-in is required.")
    return _requirement_apply(actor=actor, account=account, required=required, context=context)


@transaction.atomic
def _requirement_apply(*, actor: User, account: Account, required: bool, context) -> bool:
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.owner_id != actor.pk:  # ownership moved since the check above
        raise ServiceError("Only the account's owner can change whether two-factor log-in is required.")
    changed = account.require_two_factor != required
    if changed and required and not (has_second_factor(actor) and _is_verified(context, actor)):
        raise ServiceError("Turn on two-factor log-in for your own username first.")
    if changed:
        account.require_two_factor = required
        account.save(update_fields=["require_two_factor"])
        # Heard by the access app (owner notices), inside this transaction.
        requirement_changed.send(sender=Account, account=account, required=required, actor=actor, context=context)
    # A save that changes nothing is still an action someone took: log it as such.
    record("twofactor.requirement_on" if required else "twofactor.requirement_off", account=account,
           actor=actor, context=context, section="settings", target=account, detail={"changed": changed})
    return changed


def _is_verified(context, user) -> bool:
    if context is None or context.channel != Channel.WEB:
        return has_second_factor(user)  # CLI or a test without a session: the device is what counts
    checker = getattr(user, "is_verified", None)  # django-otp marks the session's user
    return bool(checker and checker())
