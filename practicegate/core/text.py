"""The text rules every form, import and export follows: one place, no models.

- Text is stored NFC, so the same name typed on two keyboards is the same string.
- Invisible characters are refused by one rule (`has_invisible`): control, format, surrogate,
  private-use and unassigned characters, and line or paragraph separators. Its only
  exception is the zero-width non-joiner and joiner (U+200C, U+200D): Persian, Urdu and the
  Indic scripts need them inside words ("می‌خواهم"), and emoji sequences are built with them.
  So they are allowed in text written for people (names, addresses, descriptions, notes:
  `clean_text`), and only between two letters, marks or symbols, where they join something.
  Codes and identifiers (usernames, join codes, one-time codes, filters:
  `reject_control_characters`) never need them, and there an invisible character only
  makes two values that look the same differ, so they are refused like any other.
- A cell a spreadsheet would run as a formula is refused on the way in (`not_a_formula`) and
  defused on the way out (`defuse`): a leading apostrophe keeps it text, both ways.
- Every phone number is stored as E.164 ("+12065550111") and shown one way (`phone_display`).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError

INVISIBLE_MESSAGE = "Please remove invisible or control characters."

_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
JOINERS = frozenset({"\u200c", "\u200d"})  # zero-width non-joiner, zero-width joiner
_MULTILINE_CONTROLS = frozenset({"\n", "\r", "\t"})


def _joins(before: str, after: str) -> bool:
    """True when a joiner between `before` and `after` joins parts of a word or of an emoji."""
    return all(unicodedata.category(ch)[0] in "LMS" for ch in (before, after))


def has_invisible(value: str, *, joiners: bool = True, multiline: bool = False) -> bool:
    """True when `value` holds a character the one rule refuses.

    joiners=False reads `value` as a code or identifier, where no joiner belongs;
    multiline=True lets newlines and tabs through."""
    value = value or ""
    for i, ch in enumerate(value):
        if multiline and ch in _MULTILINE_CONTROLS:
            continue
        if joiners and ch in JOINERS and 0 < i < len(value) - 1 and _joins(value[i - 1], value[i + 1]):
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return True
    return False


def reject_control_characters(value: str) -> None:
    """Validate a code or identifier: no invisible characters at all, joiners included."""
    if has_invisible(value, joiners=False):
        raise ValidationError(INVISIBLE_MESSAGE)


def nfc(value: str) -> str:
    """The NFC form of `value`, outer spaces removed and inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def reject_invisible_in_text(value: str) -> None:
    """Validate one line written for people (a practice's name): joiners that join are allowed."""
    if has_invisible(value):
        raise ValidationError(INVISIBLE_MESSAGE)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Text written for people, as stored: NFC, checked, trimmed, spaces in one line made single.

    Outer white space goes first, tabs and newlines included: a pasted cell brings them
    along and, once removed, they hide nothing (a formula behind them is still refused by
    not_a_formula). Inside, newlines and tabs are kept only in multi-line text."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if has_invisible(value, multiline=multiline):
        raise ValidationError(INVISIBLE_MESSAGE)
    return value.strip() if multiline else nfc(value)


def compact(value: str) -> str:
    """The NFKC, trimmed, upper-case form codes are read in (full-width 'Ｆ４１' -> 'F41')."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def fold(value: str) -> str:
    """Lower case without accents: the form names are searched in (Zoë -> zoe, Straße -> strasse)."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare.casefold()).split())


# --- Spreadsheet formulas ------------------------------------------------------------

# What makes a spreadsheet run a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers and phone numbers ("-5", "+1 555 123 4567") start like formulas but cannot run.
_INERT = re.compile(r"^[+-]?[\d\s().,-]+$")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _INERT.match(text)


def not_a_formula(value: str) -> str:
    """Text as stored, checked after clean_text so leading spaces cannot hide a formula.

    A leading apostrophe before a formula character says "this is text" (spreadsheets and our
    export use it); it is removed, so export and import round-trip."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    if looks_like_formula(value):
        raise ValidationError(
            "Starts with %(first)s, which a spreadsheet would run as a formula; put an apostrophe (') "
            "before it to keep it as text.", code="formula", params={"first": repr(value[0])})
    return value


def defuse(value) -> str:
    """Text a spreadsheet or an edit form shows as text: formula-looking text gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


# --- Phones --------------------------------------------------------------------------

PHONE_REGION = "US"  # numbers typed without a country code are read as US numbers


def phone_for_storage(value: str) -> str:
    """Any phone number people type -> E.164 ('+12065550111'); '' stays ''.

    E.164 has no room for an extension, so a number typed with one is refused rather than
    stored without it: an extension belongs in a note."""
    raw = clean_text(value)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number with area code, for example (503) 555-0123.") from None
    if number.extension:
        raise ValidationError("Enter the phone number without an extension.")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("This is not a phone number that can be dialed: check the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_key(stored: str) -> str:
    """The digits of a stored phone, last first ('+16175550157' -> '75105557161').

    A number ending in 0157 has a key starting with 7510, so "ends with" becomes "starts
    with", which an ordinary index answers (a range of keys) on every database."""
    return "".join(ch for ch in stored or "" if "0" <= ch <= "9")[::-1]


def phone_display(stored: str) -> str:
    """A stored phone as pages show it: US national '(206) 555-0111', others international.

    A value that is not E.164 (a payer phone the data migration could not read) is shown
    as it was stored."""
    if not stored or not stored.startswith("+"):
        return stored or ""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
