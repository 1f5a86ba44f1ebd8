"""The formats of codes, modifiers, fees, states and ZIP codes (records.formats); phones and text (core.text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from practicegate.core import text
from practicegate.records import formats as v


@pytest.mark.parametrize("raw, stored", [
    ("F41.1", "F411"), ("f41.1", "F411"), ("F411", "F411"), ("F32.A", "F32A"), ("Z00.00", "Z0000"),
    ("S72.001A", "S72001A"), ("U07.1", "U071"), ("C4A.9", "C4A9"), (" F20 ", "F20"),
    ("Ｆ４１.１", "F411"),  # full-width digits typed on some keyboards
])
def test_icd10_codes_are_stored_without_the_dot(raw, stored):
    assert v.icd10_code(raw) == stored


@pytest.mark.parametrize("raw", ["", "F4", "41.1", "F41.12345", "F4.11", "F41..1", "F41 1",
                                 "F41-1", "=F41", "F41.1\u200b", "ΑΒΓ"])
def test_malformed_icd10_codes_are_refused(raw):
    with pytest.raises(ValidationError):
        v.icd10_code(raw)


def test_icd10_display_puts_the_dot_back():
    assert v.icd10_display("F411") == "F41.1"
    assert v.icd10_display("F20") == "F20"


@pytest.mark.parametrize("raw", ["90837", "h0031", "G0444", "1040F", "0001U", "0042T"])
def test_billing_codes_of_cpt_and_hcpcs_form(raw):
    assert v.billing_code(raw) == raw.upper()


@pytest.mark.parametrize("raw", ["", "9083", "908377", "HH031", "1040X", "90837 ", "90-37", "F41.1"])
def test_malformed_billing_codes_are_refused(raw):
    if raw == "90837 ":
        assert v.billing_code(raw) == "90837"  # surrounding spaces are only trimmed
        return
    with pytest.raises(ValidationError):
        v.billing_code(raw)


@pytest.mark.parametrize("raw, ok", [("95", True), ("gt", True), ("", True), ("9", False),
                                     ("GTX", False), ("G-", False)])
def test_modifiers_are_two_characters(raw, ok):
    if ok:
        assert v.modifier(raw) == raw.upper()
    else:
        with pytest.raises(ValidationError):
            v.modifier(raw)


@pytest.mark.parametrize("raw, amount", [("150", "150.00"), ("$1,250.5", "1250.50"), ("0", "0.00"),
                                         ("", "0.00"), ("99999.99", "99999.99")])
def test_fees(raw, amount):
    assert v.fee(raw) == Decimal(amount)


@pytest.mark.parametrize("raw", ["-1", "100000", "1.005", "abc", "NaN", "Infinity", "1e400"])
def test_bad_fees_are_refused(raw):
    with pytest.raises(ValidationError):
        v.fee(raw)


@pytest.mark.parametrize("raw, ok", [("ny", True), ("DC", True), ("PR", True), ("GU", True),
                                     ("VI", True), ("XX", False), ("N", False), ("New York", False)])
def test_states_include_dc_and_territories(raw, ok):
    if ok:
        assert v.state(raw) == raw.upper()
    else:
        with pytest.raises(ValidationError):
            v.state(raw)


@pytest.mark.parametrize("raw, stored", [("12345", "12345"), ("12345-6789", "12345-6789"),
                                         ("123456789", "12345-6789"), ("", "")])
def test_zip_codes(raw, stored):
    assert v.zip_code(raw) == stored


@pytest.mark.parametrize("raw", ["1234", "123456", "12345-678", "ABCDE", "12345 6789 0"])
def test_bad_zip_codes(raw):
    with pytest.raises(ValidationError):
        v.zip_code(raw)


@pytest.mark.parametrize("raw, stored", [("(518) 555-0140", "+15185550140"),
                                         ("+1 518 555 0140", "+15185550140"),
                                         ("518.555.0140", "+15185550140"), ("", "")])
def test_phones(raw, stored):
    assert text.phone_for_storage(raw) == stored


@pytest.mark.parametrize("raw", ["123", "call us", "555-123-45678",
                                 "518.555.0140 x89"])  # E.164 has no extension: refused, not cut off
def test_bad_phones(raw):
    with pytest.raises(ValidationError):
        text.phone_for_storage(raw)


@pytest.mark.parametrize("raw", ["a\x00b", "right\u202eleft", "zero\u200bwidth", "bell\x07"])
def test_control_and_invisible_characters_are_refused(raw):
    with pytest.raises(ValidationError):
        text.clean_text(raw)


def test_newlines_allowed_only_in_multiline_text():
    assert text.clean_text("line one\nline two", multiline=True) == "line one\nline two"
    with pytest.raises(ValidationError):
        text.clean_text("line one\nline two")
