"""Reading a search term the way staff type it (clients.terms): no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practicegate.clients.terms import BIRTH_DATE, NAME, NUMBER, PHONE, read_term, two_digit_year

TODAY = date(2026, 12, 7)


def kinds(term: str, today: date = TODAY) -> list[tuple[str, object]]:
    return [(r.kind, r.value) for r in read_term(term, today=today).readings]


def labels(term: str) -> list[str]:
    return [r.label for r in read_term(term, today=TODAY).readings]


@pytest.mark.parametrize("term", ["Adams, Anna", "adams,anna", "Anna Adams", "  ANNA   adams ", "Adams, Anna."])
def test_last_first_and_first_last_are_the_same_name_words(term):
    [(kind, words)] = kinds(term)
    assert kind == NAME and sorted(words) == ["adams", "anna"]


@pytest.mark.parametrize("term, words", [
    ("Zoë", ("zoe",)), ("o'brien-nú", ("o'brien-nu",)), ("Straße", ("strasse",)), ("ad", ("ad",)),
    ("St. John, Mary", ("st", "john", "mary")), ("김", ("김",)),
])
def test_names_are_folded_like_the_stored_names(term, words):
    assert kinds(term) == [(NAME, words)]


@pytest.mark.parametrize("term, expected", [
    ("#201", [(NUMBER, 201)]), ("# 201", [(NUMBER, 201)]), ("201", [(NUMBER, 201)]), ("7", [(NUMBER, 7)]),
    ("#0157", [(NUMBER, 157)]),
    ("0157", [(NUMBER, 157), (PHONE, "0157")]),
    ("5550157", [(NUMBER, 5550157), (PHONE, "5550157")]),
    ("20157", [(NUMBER, 20157)]),  # five digits: a client number only
    ("555-0157", [(PHONE, "5550157")]), ("555 0157", [(PHONE, "5550157")]), ("555.0157", [(PHONE, "5550157")]),
    ("(617) 555-0157", [(PHONE, "6175550157")]), ("617-555-0157", [(PHONE, "6175550157")]),
    ("617.555.0157", [(PHONE, "6175550157")]), ("+1 617 555 0157", [(PHONE, "16175550157")]),
    ("6175550157", [(PHONE, "6175550157")]), ("1-617-555-0157", [(PHONE, "16175550157")]),
    ("+44 20 7946 0958", [(PHONE, "442079460958")]),
    ("０１５７", [(NUMBER, 157), (PHONE, "0157")]),  # full-width digits read as digits
])
def test_numbers_and_phones(term, expected):
    assert kinds(term) == expected


@pytest.mark.parametrize("term, born", [
    ("06/03/1958", date(1958, 6, 3)), ("6/3/1958", date(1958, 6, 3)), ("6/3/58", date(1958, 6, 3)),
    ("06-03-1958", date(1958, 6, 3)), ("6.3.58", date(1958, 6, 3)), ("1958-06-03", date(1958, 6, 3)),
    ("1958/6/3", date(1958, 6, 3)),
    ("6/3/26", date(2026, 6, 3)),  # this year, already past
    ("12/31/26", date(1926, 12, 31)),  # this year, still to come: a century ago
    ("12/7/26", date(2026, 12, 7)),  # today
    ("1/1/00", date(2000, 1, 1)),
])
def test_dates_of_birth_month_first_and_iso(term, born):
    assert kinds(term) == [(BIRTH_DATE, born)]


@pytest.mark.parametrize("term", ["2/30/1958", "13/1/1958", "2001-02-30", "2/29/25"])
def test_a_date_that_does_not_exist_finds_nobody_and_says_so(term):
    assert kinds(term) == [(BIRTH_DATE, None)]
    assert labels(term) == [f"Date of birth {term} (no such date)"]


def test_labels_say_how_the_term_was_read():
    assert labels("0157") == ["Client number 157", "Phone numbers ending in 0157"]
    assert labels("5550157") == ["Client number 5550157", "Phone numbers ending in 555-0157"]
    assert labels("617.555.0157") == ["Phone number (617) 555-0157"]
    assert labels("6/3/58") == ["Date of birth June 3, 1958"]
    assert labels("Adams, Anna") == ["Names with “adams” and “anna”"]


@pytest.mark.parametrize("term", ["", "   ", ",", "\u00a0"])
def test_an_empty_term_has_no_reading(term):
    assert kinds(term) == []


@pytest.mark.parametrize("term", ["123456789012345678", "#0", "0", "#1234567890"])
def test_a_number_no_client_or_phone_can_have_is_searched_as_a_name_and_finds_nobody(term):
    assert [k for k, _ in kinds(term)] == [NAME]


# --- Properties --------------------------------------------------------------------------

@given(st.text(max_size=120))
def test_any_text_reads_without_error_and_every_reading_is_labelled(term):
    search = read_term(term, today=TODAY)
    assert all(r.label and r.kind in (NAME, NUMBER, PHONE, BIRTH_DATE) for r in search.readings)
    assert search.ambiguous == (len(search.readings) > 1)
    assert len({r.kind for r in search.readings}) == len(search.readings)


dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(dates, st.sampled_from(["{m:02d}/{d:02d}/{y}", "{m}/{d}/{y}", "{y}-{m:02d}-{d:02d}", "{m}-{d}-{y}"]))
def test_a_date_typed_with_its_four_digit_year_is_that_date(born, shape):
    assert kinds(shape.format(m=born.month, d=born.day, y=born.year)) == [(BIRTH_DATE, born)]


@given(st.dates(min_value=TODAY - timedelta(days=365 * 100 - 30), max_value=TODAY))
def test_a_two_digit_year_is_the_latest_that_is_not_in_the_future(born):
    assert kinds(f"{born.month}/{born.day}/{born.year % 100:02d}") == [(BIRTH_DATE, born)]


@given(st.integers(0, 99), st.integers(1, 12), st.integers(1, 28), dates)
def test_two_digit_years_resolve_to_the_past_within_a_century(yy, month, day, today):
    year = two_digit_year(yy, month, day, today)
    assert year % 100 == yy
    assert date(year, month, day) <= today < date(year + 100, month, day)


area = st.integers(201, 989)
line = st.integers(0, 9999)


@given(area, st.integers(200, 999), line)
def test_a_us_phone_in_any_format_is_the_whole_number(a, exchange, last):
    digits = f"{a}{exchange}{last:04d}"
    for typed in (f"({a}) {exchange}-{last:04d}", f"{a}-{exchange}-{last:04d}", f"{a}.{exchange}.{last:04d}",
                  f"{a} {exchange} {last:04d}", digits):
        assert kinds(typed) == [(PHONE, digits)]
    assert kinds(f"+1 {a} {exchange} {last:04d}") == [(PHONE, "1" + digits)]


@given(st.integers(200, 999), line)
def test_the_last_four_or_seven_digits_alone_mean_a_number_or_a_phone_ending(exchange, last):
    four, seven = f"{last:04d}", f"{exchange}{last:04d}"
    assert kinds(four) == [(NUMBER, last), (PHONE, four)] if last else [(PHONE, four)]
    assert kinds(seven) == [(NUMBER, int(seven)), (PHONE, seven)]
    assert kinds(f"{exchange}-{last:04d}") == [(PHONE, seven)]
