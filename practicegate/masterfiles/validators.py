"""Formats of the master-file fields: normalise what people type, refuse what is wrong.

Each function takes the raw text and returns the stored form or raises ValidationError
with a message a user can act on. Forms and the CSV import share them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# ICD-10-CM: a letter, a digit, a letter or digit, then up to four more after the dot.
ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$")
# CPT (five digits), HCPCS Level II (a letter and four digits), CPT Category II/III and
# PLA codes (four digits and F, T or U).
BILLING_RE = re.compile(r"^(?:\d{5}|[A-Z]\d{4}|\d{4}[FTU])$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
PAYER_ID_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,19}$")
ZIP_RE = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
PHONE_RE = re.compile(r"^\+?1?\D*(\d{3})\D*(\d{3})\D*(\d{4})\s*(?:(?:x|ext\.?)\s*(\d{1,6}))?$", re.I)

FEE_MAX = Decimal("99999.99")
UNITS_MAX = 999

US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "DC AS GU MP PR VI "  # the District and the territories
    "AA AE AP"  # armed forces mail
).split()

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# What makes a spreadsheet run a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers and phone numbers ("-5", "+1 555 123 4567") start like formulas but cannot run.
_INERT = re.compile(r"^[+-]?[\d\s().,-]+$")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise and refuse invisible or control characters (newlines only if multiline)."""
    value = unicodedata.normalize("NFC", value or "").strip()
    for ch in value:
        if multiline and ch in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise ValidationError("Please remove invisible or control characters.")
    return value


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


def _compact(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def icd10_code(value: str) -> str:
    """'f41.1' -> 'F411'. The dot may only follow the third character."""
    code = _compact(value)
    if len(code) > 3 and code[3] == ".":
        code = code[:3] + code[4:]
    if not ICD10_RE.match(code):
        raise ValidationError(
            "Enter an ICD-10-CM code: a letter, two more characters, then up to four after "
            "the dot (for example F41.1 or F32.A)."
        )
    return code


def icd10_display(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def billing_code(value: str) -> str:
    code = _compact(value)
    if not BILLING_RE.match(code):
        raise ValidationError(
            "Enter a five-character CPT or HCPCS code: five digits (90837), a letter and four "
            "digits (H0031), or four digits and F, T or U (1040F)."
        )
    return code


def modifier(value: str) -> str:
    mod = _compact(value)
    if mod and not MODIFIER_RE.match(mod):
        raise ValidationError("A modifier is two letters or digits (for example 95 or GT).")
    return mod


def fee(value) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").lstrip("$")
    try:
        amount = Decimal(text or "0")
    except InvalidOperation:
        raise ValidationError("Enter the fee as a number, for example 150.00.") from None
    if not amount.is_finite():
        raise ValidationError("Enter the fee as a number, for example 150.00.")
    if amount < 0:
        raise ValidationError("The fee cannot be negative.")
    if amount > FEE_MAX:
        raise ValidationError(f"The fee can be at most {FEE_MAX:,}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("The fee has at most two decimal places.")
    return amount.quantize(Decimal("0.01"))


def payer_id(value: str) -> str:
    pid = _compact(value)
    if pid and not PAYER_ID_RE.match(pid):
        raise ValidationError("An electronic payer ID has up to 20 letters, digits or hyphens.")
    return pid


def state(value: str) -> str:
    st = _compact(value)
    if st and st not in US_STATES:
        raise ValidationError("Enter a US state or territory as two letters (for example NY, DC or PR).")
    return st


def zip_code(value: str) -> str:
    text = _compact(value)
    if not text:
        return ""
    match = ZIP_RE.match(text)
    if not match:
        raise ValidationError("Enter a ZIP code of 5 or 9 digits (12345 or 12345-6789).")
    return f"{match[1]}-{match[2]}" if match[2] else match[1]


def phone(value: str) -> str:
    text = _compact(value)
    if not text:
        return ""
    match = PHONE_RE.match(text)
    if not match:
        raise ValidationError("Enter a US phone number with area code, for example 555-123-4567.")
    number = f"{match[1]}-{match[2]}-{match[3]}"
    return f"{number} x{match[4]}" if match[4] else number
