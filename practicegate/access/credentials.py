"""Check credentials: another account's for Find Account, one's own for the confirm page.

Find Account (`find_credentials_check`) checks the password through the username
backend directly, not through `authenticate()`: django-axes does not count it and no
anonymous `auth.login_failed` is written. Its misses are counted by its own throttle
(access.throttle: the signed-in username + the typed username) and logged, with who
tried and from which account, in the typed username's own account.

The confirm-password page (`check_credentials`) checks the signed-in username's own
password exactly as log-in does, through `authenticate()` and its counter.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core import signing

from practicegate.access import throttle as find_throttle
from practicegate.access.services import find_failure_record
from practicegate.accounts.backends import UsernameBackend
from practicegate.audit.context import audit_context
from practicegate.twofactor.services import has_passkey, has_two_factor, verify_code

BAD_CREDENTIALS = "That username and password do not match an account you can join. Please try again."
LOCKED = ("Too many failed attempts for that username from your network. Please wait {minutes} minutes "
          "and try again.")


@dataclass
class CredentialCheck:
    user: object | None = None
    reason: str = ""  # for the activity log: bad_credentials, locked, inactive, two_factor_*
    message: str = ""
    needs_code: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def _locked(request) -> bool:
    if getattr(request, "axes_locked_out", False):
        # We show our own message on this page; AxesMiddleware would swap in the log-in page.
        request.axes_locked_out = False
        return True
    return False


def _inactive_with_right_password(username: str, password: str) -> bool:
    """A deactivated username typed with its right password: say so rather than 'wrong password'.

    Only reached after authenticate() failed (and was counted), so it reveals nothing
    to someone who does not already know the password.
    """
    user = get_user_model().objects.named(username).filter(is_active=False).first()
    return user is not None and user.check_password(password)


def check_credentials(request, *, username: str, password: str, code: str = "",
                      second_factor: bool = True) -> CredentialCheck:
    """Authenticate a username's password (and its two-factor code when it has one)."""
    user = authenticate(request, username=username, password=password)
    if _locked(request):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return CredentialCheck(reason="locked", message=LOCKED.format(minutes=minutes))
    if user is None:
        if _inactive_with_right_password(username, password):
            return CredentialCheck(reason="inactive", message="That username is no longer active.")
        return CredentialCheck(reason="bad_credentials", message=BAD_CREDENTIALS)
    if second_factor and has_two_factor(user):
        if not code:
            return CredentialCheck(reason="two_factor_missing", needs_code=True,
                                   message="That username uses two-factor log-in. Enter its current code too.")
        if verify_code(user, code) is None:
            # A wrong second factor is a failed log-in: count it the same way.
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
            if _locked(request):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                return CredentialCheck(reason="locked", message=LOCKED.format(minutes=minutes))
            return CredentialCheck(reason="two_factor_wrong", needs_code=True,
                                   message="That two-factor code is not right. Please try again.")
    return CredentialCheck(user=user)


PASSKEY_ONLY = ("That username logs in with a passkey, which cannot be checked on this page. Ask someone "
                "with Full Access on Account Access there to use Allow Account Access instead.")

FIND_LOCKED = ("Too many failed attempts to find that account. Please wait {minutes} minutes and try "
               "again.")


def _find_locked_message() -> str:
    return FIND_LOCKED.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def _known(username: str):
    return get_user_model().objects.filter(username__iexact=str(username)[:150]).first()


def _find_failure(request, username: str, reason: str, message: str, *, needs_code: bool = False):
    """Count and log a miss; the typed username's account learns who tried, from where."""
    locked = find_throttle.count_failure(request.user, username)
    target = _known(username)
    if target is not None:
        find_failure_record(actor=request.user, credential_user=target, from_account=request.account,
                            reason=reason, locked=locked, context=audit_context(request))
    if locked:
        return CredentialCheck(reason="locked", message=_find_locked_message())
    return CredentialCheck(reason=reason, message=message, needs_code=needs_code)


def find_credentials_check(request, *, username: str, password: str, code: str = "") -> CredentialCheck:
    """Find Account: the password (and two-factor code) of another username, throttled apart
    from log-in."""
    if find_throttle.is_locked(request.user, username):
        return CredentialCheck(reason="locked", message=_find_locked_message())
    user = UsernameBackend().authenticate(request, username=username, password=password)
    if user is None:
        if _inactive_with_right_password(username, password):
            return _find_failure(request, username, "inactive", "That username is no longer active.")
        return _find_failure(request, username, "bad_credentials", BAD_CREDENTIALS)
    if not has_two_factor(user) and has_passkey(user):
        # Passkeys: a passkey answers only on its own site's log-in, so it cannot be checked here.
        return CredentialCheck(reason="passkey_only", message=PASSKEY_ONLY)
    if has_two_factor(user):
        if not code:
            return CredentialCheck(reason="two_factor_missing", needs_code=True,
                                   message="That username uses two-factor log-in. Enter its current code too.")
        if verify_code(user, code) is None:
            return _find_failure(request, username, "two_factor_wrong",
                                 "That two-factor code is not right. Please try again.", needs_code=True)
    find_throttle.clear(request.user, username)
    return CredentialCheck(user=user)


# --- Carrying the found account from Find Account to Join Account -----------------------------
# The confirmation page posts back a signed, five-minute token naming the account and
# the credentials' username; it is bound to this session by a one-time nonce and to the
# joiner and the account it was found from. Join Account re-checks everything it names.

FOUND_SALT = "practicegate.access.found-account"
FOUND_MAX_AGE = 300
_NONCE_KEY = "pg_join_nonce"


def found_token_make(request, *, account, credential_user) -> str:
    nonce = secrets.token_urlsafe(16)
    request.session[_NONCE_KEY] = nonce
    payload = {"a": account.pk, "c": credential_user.pk, "u": request.user.pk,
               "f": request.account.pk if request.account else None, "n": nonce}
    return signing.dumps(payload, salt=FOUND_SALT, compress=True)


def found_token_read(request, token: str) -> dict | None:
    """The token's payload if it is genuine, fresh, this session's and this joiner's; else None.

    The nonce is used up: a token works once.
    """
    try:
        payload = signing.loads(str(token)[:1000], salt=FOUND_SALT, max_age=FOUND_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    nonce = request.session.pop(_NONCE_KEY, None)
    if not isinstance(payload, dict) or not nonce or payload.get("n") != nonce:
        return None
    if payload.get("u") != request.user.pk:
        return None
    if payload.get("f") != (request.account.pk if request.account else None):
        return None
    return payload
