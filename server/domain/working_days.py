"""Working days in the Kingdom: Sunday to Thursday, less the holidays an admin keeps
(Eid al-Fitr, Eid al-Adha, Founding Day, National Day: their Gregorian dates move every
year, so they are a list, not a rule). Overdue cases are counted in these days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name_ar: str = ""
    name_en: str = ""

    def stored(self) -> dict:
        return {"date": self.day.isoformat(), "nameAr": self.name_ar, "nameEn": self.name_en}


def parse_holiday_entries(values) -> list[Holiday]:
    """Holidays from a stored list, sorted by day, one per day (the first name kept): each
    entry is {"date", "nameAr", "nameEn"}, or a bare ISO date (the list before holidays had
    names); raises ValueError or TypeError on anything else."""
    found: dict[dt.date, Holiday] = {}
    for value in values or ():
        if isinstance(value, dict):
            holiday = Holiday(_day(value.get("date")), str(value.get("nameAr") or ""),
                              str(value.get("nameEn") or ""))
        else:
            holiday = Holiday(_day(value))
        found.setdefault(holiday.day, holiday)
    return sorted(found.values(), key=lambda h: h.day)


def parse_holidays(values) -> list[dt.date]:
    """The days of a stored list (see parse_holiday_entries), sorted and without repeats."""
    return [h.day for h in parse_holiday_entries(values)]


def _day(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise TypeError("a holiday's date is an ISO string")
    return dt.date.fromisoformat(value)
