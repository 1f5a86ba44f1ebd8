"""The one registry of activity-log action codes. `record()` refuses any other code."""

from __future__ import annotations

ACTIONS: dict[str, str] = {}
# The Action filter's groups, by the code's first word (apps add theirs with register_group).
GROUPS: dict[str, str] = {}
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


def register_group(prefix: str, label: str) -> None:
    """Name the group of the Action filter that holds the codes starting with `prefix.`."""
    GROUPS[prefix] = label


def group_of(code: str) -> str:
    return GROUPS.get(code.split(".", 1)[0], "Other")


def grouped_actions() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(code, label), ...]), ...]: groups by name, actions by label."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in ACTIONS.items():
        groups.setdefault(group_of(code), []).append((code, label))
    return [(name, sorted(groups[name], key=lambda item: item[1])) for name in sorted(groups)]


def a_or_an(noun: str) -> str:
    """The noun with its article: "an insurance payer", "a diagnosis code", "a username"."""
    first = noun.split()[0].lower()
    vowel_sound = first[0] in "aeiou" and not first.startswith(("us", "un", "one", "eu"))
    return f"{'an' if vowel_sound or first.startswith(('hour', 'honest')) else 'a'} {noun}"


def crud_of(code: str) -> str:
    if code in CRUD:
        return CRUD[code]
    last = code.rsplit(".", 1)[-1]
    for words, letter in _SUFFIX_CRUD:
        if any(last == w or last.startswith(w + "_") or last.endswith("_" + w) for w in words):
            return letter
    return "E"  # log-in, log-out, switching: functions performed, not data touched


register_group("auth", "Signing in and passwords")
register_group("access", "Pages and refusals")
register_group("page", "Pages and refusals")
register_group("phi", "Pages and refusals")
register_group("account", "Account Access")
register_group("audit", "Activity Log")

# Each label completes a sentence whose subject is the username column: "sunrise: Signed in".
# Authentication and sessions
register("auth.signup", "Created a provider account", crud="C")
register("auth.login", "Signed in")
register("auth.login_failed", "Failed to sign in")
register("auth.lockout", "Was locked out after repeated failed sign-ins")
register("auth.logout", "Signed out")
register("auth.session_expired", "Was signed out when the session expired")
register("auth.password_change", "Changed the password", crud="U")
register("auth.password_reset_request", "Asked for a password reset e-mail")
register("auth.password_reset", "Reset the password from an e-mail link", crud="U")
# Access control
register("access.denied", "Was refused for lack of access")
register("access.not_found", "Asked for a page that was not found (no such page, or not theirs)")
register("account.switch", "Switched to this account")
register("page.view", "Opened a page")
register("account.update", "Changed the account settings")
# Protected health information: every read of a page that shows PHI
register("phi.view", "Viewed protected health information", crud="R")
# The activity log itself
register("audit.export", "Exported the activity log", crud="R")
register("audit.ship", "Sent the activity log to a log collector", crud="R")
register("audit.key_rotate", "Replaced the activity-log signing key", crud="U")
