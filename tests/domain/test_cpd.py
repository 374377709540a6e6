import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import codes_data
from server.domain.cpd import (
    HOURS_PER_YEAR,
    counts_in_period,
    current_period,
    is_exempt,
    required_hours,
    summarize,
)

CATEGORY_RANKS = [(c, r) for c, ranks in codes_data.RANKS_BY_CATEGORY.items() for r in ranks]
category_ranks = st.sampled_from(CATEGORY_RANKS)
years = st.integers(min_value=0, max_value=10)
THREE_YEARS = current_period(dt.date(2022, 7, 1), dt.date(2025, 6, 30))


@pytest.mark.parametrize(
    ("category", "rank", "per_year"),
    [
        ("PHYSICIAN", "GENERAL_PRACTITIONER", 30),
        ("PHYSICIAN", "CONSULTANT", 30),
        ("DENTIST", "RESIDENT", 30),
        ("PHARMACIST", "PHARMACIST", 20),
        ("PHARMACIST", "CONSULTANT_PHARMACIST", 20),
        ("ALLIED_HEALTH", "SPECIALIST", 20),
        ("ALLIED_HEALTH", "CONSULTANT", 20),
        ("NURSE", "SPECIALIST", 15),
        ("NURSE", "SENIOR_SPECIALIST", 15),
        ("NURSE", "TECHNICIAN", 10),
        ("ALLIED_HEALTH", "TECHNICIAN", 10),
    ],
)
def test_hours_required_per_year_follow_the_profession_and_rank(category, rank, per_year):
    assert required_hours(category, rank, 1) == per_year
    assert required_hours(category, rank, 3) == 3 * per_year


def test_a_physician_closing_a_five_year_period_needs_150_hours():
    assert required_hours("PHYSICIAN", "CONSULTANT", 5) == 150


def test_the_rates_are_configuration():
    rates = dict(HOURS_PER_YEAR, PHYSICIAN=40)
    assert required_hours("PHYSICIAN", "REGISTRAR", 2, rates) == 80


def test_a_rank_the_category_does_not_have_is_refused():
    with pytest.raises(ValueError, match="INVALID"):
        required_hours("PHARMACIST", "TECHNICIAN", 1)
    with pytest.raises(ValueError, match="INVALID"):
        required_hours("PHYSICIAN", "CONSULTANT", -1)


@given(category_ranks, years, years)
def test_required_hours_are_linear_in_years(category_rank, a, b):
    category, rank = category_rank
    assert required_hours(category, rank, a + b) == (
        required_hours(category, rank, a) + required_hours(category, rank, b))
    assert required_hours(category, rank, 0) == 0


def test_trainees_and_non_practising_practitioners_are_exempt():
    assert is_exempt(is_trainee=True, is_practising=True)
    assert is_exempt(is_trainee=False, is_practising=False)
    assert not is_exempt(is_trainee=False, is_practising=True)


def test_the_current_period_is_the_registration_validity_with_both_ends_counted():
    assert THREE_YEARS.years == 3
    assert counts_in_period(dt.date(2022, 7, 1), THREE_YEARS)
    assert counts_in_period(dt.date(2025, 6, 30), THREE_YEARS)
    assert not counts_in_period(dt.date(2022, 6, 30), THREE_YEARS)
    assert not counts_in_period(dt.date(2025, 7, 1), THREE_YEARS)
    with pytest.raises(ValueError):
        current_period(dt.date(2025, 1, 2), dt.date(2025, 1, 1))


def test_renewal_without_enough_cpd_hours_names_the_gap():
    activities = [
        (Decimal("40"), dt.date(2023, 1, 10), True),
        (12.5, dt.date(2024, 3, 1), True),
        (30, dt.date(2024, 5, 1), False),  # not yet recognised
        (20, dt.date(2022, 6, 1), True),  # before the period began
    ]
    summary = summarize("NURSE", "SPECIALIST", THREE_YEARS, activities)
    assert summary.required == 45
    assert summary.earned == Decimal("52.5")
    assert summary.missing == 0
    assert summary.met
    physician = summarize("PHYSICIAN", "CONSULTANT", THREE_YEARS, activities)
    assert (physician.required, physician.missing, physician.met) == (90, Decimal("37.5"), False)
    assert (physician.period_start, physician.period_end) == (THREE_YEARS.start, THREE_YEARS.end)


def test_an_exempt_practitioner_owes_no_hours():
    summary = summarize("PHYSICIAN", "RESIDENT", THREE_YEARS, [], exempt=True)
    assert (summary.required, summary.missing) == (0, 0)


def test_negative_hours_are_a_bug_not_a_discount():
    with pytest.raises(ValueError):
        summarize("PHYSICIAN", "RESIDENT", THREE_YEARS, [(-5, dt.date(2023, 1, 1), True)])


activity = st.tuples(
    st.decimals(min_value=0, max_value=100, places=1),
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 12, 31)),
    st.booleans(),
)


@given(category_ranks, st.lists(activity, max_size=20))
def test_earned_plus_missing_covers_what_is_required(category_rank, activities):
    summary = summarize(*category_rank, THREE_YEARS, activities)
    assert summary.missing >= 0
    assert summary.earned + summary.missing >= summary.required
    assert summary.earned == sum(
        (h for h, on, ok in activities if ok and counts_in_period(on, THREE_YEARS)), Decimal(0))
