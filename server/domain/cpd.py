"""Continuing professional development: hours required to renew, hours earned, the gap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from server.domain import codes
from server.domain.text import N_

# Hours required per year of the registration period being closed. Keys are categories,
# except "TECHNICIAN", which applies to that rank in any category that has it (nurses and
# allied health), because below specialist the profession makes no difference.
HOURS_PER_YEAR: Mapping[str, int] = MappingProxyType({
    "PHYSICIAN": 30,
    "DENTIST": 30,
    "PHARMACIST": 20,
    "ALLIED_HEALTH": 20,
    "NURSE": 15,
    "TECHNICIAN": 10,
})

_DAYS_PER_YEAR = 365.25

Hours = Decimal | int | float | str


@dataclass(frozen=True)
class CpdPeriod:
    """The registration period whose CPD is counted, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def years(self) -> int:
        """Whole years the period lasts, rounded, at least 1 (a 3-year registration → 3)."""
        days = (self.end - self.start).days + 1
        return max(1, round(days / _DAYS_PER_YEAR))


@dataclass(frozen=True)
class CpdSummary:
    period_start: dt.date
    period_end: dt.date
    required: int
    earned: Decimal
    missing: Decimal

    @property
    def met(self) -> bool:
        return self.missing == 0


def hours_per_year(category: str, rank: str, rates: Mapping[str, int] = HOURS_PER_YEAR) -> int:
    if not codes.is_rank_of(category, rank):
        raise ValueError("INVALID")
    return rates["TECHNICIAN"] if rank == "TECHNICIAN" else rates[category]


def required_hours(category: str, rank: str, years: int,
                   rates: Mapping[str, int] = HOURS_PER_YEAR) -> int:
    """Hours needed to close a period of `years` years; ValueError("INVALID") for a rank the
    category does not have or a negative number of years."""
    if years < 0:
        raise ValueError("INVALID")
    return hours_per_year(category, rank, rates) * years


def is_exempt(*, is_trainee: bool, is_practising: bool) -> bool:
    """Trainees and practitioners not practising need no CPD hours to renew.

    Explicit flags rather than a rank: a resident is not necessarily in a training
    programme, and whether someone practises is their own declaration.
    """
    return is_trainee or not is_practising


def current_period(valid_from: dt.date, valid_until: dt.date) -> CpdPeriod:
    if valid_until < valid_from:
        raise ValueError("INVALID")
    return CpdPeriod(valid_from, valid_until)


def counts_in_period(completed_on: dt.date, period: CpdPeriod) -> bool:
    return period.start <= completed_on <= period.end


def summarize(category: str, rank: str, period: CpdPeriod,
              activities: Iterable[tuple[Hours, dt.date, bool]], *, exempt: bool = False,
              rates: Mapping[str, int] = HOURS_PER_YEAR) -> CpdSummary:
    """Hours required for `period`, hours earned from `activities` (hours, completed_on,
    recognised) — only recognised ones completed inside the period — and what is missing."""
    required = 0 if exempt else required_hours(category, rank, period.years, rates)
    earned = sum(
        (_hours(hours) for hours, completed_on, recognised in activities
         if recognised and counts_in_period(completed_on, period)),
        Decimal(0),
    )
    missing = max(Decimal(required) - earned, Decimal(0))
    return CpdSummary(period.start, period.end, required, earned, missing)


def _hours(value: Hours) -> Decimal:
    # str() first, so that a float such as 1.1 counts as 1.1 and not 1.100000000000000088…
    hours = Decimal(str(value))
    if not hours.is_finite() or hours < 0:
        raise ValueError("INVALID")
    return hours


# What one activity of each type usually gives, at most (a day counts about 8 hours). More
# is possible (a long course, a certificate that counts preparation), so above it the
# applicant is asked to check and confirm the hours, not refused.
ACTIVITY_TYPES: Mapping[str, int] = MappingProxyType({
    "LECTURE": 3,           # a lecture, grand round or journal club
    "WORKSHOP": 16,         # a workshop or skills course of up to two days
    "CONFERENCE": 30,       # a conference or symposium of a few days
    "ONLINE_COURSE": 20,    # an e-learning module or webinar series
    "COURSE": 60,           # a structured course or training programme over weeks
    "SELF_LEARNING": 10,    # reading, self-study, an article
    "OTHER": 30,
})


# The order the form lists them in.
ACTIVITY_TYPE_LABELS: Mapping[str, str] = MappingProxyType({
    "LECTURE": N_("Lecture, grand round or journal club"),
    "WORKSHOP": N_("Workshop or skills course"),
    "CONFERENCE": N_("Conference or symposium"),
    "ONLINE_COURSE": N_("Online course or webinar"),
    "COURSE": N_("Structured course or training programme"),
    "SELF_LEARNING": N_("Self-learning (reading, an article)"),
    "OTHER": N_("Other"),
})


def usual_hours(activity_type: str) -> int | None:
    return ACTIVITY_TYPES.get(activity_type)


def implausible_hours(activity_type: str, hours: Hours) -> int | None:
    """The usual maximum for the type when `hours` is above it (a warning, not a refusal);
    None when the hours look ordinary or the type is unknown."""
    limit = ACTIVITY_TYPES.get(activity_type)
    return limit if limit is not None and _hours(hours) > limit else None
