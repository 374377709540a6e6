import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.domain.dates import (
    MAX_AGE,
    MIN_PRACTITIONER_AGE,
    add_months,
    add_years,
    age_on,
    days_between,
    parse_date_parts,
    validate_birth_date,
)

TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TODAY = dt.date(2025, 6, 15)
everyday_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def error_of(call, *args) -> str:
    with pytest.raises(ValueError) as caught:
        call(*args)
    return str(caught.value)


# Birth dates

def test_a_sixteen_year_old_is_not_a_practitioner():
    born = dt.date(2009, 1, 1)
    assert age_on(born, TODAY) == 16
    assert error_of(validate_birth_date, born, TODAY) == "NOT_ALLOWED"


def test_a_practitioner_may_register_on_their_seventeenth_birthday():
    born = dt.date(2008, 6, 15)
    assert validate_birth_date(born, TODAY) == born
    assert error_of(validate_birth_date, born + dt.timedelta(days=1), TODAY) == "NOT_ALLOWED"


def test_a_birth_date_in_the_future_is_invalid():
    assert error_of(validate_birth_date, TODAY + dt.timedelta(days=1), TODAY) == "INVALID"


def test_someone_over_a_hundred_is_taken_for_a_typing_mistake():
    assert validate_birth_date(dt.date(1925, 1, 1), TODAY)
    assert error_of(validate_birth_date, dt.date(1924, 1, 1), TODAY) == "INVALID"


@given(everyday_dates, st.integers(min_value=MIN_PRACTITIONER_AGE, max_value=MAX_AGE))
def test_every_age_from_seventeen_to_a_hundred_is_accepted(today, age):
    born = add_years(today, -age)
    assert validate_birth_date(born, today) == born


@given(everyday_dates, st.integers(min_value=0, max_value=MIN_PRACTITIONER_AGE - 1))
def test_every_age_under_seventeen_is_refused(today, age):
    with pytest.raises(ValueError, match="NOT_ALLOWED"):
        validate_birth_date(add_years(today, -age), today)


def test_someone_born_on_29_february_ages_on_28_february_in_a_common_year():
    born = dt.date(2004, 2, 29)
    assert age_on(born, dt.date(2021, 2, 27)) == 16
    assert age_on(born, dt.date(2021, 2, 28)) == 17
    assert age_on(born, dt.date(2024, 2, 28)) == 19
    assert age_on(born, dt.date(2024, 2, 29)) == 20


@given(everyday_dates, everyday_dates)
def test_age_is_the_number_of_birthdays_passed(born, today):
    assume(born <= today)
    age = age_on(born, today)
    assert add_years(born, age) <= today < add_years(born, age + 1)


# Calendar arithmetic

def test_a_registration_from_29_february_ends_on_28_february():
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert add_years(dt.date(2024, 2, 29), -1) == dt.date(2023, 2, 28)


@given(st.dates(), st.integers(min_value=-9998, max_value=9998))
def test_add_years_never_raises_for_any_date_within_the_calendar(d, n):
    assume(dt.MINYEAR <= d.year + n <= dt.MAXYEAR)
    moved = add_years(d, n)
    assert moved.year == d.year + n
    assert moved.month == d.month
    assert moved.day in (d.day, 28)


def test_add_years_beyond_year_9999_raises():
    with pytest.raises(ValueError):
        add_years(dt.date(9999, 1, 1), 1)


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)


@given(everyday_dates, st.integers(min_value=-1200, max_value=1200))
def test_add_months_moves_by_whole_months(d, n):
    moved = add_months(d, n)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == n
    assert moved.day <= d.day
    if d.day <= 28:
        assert moved.day == d.day


@given(everyday_dates, everyday_dates)
def test_days_between_is_signed_and_antisymmetric(a, b):
    assert a + dt.timedelta(days=days_between(a, b)) == b
    assert days_between(a, b) == -days_between(b, a)


# The day / month / year form

def test_a_date_typed_in_three_boxes_is_read():
    assert parse_date_parts("5", "3", "1990") == dt.date(1990, 3, 5)
    assert parse_date_parts(" 05 ", "03", "1990") == dt.date(1990, 3, 5)


def test_a_date_typed_with_arabic_indic_digits_is_read():
    assert parse_date_parts("٥", "٣", "١٩٩٠") == dt.date(1990, 3, 5)
    assert parse_date_parts("۵", "۳", "۱۹۹۰") == dt.date(1990, 3, 5)


@pytest.mark.parametrize(
    ("day", "month", "year", "code"),
    [
        ("", "", "", "REQUIRED"),
        (None, None, None, "REQUIRED"),
        ("5", "", "1990", "REQUIRED"),
        ("5", "3", " ", "REQUIRED"),
        ("31", "2", "1990", "INVALID"),
        ("29", "2", "2023", "INVALID"),
        ("5", "13", "1990", "INVALID"),
        ("5", "3", "90", "INVALID"),
        ("0", "3", "1990", "INVALID"),
        ("5", "3", "0000", "INVALID"),
        ("five", "3", "1990", "INVALID"),
        ("5", "March", "1990", "INVALID"),
        ("-5", "3", "1990", "INVALID"),
    ],
)
def test_a_missing_or_impossible_date_names_its_error_code(day, month, year, code):
    assert error_of(parse_date_parts, day, month, year) == code


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.booleans())
def test_any_date_round_trips_through_the_form(d, arabic):
    parts = [str(d.day), str(d.month), str(d.year)]
    if arabic:
        parts = [part.translate(TO_ARABIC) for part in parts]
    assert parse_date_parts(*parts) == d
