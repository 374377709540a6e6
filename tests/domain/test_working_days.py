import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.working_days import (
    add_working_days,
    is_working_day,
    parse_holidays,
    working_days_between,
)

SUNDAY = dt.date(2026, 3, 1)  # a Sunday
THURSDAY = SUNDAY + dt.timedelta(days=4)
FRIDAY = SUNDAY + dt.timedelta(days=5)
SATURDAY = SUNDAY + dt.timedelta(days=6)
EID = [dt.date(2026, 3, 19), dt.date(2026, 3, 22), dt.date(2026, 3, 23)]  # Thu, Sun, Mon


def test_sunday_to_thursday_work_friday_and_saturday_rest():
    assert [is_working_day(SUNDAY + dt.timedelta(days=n)) for n in range(7)] == [
        True, True, True, True, True, False, False]


def test_a_holiday_is_not_a_working_day():
    assert not is_working_day(EID[1], EID)
    assert is_working_day(EID[1])


def test_a_case_from_sunday_is_four_working_days_old_on_friday_and_saturday():
    assert working_days_between(SUNDAY, SUNDAY + dt.timedelta(days=1)) == 1
    assert working_days_between(SUNDAY, THURSDAY) == 4
    assert working_days_between(SUNDAY, FRIDAY) == 4
    assert working_days_between(SUNDAY, SATURDAY) == 4
    assert working_days_between(SUNDAY, SUNDAY + dt.timedelta(days=7)) == 5


def test_a_case_submitted_on_thursday_counts_no_days_over_the_weekend():
    assert working_days_between(THURSDAY, SATURDAY) == 0
    assert working_days_between(THURSDAY, SUNDAY + dt.timedelta(days=7)) == 1


def test_holidays_do_not_count_and_a_weekend_holiday_is_not_taken_twice():
    start = dt.date(2026, 3, 15)  # Sunday before Eid
    end = dt.date(2026, 3, 26)  # Thursday after
    assert working_days_between(start, end) == 9
    assert working_days_between(start, end, EID) == 6
    assert working_days_between(start, end, [*EID, dt.date(2026, 3, 20)]) == 6  # a Friday
    assert working_days_between(start, end, EID + EID) == 6


def test_no_time_has_passed_when_the_end_is_not_after_the_start():
    assert working_days_between(SUNDAY, SUNDAY) == 0
    assert working_days_between(THURSDAY, SUNDAY) == 0


def test_adding_working_days_skips_the_weekend_and_holidays():
    assert add_working_days(THURSDAY, 1) == SUNDAY + dt.timedelta(days=7)
    assert add_working_days(SUNDAY, 0) == SUNDAY
    assert add_working_days(dt.date(2026, 3, 18), 1, EID) == dt.date(2026, 3, 24)
    with pytest.raises(ValueError):
        add_working_days(SUNDAY, -1)


@settings(deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
       st.integers(min_value=0, max_value=400),
       st.lists(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2092, 1, 1)),
                max_size=20))
def test_adding_then_counting_gives_back_the_days(start, days, holidays):
    assert working_days_between(start, add_working_days(start, days, holidays),
                                holidays) == days


def test_a_holiday_list_is_parsed_sorted_without_repeats():
    assert parse_holidays(["2026-03-22", "2026-03-19", "2026-03-22"]) == [
        dt.date(2026, 3, 19), dt.date(2026, 3, 22)]
    with pytest.raises(ValueError):
        parse_holidays(["22/03/2026"])
