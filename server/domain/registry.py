"""The public register's rules: a registration's status on a given day, and what "today"
is for the regulator."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class RegistrationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    SUSPENDED = "SUSPENDED"


# The Kingdom keeps UTC+3 all year (no daylight saving), so a fixed offset is exact and
# needs no time-zone database. A registration valid "until 2026-05-31" must read ACTIVE
# until midnight in Riyadh, not until midnight UTC.
KINGDOM_TIME = dt.timezone(dt.timedelta(hours=3), "AST")


def registration_status(valid_until: dt.date, suspended: bool,
                        today: dt.date) -> RegistrationStatus:
    """SUSPENDED whenever suspended (a sanction outranks the dates); EXPIRED once `today`
    is past `valid_until` (the last valid day, inclusive); else ACTIVE."""
    if suspended:
        return RegistrationStatus.SUSPENDED
    if today > valid_until:
        return RegistrationStatus.EXPIRED
    return RegistrationStatus.ACTIVE


def kingdom_today(now: dt.datetime) -> dt.date:
    """The calendar day in the Kingdom at the instant `now` (an aware datetime)."""
    return now.astimezone(KINGDOM_TIME).date()
