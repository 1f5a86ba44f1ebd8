"""The one registry of activity-log action codes. `record()` refuses any other code."""

from __future__ import annotations

ACTIONS: dict[str, str] = {}
# FHIR AuditEvent.action of each code: C create, R read, U update, D delete, E execute.
CRUD: dict[str, str] = {}
_SUFFIX_CRUD = (
    (("create", "add", "signup", "join", "import", "copy", "allow"), "C"),
    (("update", "change", "edit", "rename", "reset", "enable", "disable", "privileges"), "U"),
    (("delete", "remove", "leave", "revoke"), "D"),
    (("view", "read", "list", "export", "download", "search"), "R"),
)


def register(code: str, label: str, *, crud: str | None = None) -> str:
    """Add an action code; `crud` overrides the FHIR action guessed from the code's last word."""
    if crud is not None and crud not in "CRUDE":
        raise ValueError(f"crud must be one of C, R, U, D, E, not {crud!r}")
    ACTIONS[code] = label
    if crud:
        CRUD[code] = crud
    return code


def crud_of(code: str) -> str:
    if code in CRUD:
        return CRUD[code]
    last = code.rsplit(".", 1)[-1]
    for words, letter in _SUFFIX_CRUD:
        if any(last == w or last.startswith(w + "_") or last.endswith("_" + w) for w in words):
            return letter
    return "E"  # log-in, log-out, switching: functions performed, not data touched


# Authentication and sessions
register("auth.signup", "Created a provider account", crud="C")
register("auth.login", "Signed in")
register("auth.login_failed", "Failed sign-in")
register("auth.lockout", "Locked out after repeated failures")
register("auth.logout", "Signed out")
register("auth.session_expired", "Session expired")
register("auth.password_change", "Changed password", crud="U")
register("auth.password_reset_request", "Asked for a password reset e-mail")
register("auth.password_reset", "Reset password from e-mail link", crud="U")
# Access control
register("access.denied", "Request refused for missing access")
register("access.not_found", "Request answered 'not found' (no such page, or not yours)")
register("account.switch", "Switched to this account")
register("page.view", "Opened a page")
register("account.update", "Changed account settings")
# Protected health information: every read of a page that shows PHI
register("phi.view", "Viewed protected health information", crud="R")
# The activity log itself
register("audit.export", "Exported the activity log", crud="R")
register("audit.ship", "Shipped the activity log to a log collector", crud="R")
register("audit.key_rotate", "Rotated the activity-log signing key", crud="U")
