"""What a term typed into a client search box can mean, read the way staff type it.

One pure function, `read_term`, turns the typed text into one or more readings:

- a name: "Adams, Anna", "Anna Adams", "adam" (any part of a first, last or preferred
  name, in any order, folded like the names are: case and accents ignored);
- a client number: "#201" or "201";
- a phone number in any format, whole ("(617) 555-0157", "+1 617 555 0157",
  "6175550157") or by its last digits ("0157", "555-0157", "5550157");
- a date of birth: "06/03/1958", "6/3/58" (a two-digit year is the latest one that is
  not in the future), "1958-06-03".

Digits alone can mean two things: "0157" is client number 157 or a phone ending in 0157,
"5550157" a client number or a phone's last seven digits. Such a term gets both
readings, each with the label the pages show over its group. Nothing here reads the
database: the selectors turn readings into conditions (selectors.search_filter).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from practicegate.core import text

MAX_WORDS = 6
MAX_NUMBER_DIGITS = 9  # client numbers are whole numbers below a billion
PHONE_ENDINGS = (4, 7)  # digits alone this long are also read as the end of a phone number
MIN_PHONE_DIGITS = 4
MAX_PHONE_DIGITS = 15  # E.164's longest number
WHOLE_PHONE_DIGITS = 10  # a US number with its area code: a whole number, not an ending

_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"#\s*([0-9]+)")
_ISO_DATE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_US_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})")
_PHONE = re.compile(r"\+?[\s(]*[0-9][0-9\s().\-]*")
_WORD_EDGES = ".,;:"

NAME, NUMBER, PHONE, BIRTH_DATE = "name", "number", "phone", "birth_date"


@dataclass(frozen=True)
class Reading:
    """One meaning of the term: its kind, the value searched for, and the label of its group.

    name: a tuple of folded words, each found somewhere in the name; number: an int;
    phone: the digits a phone number ends with (all of them for a whole number);
    birth_date: a date, or None for a date that does not exist (it matches nobody).
    """

    kind: str
    value: object
    label: str


@dataclass(frozen=True)
class Search:
    """Everything a term was read as; no readings for an empty term (the whole list)."""

    readings: tuple[Reading, ...] = ()

    @property
    def kind(self) -> str:
        """The kinds read, for the activity log: "name", "phone", "number+phone"; "" for none."""
        return "+".join(r.kind for r in self.readings)

    @property
    def words(self) -> int:
        """How many name words were searched (the log keeps the count, never the words)."""
        return sum(len(r.value) for r in self.readings if r.kind == NAME)

    @property
    def ambiguous(self) -> bool:
        """True when the term means more than one thing: the pages show a group for each."""
        return len(self.readings) > 1

    def of(self, kind: str) -> Reading | None:
        return next((r for r in self.readings if r.kind == kind), None)


def read_term(typed: str, *, today: date) -> Search:
    """Every reading of `typed`; `today` resolves two-digit years (never a future date)."""
    term = unicodedata.normalize("NFKC", text.nfc(typed or ""))
    if not term:
        return Search()
    readings = [r for r in _not_a_name(term, today) if r]
    if not readings and (words := _words(typed)):
        # Anything else is a name; so is a number no client or phone can have (it finds nobody).
        readings = [Reading(NAME, words, f"Names with {_quoted(words)}")]
    return Search(tuple(readings))


def _not_a_name(term: str, today: date) -> list[Reading | None]:
    if m := _NUMBER.fullmatch(term):
        return [_number(m[1])]
    if _DIGITS.fullmatch(term):
        return _digits(term)
    if (born := _birth_date(term, today)) is not None:
        return [born]
    if _PHONE.fullmatch(term):
        return [_phone(re.sub(r"[^0-9]", "", term))]
    return []


def _number(digits: str) -> Reading | None:
    if len(digits) > MAX_NUMBER_DIGITS or int(digits) == 0:
        return None
    return Reading(NUMBER, int(digits), f"Client number {int(digits)}")


def _digits(term: str) -> list[Reading | None]:
    """Digits alone: a client number, and with four or seven of them also a phone's ending;
    ten or more are a whole phone number."""
    if len(term) >= WHOLE_PHONE_DIGITS:
        return [_phone(term)]
    return [_number(term), _phone(term) if len(term) in PHONE_ENDINGS else None]


def _phone(digits: str) -> Reading | None:
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    if len(digits) >= WHOLE_PHONE_DIGITS:
        shown = text.phone_display("+1" + digits if len(digits) == WHOLE_PHONE_DIGITS else "+" + digits)
        return Reading(PHONE, digits, f"Phone number {shown}")
    ending = f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else digits
    return Reading(PHONE, digits, f"Phone numbers ending in {ending}")


def _birth_date(term: str, today: date) -> Reading | None:
    """A date of birth typed month first (US) or ISO; None when `term` is not shaped like one."""
    if m := _ISO_DATE.fullmatch(term):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _US_DATE.fullmatch(term):
        month, day, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year = two_digit_year(year, month, day, today)
    else:
        return None
    try:
        born = date(year, month, day)
    except ValueError:
        return Reading(BIRTH_DATE, None, f"Date of birth {term} (no such date)")
    return Reading(BIRTH_DATE, born, f"Date of birth {born:%B} {born.day}, {born.year}")


def two_digit_year(yy: int, month: int, day: int, today: date) -> int:
    """The latest year ending in `yy` that puts the date on or before `today`."""
    year = today.year - (today.year - yy) % 100
    try:
        if date(year, month, day) > today:
            year -= 100
    except ValueError:
        pass  # no such day that year (the caller says so); the year itself is still the latest
    return year


def _words(typed: str) -> tuple[str, ...]:
    """The folded words of a name, "Last, First" or "First Last": commas and stray dots go."""
    words = (w.strip(_WORD_EDGES) for w in text.fold(typed).replace(",", " ").split())
    return tuple(w for w in words if w)[:MAX_WORDS]


def _quoted(words: tuple[str, ...]) -> str:
    return " and ".join(f"“{w}”" for w in words)
