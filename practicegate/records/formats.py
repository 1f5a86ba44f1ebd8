"""Formats of the record fields master files and clients share: codes, fees, states, ZIP codes.

Each function takes the raw text and returns the stored form or raises ValidationError
with a message a user can act on. Forms and the CSV imports share them. Codes are read in
their NFKC upper-case form (core.text.compact) and then matched against a pattern of ASCII
letters and digits, so no invisible character can get into one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from practicegate.core.text import compact

# ICD-10-CM: a letter, a digit, a letter or digit, then up to four more after the dot.
ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$")
# CPT (five digits), HCPCS Level II (a letter and four digits), CPT Category II/III and
# PLA codes (four digits and F, T or U).
BILLING_RE = re.compile(r"^(?:\d{5}|[A-Z]\d{4}|\d{4}[FTU])$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
PAYER_ID_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,19}$")
ZIP_RE = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")

FEE_MAX = Decimal("99999.99")
UNITS_MAX = 999

US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "DC AS GU MP PR VI "  # the District and the territories
    "AA AE AP"  # armed forces mail
).split()


def icd10_code(value: str) -> str:
    """'f41.1' -> 'F411'. The dot may only follow the third character."""
    code = compact(value)
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
    code = compact(value)
    if not BILLING_RE.match(code):
        raise ValidationError(
            "Enter a five-character CPT or HCPCS code: five digits (90837), a letter and four "
            "digits (H0031), or four digits and F, T or U (1040F)."
        )
    return code


def modifier(value: str) -> str:
    mod = compact(value)
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
    pid = compact(value)
    if pid and not PAYER_ID_RE.match(pid):
        raise ValidationError("An electronic payer ID has up to 20 letters, digits or hyphens.")
    return pid


def state(value: str) -> str:
    st = compact(value)
    if st and st not in US_STATES:
        raise ValidationError("Enter a US state or territory as two letters (for example NY, DC or PR).")
    return st


def zip_code(value: str) -> str:
    text = compact(value)
    if not text:
        return ""
    match = ZIP_RE.match(text)
    if not match:
        raise ValidationError("Enter a ZIP code of 5 or 9 digits (12345 or 12345-6789).")
    return f"{match[1]}-{match[2]}" if match[2] else match[1]
