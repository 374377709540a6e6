from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import codes_data
from server.domain.fees import (
    DEFAULT_SCHEDULE,
    ZERO,
    amount_string,
    classification_fee,
    fee_for,
    from_halalas,
    make_schedule,
    parse_amount,
    renewal_fee,
    to_halalas,
)

ALL_RANKS = sorted(codes_data.RANKS)
ALL_KINDS = sorted(codes_data.APPLICATION_KINDS)
ranks = st.sampled_from(ALL_RANKS)


@pytest.mark.parametrize(
    ("rank", "per_year"),
    [
        ("CONSULTANT", 250), ("CONSULTANT_PHARMACIST", 250),
        ("SENIOR_REGISTRAR", 200), ("SENIOR_SPECIALIST", 200), ("SENIOR_PHARMACIST", 200),
        ("GENERAL_PRACTITIONER", 160), ("RESIDENT", 160), ("REGISTRAR", 160),
        ("SPECIALIST", 160), ("PHARMACIST", 160), ("TECHNICIAN", 160),
    ],
)
def test_registration_costs_per_year_by_rank_group(rank, per_year):
    assert renewal_fee(rank, 1) == Decimal(per_year)
    assert fee_for("REGISTRATION", rank, 1) == Decimal(per_year)


@pytest.mark.parametrize(
    ("rank", "amount"),
    [
        ("GENERAL_PRACTITIONER", 1100), ("RESIDENT", 1100), ("TECHNICIAN", 1100),
        ("PHARMACIST", 1100), ("REGISTRAR", 1500), ("SPECIALIST", 1500),
        ("SENIOR_REGISTRAR", 1500), ("SENIOR_SPECIALIST", 1500), ("SENIOR_PHARMACIST", 1500),
        ("CONSULTANT", 1800), ("CONSULTANT_PHARMACIST", 1800),
    ],
)
def test_classification_costs_by_rank_group(rank, amount):
    assert classification_fee(rank) == Decimal(amount)
    assert fee_for("RECLASSIFICATION", rank) == Decimal(amount)


def test_a_consultant_renewing_for_three_years_pays_750():
    fee = fee_for("RENEWAL", "CONSULTANT", 3)
    assert fee == Decimal("750.00")
    assert amount_string(fee) == "750.00"
    assert to_halalas(fee) == 75000


def test_certificates_and_cpd_recognition_have_flat_fees():
    assert fee_for("GOOD_STANDING") == Decimal("100")
    assert fee_for("TRAINING_CERTIFICATE") == Decimal("100")
    assert fee_for("CPD_RECOGNITION") == Decimal("50")


def test_qualification_evaluation_and_personal_data_changes_are_free():
    assert fee_for("QUALIFICATION_EVALUATION") == ZERO
    assert fee_for("PERSONAL_DATA_CHANGE") == ZERO


@pytest.mark.parametrize(
    ("kind", "rank", "years"),
    [
        ("RENEWAL", "CONSULTANT", 0),
        ("RENEWAL", "CONSULTANT", None),
        ("RENEWAL", "ASTRONAUT", 1),
        ("CLASSIFICATION", None, None),
        ("HOLIDAY", None, None),
    ],
)
def test_a_fee_that_cannot_be_worked_out_is_invalid(kind, rank, years):
    with pytest.raises(ValueError, match="INVALID"):
        fee_for(kind, rank, years)


@given(ranks, st.integers(min_value=1, max_value=10))
def test_renewal_fees_are_positive_and_scale_with_years(rank, years):
    one_year = renewal_fee(rank, 1)
    assert one_year > 0
    assert renewal_fee(rank, years) == one_year * years


@given(st.sampled_from(ALL_KINDS), ranks, st.sampled_from([1, 3, 5]))
def test_every_fee_is_a_whole_number_of_halalas_and_never_negative(kind, rank, years):
    fee = fee_for(kind, rank, years)
    assert fee >= 0
    assert from_halalas(to_halalas(fee)) == fee


def test_an_admin_schedule_overrides_the_defaults():
    schedule = make_schedule({"REGISTRATION_YEAR_CONSULTANT": "300", "GOOD_STANDING": 0})
    assert renewal_fee("CONSULTANT", 2, schedule) == Decimal("600.00")
    assert fee_for("GOOD_STANDING", schedule=schedule) == ZERO
    assert renewal_fee("CONSULTANT", 2) == Decimal("500.00")
    assert schedule["CPD_RECOGNITION"] == DEFAULT_SCHEDULE["CPD_RECOGNITION"]


@pytest.mark.parametrize(
    "overrides",
    [{"PARKING": "10"}, {"GOOD_STANDING": "-1"}, {"GOOD_STANDING": "1.005"},
     {"GOOD_STANDING": "ten"}, {"GOOD_STANDING": "NaN"}],
)
def test_a_bad_schedule_edit_is_refused(overrides):
    with pytest.raises(ValueError, match="INVALID"):
        make_schedule(overrides)


def test_a_fraction_of_a_halala_is_a_bug():
    with pytest.raises(ValueError):
        to_halalas(Decimal("1.005"))


@given(st.integers(min_value=0, max_value=10**9))
def test_halalas_round_trip(halalas):
    assert to_halalas(from_halalas(halalas)) == halalas
    assert parse_amount(amount_string(from_halalas(halalas))) == from_halalas(halalas)
