"""Calendar arithmetic and the date rules of a practitioner's record (Gregorian dates).

Errors are `ValueError` with an `ErrorCode` value as message: `REQUIRED`, `INVALID`, or
`NOT_ALLOWED` for a birth date that makes the person too young to be a practitioner.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from server.domain.identity import normalize_digits

MIN_PRACTITIONER_AGE = 17
MAX_AGE = 100

_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


def add_years(d: dt.date, n: int) -> dt.date:
    """Same day and month `n` years on; 29 February becomes 28 February in a common year.

    28 February rather than 1 March so that a period never runs longer than its years.
    Raises ValueError only when the result falls outside years 1–9999.
    """
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        if d.month == 2 and d.day == 29 and dt.MINYEAR <= d.year + n <= dt.MAXYEAR:
            return d.replace(year=d.year + n, day=28)
        raise


def add_months(d: dt.date, n: int) -> dt.date:
    """Same day `n` months on, clamped to the end of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    year, month_index = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError("INVALID")
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(d.day, last_day))


def days_between(start: dt.date, end: dt.date) -> int:
    """Days from `start` to `end`; negative when `end` comes first."""
    return (end - start).days


def age_on(born: dt.date, today: dt.date) -> int:
    """Completed years; someone born on 29 February has a birthday on 28 February of a
    common year, the same rule as `add_years`."""
    years = today.year - born.year
    if years > 0 and add_years(born, years) > today:
        years -= 1
    return years


def validate_birth_date(born: dt.date, today: dt.date) -> dt.date:
    """`born` if a practitioner could have been born then: not in the future, at least
    `MIN_PRACTITIONER_AGE` and at most `MAX_AGE` years old `today`."""
    if born > today:
        raise ValueError("INVALID")
    age = age_on(born, today)
    if age < MIN_PRACTITIONER_AGE:
        raise ValueError("NOT_ALLOWED")
    if age > MAX_AGE:
        raise ValueError("INVALID")
    return born


def parse_date_parts(day: str | None, month: str | None, year: str | None) -> dt.date:
    """The date of a day / month / year form; Arabic-Indic digits accepted, year in full."""
    parts = [normalize_digits(part or "").strip() for part in (day, month, year)]
    if not all(parts):
        raise ValueError("REQUIRED")
    day_text, month_text, year_text = parts
    if not (
        _DAY_OR_MONTH.fullmatch(day_text)
        and _DAY_OR_MONTH.fullmatch(month_text)
        and _YEAR.fullmatch(year_text)
    ):
        raise ValueError("INVALID")
    try:
        return dt.date(int(year_text), int(month_text), int(day_text))
    except ValueError:
        raise ValueError("INVALID") from None
