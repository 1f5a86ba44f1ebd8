"""The one registry of activity-log action codes. `record()` refuses any other code."""

from __future__ import annotations

ACTIONS: dict[str, str] = {}


def register(code: str, label: str) -> str:
    ACTIONS[code] = label
    return code


# Authentication and sessions
register("auth.signup", "Created a provider account")
register("auth.login", "Signed in")
register("auth.login_failed", "Failed sign-in")
register("auth.lockout", "Locked out after repeated failures")
register("auth.logout", "Signed out")
register("auth.session_expired", "Session expired")
register("auth.password_change", "Changed password")
register("auth.password_reset_request", "Asked for a password reset e-mail")
register("auth.password_reset", "Reset password from e-mail link")
# Access control
register("access.denied", "Request refused for missing access")
register("account.switch", "Switched to this account")
register("page.view", "Opened a page")
register("account.update", "Changed account settings")
# Protected health information: every read of a page that shows PHI
register("phi.view", "Viewed protected health information")
