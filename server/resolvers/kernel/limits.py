"""Fixed-window rate limits kept in the database, so every app process shares them."""

from __future__ import annotations

import datetime as dt
import math

from tortoise.expressions import F

from server import clock
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.accounts import RateCounter


async def hit(key: str, limit: int, window: dt.timedelta) -> int | None:
    """Counts one use of `key`; returns seconds to wait when over `limit`, else None."""
    moment = clock.now()
    start = dt.datetime.fromtimestamp(
        math.floor(moment.timestamp() / window.total_seconds()) * window.total_seconds(), dt.UTC)
    counter, created = await RateCounter.get_or_create(
        key=key[:200], defaults={"window_start": start, "count": 1})
    if not created:
        if counter.window_start < start:
            # A new window: reset unless another request already did.
            reset = await RateCounter.filter(key=counter.key, window_start=counter.window_start) \
                .update(window_start=start, count=1)
            if reset:
                return None
        await RateCounter.filter(key=counter.key).update(count=F("count") + 1)
        counter = await RateCounter.get(key=counter.key)
    if counter.count > limit:
        return max(1, int((start + window - moment).total_seconds()))
    return None


async def limit(key: str, limit_: int, window: dt.timedelta, field: str | None = None) -> None:
    """Raises RATE_LIMITED, saying when to retry, once `key` is used more than allowed."""
    wait = await hit(key, limit_, window)
    if wait is not None:
        raise rate_limited(wait, field)


def rate_limited(seconds: int, field: str | None = None) -> DomainError:
    minutes = max(1, math.ceil(seconds / 60))
    return DomainError("RATE_LIMITED", field,
                       N_("Too many attempts. Try again in %(minutes)s minute(s)."),
                       minutes=minutes, retry_after=seconds)
