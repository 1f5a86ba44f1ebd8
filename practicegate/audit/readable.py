"""Events as people read them on the Activity Log and My Activity.

What a page shows of an event, beside its action's label:

- its target by what it is (a username, a diagnosis code, a client's name) rather than
  `accounts.user 7`: each app that names targets registers a provider for its target
  types, called once per page with all of the page's events of those types (one query
  per type at most), which also decides what this viewer may see (a client's name needs
  View Only on Clients in the event's account);
- its detail as lines a person understands: keys in words, levels by name, a change of
  levels as "View Only → No Access"; keys nobody gave words to (digests, lengths, ids,
  versions) go under "Technical details", with the action's code.

The exports keep the codes and the raw detail (exports.py, fhir.py).

    register_targets("client", provider)
    # provider(request, events) -> {event id: Target(text, url="", client_id=None)}
    register_keys({"rows": "rows in the file"})
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from practicegate.audit.lines import add_lines
from practicegate.core.localtime import day_text
from practicegate.core.sections import BY_KEY, Level

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Target:
    """What an event's target is, in words; `client_id` marks a client named on the page (PHI)."""

    text: str
    url: str = ""
    hidden: bool = False  # the viewer may not see what it is (the text says why)
    client_id: int | None = None


_TARGETS: dict[str, Callable] = {}
# Target types that need no lookup: what they are, in words.
TARGET_NOUNS: dict[str, str] = {"activity_log": "the activity log (clients named on it)"}

# Detail keys in words. A key not here is technical: shown only under "Technical details".
KEY_LABELS: dict[str, str] = {
    # pages and refusals
    "path": "page", "to_path": "went on to", "needed": "needed", "has": "had",
    "reason": "reason", "where": "where",
    # usernames, joining, privileges
    "username": "username", "via": "joined with", "credentials_of": "username and password of",
    "joined": "account joined", "found": "account found", "from_account": "from account",
    "locked": "locked out", "deactivated": "username turned off (no account left)",
    "expires_hours": "expires after (hours)", "levels": "privileges", "levels_before": "privileges before",
    "role": "this account was", "files": "files", "replace_different": "replaced different rows",
    # settings and two-factor log-in
    "fields": "fields", "changed": "changed", "required": "required", "change": "change",
    "purpose": "for", "codes_left": "recovery codes left", "recovery_codes": "recovery codes made",
    # imports, exports, copies
    "rows": "rows", "added": "added", "existing": "already there", "new": "new", "bad_rows": "rows with errors",
    "refused": "refused", "previews_removed": "earlier previews removed", "preset": "code set",
    "offered": "codes offered", "format": "format", "count": "events", "filters": "filters used",
    "status": "status", "events": "events", "chains": "accounts",
    # edits merged or refused
    "merged": "merged", "fields_saved": "fields saved", "fields_kept": "fields kept from the other change",
    "merged_with": "merged with the change of", "conflict": "stopped by a conflict", "line": "line",
    "fields_both": "fields both changed",
    # clients
    "tab": "page", "shown": "clients shown", "more": "more not shown", "search": "search by",
    "words": "words searched", "accounts_searched": "accounts searched",
}
# Keys whose value is a {section: level} dict.
LEVEL_KEYS = {"levels", "levels_before"}
# Values that are codes, in words.
VALUE_WORDS: dict[str, str] = {
    "member": "in this account", "not_member": "outside this account", "two_factor_required":
    "two-factor log-in required", "owner_only": "only the owner may do this", "join_code": "a join code",
    "credentials": "a username and password", "destination": "copied to", "source": "copied from",
    "totp": "an authenticator app", "recovery": "a recovery code", "csv": "CSV", "fhir": "FHIR (NDJSON)",
}


def register_targets(target_type: str, provider: Callable) -> None:
    _TARGETS[target_type] = provider  # by type: registering again (a reloaded app) replaces it


def register_target_noun(target_type: str, noun: str) -> None:
    TARGET_NOUNS[target_type] = noun


def register_keys(labels: dict[str, str]) -> None:
    KEY_LABELS.update(labels)


def level_name(value) -> str:
    try:
        return Level(int(value)).label
    except (TypeError, ValueError):
        return str(value)


