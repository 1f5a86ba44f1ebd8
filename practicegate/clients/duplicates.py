"""When two client records may be one person: the one rule, shared by the pages and the CSV import.

Two clients are "maybe the same person" when their folded names (last and first name, case
and accents ignored: "Zoe Martinez" is "Zoë Martínez") and their dates of birth are equal.
The folded name is what the services store as the client's sort_key, so a match is one
indexed lookup, and only ever among the clients of one account: another account's clients
are never looked at, never shown.

- The CSV import (imports.ClientImporter) leaves such rows alone and reports them, and
  refuses a file that holds the same person twice (csvio).
- Add Client and Edit Demographics (services.client_create, client_update) refuse to save a
  client who matches another until the user says "This is a different person" for exactly
  the clients shown; the save then writes `client.duplicate_confirmed` naming their numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from practicegate.clients.models import Client, ClientCounter
from practicegate.core import text
from practicegate.core.errors import ServiceError

NAME_KEY_LENGTH = 210  # Client.sort_key's length


def name_key(first_name: str, last_name: str) -> str:
    """The folded "last first" name: equal for "Zoe Martinez" and "ZOË MARTÍNEZ" (the stored sort_key)."""
    return text.fold(f"{last_name} {first_name}")[:NAME_KEY_LENGTH]


def identity(first_name: str, last_name: str, birth_date) -> tuple[str, object]:
    """What makes two records maybe the same person: the folded name and the date of birth."""
    return name_key(first_name, last_name), birth_date


def known_identities(account) -> set[tuple[str, object]]:
    """The identities of every client of `account` (what an import compares its rows with)."""
    return set(Client.objects.filter(account=account).values_list("sort_key", "birth_date"))


def same_person(account, *, first_name: str, last_name: str, birth_date, exclude_pk=None) -> list[Client]:
    """The clients of `account` who may be this person, in client-number order (never another account's)."""
    key, born = identity(first_name, last_name, birth_date)
    if not key or born is None:
        return []
    rows = Client.objects.filter(account=account, sort_key=key, birth_date=born)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.order_by("number"))


def numbers(clients: Iterable[Client]) -> list[int]:
    return sorted(c.number for c in clients)


class PossibleDuplicate(ServiceError):
    """Not saved: the client may be the same person as `matches`; the user has not said otherwise."""

    def __init__(self, matches: list[Client]):
        self.matches = matches
        shown = ", ".join(f"client {n}" for n in numbers(matches))
        super().__init__(f"This may be the same person as {shown}. Nothing was saved.")


def lock_identities(account) -> None:
    """Make checks of the same account wait for each other until commit (the client-number
    counter's row lock), so two people adding the same person at once cannot both miss the other."""
    ClientCounter.objects.select_for_update().filter(account=account).values_list("pk").first()


def check(account, *, first_name: str, last_name: str, birth_date, different_from: Iterable[int] = (),
          exclude_pk=None) -> list[Client]:
    """The clients this person was confirmed to differ from; PossibleDuplicate when a client who
    may be the same person was not among the numbers the user confirmed (`different_from`)."""
    matches = same_person(account, first_name=first_name, last_name=last_name, birth_date=birth_date,
                          exclude_pk=exclude_pk)
    confirmed = set(different_from)
    if any(m.number not in confirmed for m in matches):
        raise PossibleDuplicate(matches)
    return matches
