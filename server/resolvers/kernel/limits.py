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
    count = await _count(key, window)
    if count > limit:
        start = _window_start(moment, window)
        return max(1, int((start + window - moment).total_seconds()))
    return None


async def count(key: str, window: dt.timedelta) -> tuple[int, int]:
    """Counts one use of `key`: (uses in this window so far, seconds until it ends), for
    callers that also tell the client how much is left (the RateLimit headers)."""
    moment = clock.now()
    start = _window_start(moment, window)
    return await _count(key, window), max(1, int((start + window - moment).total_seconds()))


def _window_start(moment: dt.datetime, window: dt.timedelta) -> dt.datetime:
    return dt.datetime.fromtimestamp(
        math.floor(moment.timestamp() / window.total_seconds()) * window.total_seconds(), dt.UTC)


async def _count(key: str, window: dt.timedelta) -> int:
    """Counts one use of `key` in the current fixed window; returns the uses so far."""
    moment = clock.now()
    start = _window_start(moment, window)
    counter, created = await RateCounter.get_or_create(
        key=key[:200], defaults={"window_start": start, "count": 1})
    if not created:
        if counter.window_start < start:
            # A new window: reset unless another request already did.
            reset = await RateCounter.filter(key=counter.key, window_start=counter.window_start) \
                .update(window_start=start, count=1)
            if reset:
                return 1
        await RateCounter.filter(key=counter.key).update(count=F("count") + 1)
        counter = await RateCounter.get(key=counter.key)
    return counter.count


async def limit(key: str, limit_: int, window: dt.timedelta, field: str | None = None) -> None:
    """Raises RATE_LIMITED, saying when to retry, once `key` is used more than allowed."""
    wait = await hit(key, limit_, window)
    if wait is not None:
        raise rate_limited(wait, field)


async def pace(key: str, free: int, window: dt.timedelta, gap: dt.timedelta,
               max_gap: dt.timedelta, field: str | None = None) -> None:
    """For a key many people share (a client address: a hospital network, a carrier's NAT),
    a growing delay instead of a lockout: `free` uses a window, then each further use must
    wait `gap` after the one before, doubling with every further `free` uses up to
    `max_gap`. Raises RATE_LIMITED saying how long to wait (seconds, never an hour). Only
    uses let through are counted: asking again too early does not push the delay up."""
    moment = clock.now()
    row = await RateCounter.get_or_none(key=key[:200])
    used = row.count if row and row.window_start >= _window_start(moment, window) else 0
    if used >= free:
        spacing = min(max_gap, gap * 2 ** ((used - free) // free))
        pace_key = f"pace:{key}"[:200]
        # `window_start` of the pace row holds the moment the next use may come.
        admitted = await RateCounter.filter(key=pace_key, window_start__lte=moment).update(
            window_start=moment + spacing)
        if not admitted:
            waiting, created = await RateCounter.get_or_create(
                key=pace_key, defaults={"window_start": moment + spacing, "count": 0})
            if not created:
                raise rate_limited(
                    max(1, math.ceil((waiting.window_start - moment).total_seconds())), field)
    await _count(key, window)


def rate_limited(seconds: int, field: str | None = None) -> DomainError:
    if seconds < 60:
        return DomainError("RATE_LIMITED", field,
                           N_("Too many attempts. Try again in %(seconds)s seconds."),
                           seconds=seconds, retry_after=seconds)
    minutes = max(1, math.ceil(seconds / 60))
    return DomainError("RATE_LIMITED", field,
                       N_("Too many attempts. Try again in %(minutes)s minute(s)."),
                       minutes=minutes, retry_after=seconds)
