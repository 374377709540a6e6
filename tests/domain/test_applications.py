import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import codes_data
from server.domain.applications import (
    FINAL_STATUSES,
    TRANSITIONS,
    ApplicationKind,
    InvalidTransition,
    Status,
    can_transition,
    check_transition,
    format_registration_number,
    is_registration_number_like,
    next_statuses,
    normalize_registration_number,
    parse_registration_number,
    registration_valid_until,
    renewal_opens_on,
    renewal_period,
    renewal_window_open,
)
from server.domain.dates import add_years

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))


def test_kinds_and_statuses_are_the_contracts():
    assert {k.value for k in ApplicationKind} == set(codes_data.APPLICATION_KINDS)
    assert [s.value for s in Status] == list(codes_data.APPLICATION_STATUSES)


def test_a_paid_application_goes_from_draft_through_review_to_approval():
    path = ["DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "APPROVED"]
    for start, end in itertools.pairwise(path):
        check_transition(start, end)


def test_a_returned_application_is_corrected_and_resubmitted_without_paying_again():
    assert can_transition("IN_REVIEW", "RETURNED", "REVIEWER")
    assert can_transition("RETURNED", "SUBMITTED", "APPLICANT")
    assert not can_transition("RETURNED", "AWAITING_PAYMENT")


def test_an_applicant_can_cancel_only_before_review():
    for status in ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "RETURNED"):
        assert can_transition(status, "CANCELLED", "APPLICANT"), status
    assert not can_transition("IN_REVIEW", "CANCELLED")


def test_only_a_reviewer_decides_and_only_the_gateway_confirms_payment():
    assert not can_transition("IN_REVIEW", "APPROVED", "APPLICANT")
    assert can_transition("IN_REVIEW", "APPROVED", "REVIEWER")
    assert not can_transition("AWAITING_PAYMENT", "SUBMITTED", "APPLICANT")
    assert can_transition("AWAITING_PAYMENT", "SUBMITTED", "SYSTEM")


def test_a_decided_application_cannot_move():
    with pytest.raises(InvalidTransition) as caught:
        check_transition("APPROVED", "IN_REVIEW")
    assert (caught.value.from_status, caught.value.to_status) == ("APPROVED", "IN_REVIEW")
    assert caught.value.code == "INVALID_STATE"


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_can_and_check_transition_agree(start, end):
    if can_transition(start, end):
        check_transition(start, end)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(start, end)


def test_no_edge_leaves_a_final_status_and_every_status_is_reachable():
    assert not [edge for edge in TRANSITIONS if edge[0] in FINAL_STATUSES]
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        for status in next_statuses(frontier.pop()):
            if status not in reached:
                reached.add(status)
                frontier.append(status)
    assert reached == set(Status)


def test_renewal_opens_ninety_days_before_expiry():
    valid_until = dt.date(2025, 12, 31)
    assert renewal_opens_on(valid_until) == dt.date(2025, 10, 2)
    assert not renewal_window_open(valid_until, dt.date(2025, 10, 1))
    assert renewal_window_open(valid_until, dt.date(2025, 10, 2))


def test_an_expired_registration_can_still_renew():
    assert renewal_window_open(dt.date(2020, 1, 1), dt.date(2025, 6, 15))


def test_renewing_early_continues_from_the_old_expiry():
    assert renewal_period(dt.date(2025, 12, 31), dt.date(2025, 11, 1), 3) == (
        dt.date(2026, 1, 1), dt.date(2028, 12, 31))


def test_renewing_after_expiry_starts_on_the_day_of_approval():
    assert renewal_period(dt.date(2025, 1, 31), dt.date(2025, 6, 15), 1) == (
        dt.date(2025, 6, 15), dt.date(2026, 6, 14))


def test_a_renewal_is_for_one_three_or_five_years():
    with pytest.raises(ValueError, match="INVALID"):
        renewal_period(dt.date(2025, 1, 31), dt.date(2025, 1, 1), 2)


@given(dates, dates, st.sampled_from([1, 3, 5]))
def test_a_renewed_period_never_overlaps_or_leaves_a_gap(valid_until, approved_on, years):
    start, end = renewal_period(valid_until, approved_on, years)
    assert start > valid_until
    assert start == max(valid_until + dt.timedelta(days=1), approved_on)
    assert end == registration_valid_until(start, years)
    assert add_years(start, years) == end + dt.timedelta(days=1)


def test_a_registration_number_reads_year_r_sequence():
    assert format_registration_number(2025, 4321) == "25-R-0004321"
    assert parse_registration_number("25-R-0004321") == (2025, 4321)
    assert parse_registration_number(" ٢٥-r-٠٠٠٤٣٢١ ") == (2025, 4321)


@pytest.mark.parametrize("text", ["", "25-R-000432", "25-X-0004321", "2025-R-0004321",
                                  "25-R-0000000", "25R0004321"])
def test_a_malformed_registration_number_is_refused(text):
    with pytest.raises(ValueError, match="INVALID"):
        parse_registration_number(text)


@pytest.mark.parametrize(("year", "seq"), [(2025, 0), (2025, 10_000_000), (-1, 5)])
def test_a_registration_number_out_of_range_is_refused(year, seq):
    with pytest.raises(ValueError):
        format_registration_number(year, seq)


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=9_999_999))
def test_registration_numbers_round_trip_and_look_like_registration_numbers(year, seq):
    number = format_registration_number(year, seq)
    assert parse_registration_number(number) == (year, seq)
    assert is_registration_number_like(number)


@pytest.mark.parametrize(
    "text", ["ABC", "12-R-0004321", "SCFHS-2019-00001", "A1B2C3D4E5F6G7H8I9J0"])
def test_imported_registration_numbers_are_kept_as_they_are(text):
    assert is_registration_number_like(text)


@pytest.mark.parametrize("text", ["", "AB", "---", "A" * 21, "ab-123", "12 R 0004321", "12/R/1"])
def test_things_that_are_not_registration_numbers(text):
    assert not is_registration_number_like(text)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=3, max_size=20))
def test_normalising_a_registration_number_is_idempotent(text):
    once = normalize_registration_number(text.lower())
    assert normalize_registration_number(once) == once == text
