"""The pieces of an X12 file: separators, cleaned values, dates and amounts, segments.

The 837P guide asks for upper-case text from the X12 character set; a value never holds
a separator (it would cut the segment). `text()` makes any stored value safe that way.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~"
SEPARATORS = (ELEMENT, COMPONENT, REPETITION, TERMINATOR)

# The X12 basic character set plus the extended set's lower-case letters, @ and a few
# others; anything else (and every separator) becomes a space.
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 !\"&'()+,\-./;?=%@#$<>_\[\]{}\\|]")
_SPACES = re.compile(r"\s+")


def text(value, limit: int | None = None, *, upper: bool = True) -> str:
    """A value as the file may carry it: ASCII, no separators, single spaces, upper case."""
    folded = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    cleaned = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", folded)).strip()
    if upper:
        cleaned = cleaned.upper()
    if limit is not None:
        cleaned = cleaned[:limit].rstrip()
    return cleaned


def digits(value) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def code(value) -> str:
    """A code (diagnosis, procedure, modifier) without dots or spaces, upper case."""
    return "".join(ch for ch in text(value) if ch.isalnum())


def phone(value) -> str:
    """A stored E.164 phone (+15035550123) as the 10 digits a US file carries."""
    number = digits(value)
    if len(number) == 11 and number.startswith("1"):
        number = number[1:]
    return number


def amount(value) -> str:
    """A money amount: no trailing zeros after the point (150, 150.5, 150.25)."""
    quantized = Decimal(value or 0).quantize(Decimal("0.01"))
    shown = format(quantized, "f")
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown or "0"


def d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def clock(value: datetime) -> str:
    return value.strftime("%H%M")


def segment(*elements) -> str:
    """One segment: its elements joined, trailing empty elements dropped, terminated."""
    parts = ["" if part is None else str(part) for part in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT.join(parts) + TERMINATOR


def composite(*components) -> str:
    parts = ["" if part is None else str(part) for part in components]
    while parts and parts[-1] == "":
        parts.pop()
    return COMPONENT.join(parts)
