"""Working days in the Kingdom: Sunday to Thursday, less the holidays an admin keeps
(Eid al-Fitr, Eid al-Adha, Founding Day, National Day: their Gregorian dates move every
year, so they are a list, not a rule). Overdue cases are counted in these days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

# date.weekday(): Monday 0 … Sunday 6. Friday and Saturday are the weekend.
WEEKEND = frozenset({4, 5})


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def working_days_between(start: dt.date, end: dt.date,
                         holidays: Collection[dt.date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start): a case
    submitted on Sunday is 1 working day old on Monday, and still 4 on the next Friday."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + dt.timedelta(days=offset)).weekday() not in WEEKEND:
            count += 1
    count -= sum(1 for h in set(holidays)
                 if start < h <= end and h.weekday() not in WEEKEND)
    return count


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The day on which `days` working days have passed since `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            days -= 1
    return day


def parse_holidays(values) -> list[dt.date]:
    """ISO dates from a stored list, sorted and without repeats; raises ValueError."""
    found = set()
    for value in values or ():
        found.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    return sorted(found)
