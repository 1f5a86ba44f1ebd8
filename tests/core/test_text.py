"""One set of text rules (core.text): the same text gets the same answer in every form."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from practicegate.clients.forms import ClientForm, PolicyLineForm
from practicegate.core import text
from practicegate.masterfiles.forms import PayerForm

ZWNJ, ZWJ = "\u200c", "\u200d"

# Text typed as a name, and whether the one rule takes it.
NAMES = [
    ("Zoë Núñez", True),
    (unicodedata.normalize("NFD", "Zoë Núñez"), True),  # stored NFC either way
    (f"می{ZWNJ}خواهم", True),  # Persian: the non-joiner inside a word is part of its spelling
    (f"क्{ZWJ}ष", True),  # Devanagari: a joiner between a virama and a consonant
    (f"{ZWJ}Zoë", False),  # a joiner that joins nothing only hides
    (f"Zoë{ZWNJ}", False),
    (f"Zo {ZWJ} ë", False),
    (f"Zo{ZWJ}{ZWJ}ë", False),
    ("Zo\u200bë", False),  # zero-width space
    ("Zoë\u202e", False),  # right-to-left override
    ("Zo\x00ë", False),
    ("Zo\ue000ë", False),  # private use
    ("Zo\U000e0001ë", False),  # language tag (format)
    ("Zo\u2028ë", False),  # line separator
]


def _client_name_error(value: str) -> tuple[bool, str]:
    data = {"first_name": value, "last_name": "Lima", "birth_date": "1990-04-17", "sex": "F",
            "intake_date": "2024-01-10"}
    form = ClientForm(data)
    form.is_valid()
    return "first_name" not in form.errors, form.cleaned_data.get("first_name", "")


def _payer_name_error(value: str) -> tuple[bool, str]:
    form = PayerForm({"name": value, "payer_type": "commercial"})
    form.is_valid()
    return "name" not in form.errors, form.cleaned_data.get("name", "")


@pytest.mark.parametrize("value, accepted", NAMES)
def test_a_client_name_and_a_payer_name_get_the_same_answer(value, accepted):
    client_ok, client_name = _client_name_error(value)
    payer_ok, payer_name = _payer_name_error(value)
    assert client_ok is payer_ok is accepted
    if accepted:
        assert client_name == payer_name == unicodedata.normalize("NFC", value)


@pytest.mark.parametrize("value", [f"AB{ZWJ}CD", f"AB{ZWNJ}12", "AB\u200b12"])
def test_codes_and_identifiers_take_no_invisible_character_at_all(value):
    with pytest.raises(ValidationError):
        text.reject_control_characters(value)
    policy = PolicyLineForm({"priority": "1", "member_id": value, "subscriber": "self",
                             "effective_date": "2024-01-10"})
    assert not policy.is_valid() and "invisible" in str(policy.errors["member_id"])
    payer = PayerForm({"name": "Blue Harbor", "payer_id": value, "payer_type": "commercial"})
    assert not payer.is_valid() and "payer_id" in payer.errors


def test_joiners_between_letters_are_text_but_not_codes():
    persian = f"می{ZWNJ}خواهم"
    text.reject_invisible_in_text(persian)
    assert text.clean_text(persian) == persian
    with pytest.raises(ValidationError):
        text.reject_control_characters(persian)


def test_one_line_text_is_trimmed_and_its_spaces_made_single():
    assert text.clean_text("  Blue   Harbor\u00a0 Health ") == "Blue Harbor Health"
    assert text.clean_text(" line one\n\tline two \n", multiline=True) == "line one\n\tline two"


@pytest.mark.parametrize("cell, formula", [("=1+1", True), ("@SUM(A1)", True), ("+cmd", True),
                                           ("-5", False), ("+1 206 555 0111", False),
                                           ("+12065550111", False), ("Zoë", False)])
def test_formula_cells(cell, formula):
    assert text.looks_like_formula(cell) is formula
    assert text.defuse(cell) == ("'" + cell if formula else cell)
    assert text.not_a_formula(text.defuse(cell)) == cell  # what the export writes imports back
    if formula:
        with pytest.raises(ValidationError, match="formula"):
            text.not_a_formula(cell)


@pytest.mark.parametrize("typed, stored", [
    ("(206) 555-0111", "+12065550111"), ("206.555.0111", "+12065550111"), ("+1 206 555 0111", "+12065550111"),
    ("２０６-５５５-０１１１", "+12065550111"), ("+44 20 7946 0958", "+442079460958"), ("  ", ""),
])
def test_phones_are_stored_e164(typed, stored):
    assert text.phone_for_storage(typed) == stored


@pytest.mark.parametrize("typed, message", [("555-0123", "dialed"), ("(123) 456-7890", "dialed"),
                                            ("call me", "area code"), ("206 555 0111 x12", "extension"),
                                            ("206\u200b555 0111", "invisible")])
def test_phones_that_cannot_be_stored(typed, message):
    with pytest.raises(ValidationError, match=message):
        text.phone_for_storage(typed)


@pytest.mark.parametrize("stored, shown", [("+12065550111", "(206) 555-0111"), ("+18005550163", "(800) 555-0163"),
                                           ("+442079460958", "+44 20 7946 0958"), ("+33142685300", "+33 1 42 68 53 00"),
                                           ("", ""), ("555-0100", "555-0100"),  # kept by the payer migration
                                           ("518-555-0140 x89", "518-555-0140 x89")])
def test_one_display_format(stored, shown):
    assert text.phone_display(stored) == shown


def test_every_stored_phone_reads_back_as_itself():
    for typed in ("(206) 555-0111", "+44 20 7946 0958", "+33 1 42 68 53 00"):
        stored = text.phone_for_storage(typed)
        assert text.phone_for_storage(text.phone_display(stored)) == stored
