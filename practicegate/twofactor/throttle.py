"""Wrong codes count against the same django-axes limit as wrong passwords.

A failure is handed to axes' own failure handler for the username and the
client's IP, so AXES_FAILURE_LIMIT and AXES_COOLOFF_TIME apply to passwords
and codes together: five misses of either kind lock that pair for the cool-off,
axes sends its lock-out signal (logged as auth.lockout), and a correct log-in
clears the count as it does for passwords.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler


def _credentials(username: str) -> dict:
    return {"username": username}


def is_locked(request, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(username))


def count_failure(request, username: str, *, keep_response: bool = False) -> bool:
    """Count one failure; return whether the username+IP pair is now locked.

    Axes marks the request so its middleware swaps the response for the
    log-in lock-out page; `keep_response` undoes that for pages of a signed-in
    user, which show their own message instead.
    """
    AxesProxyHandler.user_login_failed(sender=__name__, credentials=_credentials(username), request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    if keep_response:
        request.axes_locked_out = False
    return locked
