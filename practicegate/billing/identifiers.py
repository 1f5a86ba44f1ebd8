"""The identifiers a claim carries, checked as the 837P and the payers check them.

Each check takes what a person typed and returns the stored form, or raises
ValidationError with a plain message: the settings form and the scrubber share them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# The NUCC Health Care Provider Taxonomy code: ten characters, a three-digit provider grouping,
# six letters or digits, and the final X every code of the set ends with (101YM0800X, 207Q00000X).
_TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
_DIGITS = re.compile(r"[0-9]+")
# What people type between digits (dashes, spaces, dots) and leave out of the stored value.
_SEPARATORS = re.compile(r"[\s\-.]")
# The card issuer prefix of health identifiers (ISO 7812): CMS computes the NPI's check digit
# with the Luhn formula over these five digits followed by the NPI's first nine.
NPI_PREFIX = "80840"


def _compact(value: object) -> str:
    return _SEPARATORS.sub("", value if isinstance(value, str) else "")


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to `digits`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 0:  # every second digit from the right, starting with the rightmost
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return (10 - total % 10) % 10


def npi_is_valid(value: str) -> bool:
    """Ten digits whose last is the check digit CMS computes (Luhn over 80840 and the first nine)."""
    return (isinstance(value, str) and len(value) == 10 and value.isascii() and value.isdigit()
            and luhn_check_digit(NPI_PREFIX + value[:9]) == int(value[9]))


def npi(value: object) -> str:
    compact = _compact(value)
    if not compact:
        return ""
    if not (compact.isascii() and _DIGITS.fullmatch(compact)) or len(compact) != 10:
        raise ValidationError("An NPI is 10 digits.")
    if not npi_is_valid(compact):
        raise ValidationError("This is not a valid NPI: its last digit does not match the others. "
                              "Check it against the NPI registry.")
    return compact


def taxonomy_is_valid(value: str) -> bool:
    return isinstance(value, str) and bool(_TAXONOMY.fullmatch(value))


def taxonomy(value: object) -> str:
    compact = _compact(value).upper()
    if not compact:
        return ""
    if not taxonomy_is_valid(compact):
        raise ValidationError("A taxonomy code is 10 letters and digits: three digits, six letters or "
                              "digits, and a final X, for example 101YM0800X.")
    return compact


def tax_id(value: object) -> str:
    """An EIN (12-3456789) or an SSN (123-45-6789), stored as its nine digits."""
    compact = _compact(value)
    if not compact:
        return ""
    if not (compact.isascii() and _DIGITS.fullmatch(compact)) or len(compact) != 9:
        raise ValidationError("A tax ID is 9 digits, for example 12-3456789 or 123-45-6789.")
    return compact


def tax_id_is_valid(value: str) -> bool:
    return isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()


def masked_tax_id(value: str) -> str:
    """What a page shows of a saved tax ID: its last four digits."""
    return f"•••••{value[-4:]}" if value else ""


def zip9(value: object, *, required: bool = True) -> str:
    """A ZIP+4 (12345-6789), stored as its nine digits."""
    compact = _compact(value)
    if not compact:
        if required:
            raise ValidationError("Enter the 9-digit ZIP code (ZIP+4), for example 12207-1234.")
        return ""
    if not (compact.isascii() and _DIGITS.fullmatch(compact)) or len(compact) != 9:
        raise ValidationError("Enter all 9 digits of the ZIP code (ZIP+4), for example 12207-1234.")
    return compact


def zip9_is_valid(value: str) -> bool:
    return isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()


def zip_is_valid(value: str) -> bool:
    """A client's ZIP as stored: 12345 or 12345-6789."""
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9]{5}(-?[0-9]{4})?", value))
