"""The one clock. `now()` is the instant (aware, UTC); `today()` is the calendar day in the
Kingdom, which is what every date rule means by "today": a registration valid until
2026-05-31 is ACTIVE until midnight in Riyadh, on the public register, the practitioner's
own record and in renewal eligibility alike. Tests move this clock with time-machine."""

from __future__ import annotations

import datetime as dt

from server.domain.registry import kingdom_today


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return kingdom_today(now())