def _as_day(value: str) -> str:
    """A date kept in a detail as ISO 8601 (2026-12-07) reads as the pages show dates (12/07/2026)."""
    if ISO_DAY.fullmatch(value):
        try:
            return day_text(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _words(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        if value in BY_KEY:
            return BY_KEY[value].label
        if ISO_DAY.fullmatch(value):
            return _as_day(value)
        return VALUE_WORDS.get(value, value.replace("_", " ") if " " not in value else value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(item) for item in value) or "none"
    if isinstance(value, float):
        return f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def _is_levels(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(key in BY_KEY for key in value)


def _levels_text(levels: dict) -> str:
    """{"clients": 2, "billing": 0} -> "Full Access: Clients; No Access: Billing" (sections in menu order)."""
    by_level: dict[str, list[str]] = {}
    for key, section in BY_KEY.items():
        if key in levels:
            by_level.setdefault(level_name(levels[key]), []).append(section.label)
    order = [Level.FULL.label, Level.VIEW.label, Level.NONE.label]
    named = sorted(by_level, key=lambda name: order.index(name) if name in order else len(order))
    return "; ".join(f"{name}: {', '.join(by_level[name])}" for name in named)


def _flat(value, prefix: str):
    """Nested dicts as "outer › inner" keys, section keys by name."""
    if isinstance(value, dict) and value and not _is_levels(value):
        for key in sorted(value, key=str):
            name = BY_KEY[key].label if key in BY_KEY else KEY_LABELS.get(key, str(key).replace("_", " "))
            yield from _flat(value[key], f"{prefix} › {name}" if prefix else name)
    elif _is_levels(value):
        yield prefix, _levels_text(value)
    else:
        yield prefix, _words(value)


def detail_lines(detail: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(lines for people, technical lines) of an event's detail."""
    detail = dict(detail or {})
    plain: list[tuple[str, str]] = []
    technical: list[tuple[str, str]] = []
    before, after = detail.get("before"), detail.get("after")
    if _is_levels(before) and _is_levels(after):  # a change of privileges: only what changed, by name
        detail.pop("before"), detail.pop("after"), detail.pop("changed", None)
        changes = [(section.label, f"{level_name(before.get(key))} → {level_name(after.get(key))}")
                   for key, section in BY_KEY.items() if before.get(key) != after.get(key)]
        plain += changes or [("privileges", "no change")]
    for key in sorted(detail, key=str):
        value = detail[key]
        if key in KEY_LABELS:
            plain += list(_flat(value, KEY_LABELS[key]))
        else:
            technical += [(k, v) for k, v in _flat_raw(value, str(key))]
    if "username" in detail:  # the username first, then the rest
        plain.sort(key=lambda line: line[0] != KEY_LABELS["username"])
    return plain, technical


def _flat_raw(value, prefix: str):
    if isinstance(value, dict) and value:
        for key in sorted(value, key=str):
            yield from _flat_raw(value[key], f"{prefix}.{key}")
    else:
        yield prefix, _as_day(value) if isinstance(value, str) else _words(value) if isinstance(value, bool) else str(value)


def _fallback(event) -> Target | None:
    if not event.target_type and not event.target_id:
        return None
    noun = TARGET_NOUNS.get(event.target_type) or event.target_type.rsplit(".", 1)[-1].replace("_", " ")
    return Target(f"{noun} {event.target_id}".strip() if event.target_id else noun)


def prepare(request, events: list) -> list:
    """Set each event's `shown_target`, `plain_lines`, `technical_lines` and `extra_lines`;
    return the events whose target names a client on this page (a PHI read to log)."""
    add_lines(request, events)
    by_type: dict[str, list] = {}
    for event in events:
        event.plain_lines, event.technical_lines = detail_lines(event.detail)
        event.shown_target = _fallback(event)
        if event.target_type in _TARGETS:
            by_type.setdefault(event.target_type, []).append(event)
    by_id = {event.pk: event for event in events}
    for target_type, of_type in by_type.items():
        for pk, target in _TARGETS[target_type](request, of_type).items():
            by_id[pk].shown_target = target
    return [event for event in events
            if event.shown_target is not None and event.shown_target.client_id is not None]
