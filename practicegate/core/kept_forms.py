"""Keep one posted form in the session while its sender enters the password again.

See core.reauth for why the form is kept server-side. One form at a time per session: a
newer one replaces it. It is bound to the username, the account and the exact path it
was posted to, it expires after KEEP_SECONDS, and `take` removes it from the stored
session before anything is done with it (a compare-and-swap on the session row, so two
requests that both loaded it cannot both take it): it is applied at most once. The values are encrypted with a key derived
from SECRET_KEY: the session row in the database never holds a typed password in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import QueryDict

from practicegate.core.params import all_values

SESSION_KEY = "pg_reauth_kept"
KEEP_SECONDS = 300  # long enough to type a password, short enough not to linger
NOT_KEPT = ("csrfmiddlewaretoken",)  # the resumed request brings its own token


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"practicegate.kept-forms:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keep(request) -> str:
    """Keep this POST's values for its path; return the handle the password page sends back."""
    values = all_values(request.POST, leave_out=NOT_KEPT)
    handle = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "id": handle,
        "path": request.path,
        "user": request.user.pk,
        "account": request.account.pk,
        "at": time.time(),
        "data": _fernet().encrypt(json.dumps(values).encode()).decode(),
    }
    return handle


def _valid(request, kept) -> bool:
    return (
        isinstance(kept, dict)
        and kept.get("user") == request.user.pk
        and request.account is not None
        and kept.get("account") == request.account.pk
        and 0 <= time.time() - float(kept.get("at", 0)) <= KEEP_SECONDS
    )


def _same(handle: str, kept) -> bool:
    # Bytes: compare_digest refuses non-ASCII text, and the handle comes from the request.
    return hmac.compare_digest(str(handle).encode(), str(kept.get("id", "")).encode())


def waiting(request, handle: str) -> str | None:
    """The path a kept form named by `handle` waits for, or None (dropping it if it expired)."""
    kept = request.session.get(SESSION_KEY)
    if kept is None:
        return None
    if not _valid(request, kept):
        drop(request)
        return None
    return kept["path"] if _same(handle, kept) else None


def take(request, handle: str) -> QueryDict | None:
    """Remove the kept form named by `handle` and return its values if it belongs here.

    It must have been posted by this username, in this account, to this very path, less than
    KEEP_SECONDS ago. A handle that names it on another path still removes it: a form offered
    to the wrong route is not offered again.
    """
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not _same(handle, kept):
        return None
    drop(request)
    if not _claimed(request.session, kept["id"]):
        return None  # another request with this session took it first
    if not _valid(request, kept) or kept.get("path") != request.path:
        return None
    try:
        values = json.loads(_fernet().decrypt(kept["data"].encode()))
    except (InvalidToken, KeyError, ValueError, AttributeError):
        return None
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, items)
    data._mutable = False
    return data


def _claimed(store, handle: str) -> bool:
    """Remove the kept form from the stored session row, only if it is still there."""
    if not isinstance(store, DatabaseSessionStore) or store.session_key is None:
        store.save()  # other stores: gone from the store now, before the action runs
        return True
    row = store.model.objects.filter(session_key=store.session_key).first()
    if row is None:
        return False
    stored = store.decode(row.session_data)
    kept = stored.pop(SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("id") != handle:
        return False
    # Compare-and-swap: the row changes only if nobody wrote it since we read it.
    return store.model.objects.filter(session_key=store.session_key, session_data=row.session_data).update(
        session_data=store.encode(stored)) == 1


def drop(request) -> None:
    request.session.pop(SESSION_KEY, None)
