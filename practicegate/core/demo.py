"""The demo group practice that `practicegate demo` (and `make run`) builds once, part by part.

Each app contributes a part by registering it in its AppConfig.ready(); core runs the parts in
an order their `after` names fix, so core imports no app and no app is named by a string path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

Credential = tuple[str, str, str]  # (username, password, what it opens), printed on purpose


@dataclass(frozen=True)
class DemoPart:
    """One app's share of the demo.

    `build(accounts)` adds the app's rows to the demo accounts and returns the log-ins it made.
    The part that makes the accounts fills the list it is given (the others come after it).
    `credentials` are the log-ins printed when the demo is already there; `exists` (on the part
    that makes the accounts) says whether it is.
    """

    name: str
    build: Callable[[list], Iterable[Credential] | None]
    credentials: tuple[Credential, ...] = ()
    after: tuple[str, ...] = ()
    exists: Callable[[], bool] | None = None


_PARTS: dict[str, DemoPart] = {}


def register_demo_part(part: DemoPart) -> None:
    if part.name in _PARTS:
        raise ValueError(f"demo part {part.name!r} is registered twice")
    _PARTS[part.name] = part


def demo_parts() -> list[DemoPart]:
    """The registered parts, each after the parts it names; otherwise in registration order."""
    ordered: list[DemoPart] = []
    placed: set[str] = set()
    waiting = list(_PARTS.values())
    while waiting:
        ready = next((p for p in waiting if placed.issuperset(p.after)), None)
        if ready is None:
            missing = {name: sorted(set(p.after) - placed) for p, name in ((p, p.name) for p in waiting)}
            raise ValueError(f"demo parts wait on parts never registered or on each other: {missing}")
        ordered.append(ready)
        placed.add(ready.name)
        waiting.remove(ready)
    return ordered


def demo_exists() -> bool:
    return any(part.exists() for part in demo_parts() if part.exists is not None)


@transaction.atomic
def build_demo() -> list[Credential]:
    """Build every part of the demo; return (username, password, what it opens) for printing."""
    accounts: list = []
    credentials: list[Credential] = []
    for part in demo_parts():
        credentials.extend(part.build(accounts) or [])
    _update_planner_statistics()
    return credentials


def demo_credentials() -> list[Credential]:
    return [credential for part in demo_parts() for credential in part.credentials]


def _update_planner_statistics() -> None:
    """PostgreSQL: ANALYZE after the bulk load, as after any restore. Until autovacuum gets to it
    (a minute or more later), the planner takes the new tables for nearly empty and picks plans
    for a few rows: a diagnosis code list sorted 871 codes to show 50 instead of reading its index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
