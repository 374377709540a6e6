"""The daily job of registration events that no request causes: `registration.expiring`
90, 30 and 7 days before validUntil (once each) and `registration.expired` the day after
it. The worker runs it with its other sweeps (every few minutes: re-running is harmless).

Once each: every occurrence has a key (registration, validUntil, threshold) that the
outbox (OutboxMessage.dedupe_key) or the feed (RegisterChange.dedupe_key) holds uniquely,
so restarts and several workers record it once; a renewal moves validUntil, hence new keys.
A worker that was down on the day catches up for CATCH_UP_DAYS days, like the reminders.
Each registration is its own transaction: a duplicate from a concurrent worker rolls back
that one only."""

from __future__ import annotations

import datetime as dt
import logging

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.models.employers import RegisterChange
from server.models.practitioners import Registration
from server.resolvers.employers.events import registration_changed

log = logging.getLogger("sijil.employers")

THRESHOLDS = (90, 30, 7)
CATCH_UP_DAYS = 3
LIMIT = 5000  # registrations per kind per run; the next run takes the rest


def _window(days: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """validUntil dates whose `days` threshold is due today (or was, up to CATCH_UP_DAYS)."""
    return (today + dt.timedelta(days=days - CATCH_UP_DAYS), today + dt.timedelta(days=days))


async def _once(registration: Registration, event: str, dedupe: str, feed: bool,
                today: dt.date) -> int:
    try:
        async with in_transaction():
            return await registration_changed(registration, event, dedupe=dedupe, feed=feed,
                                              today=today)
    except IntegrityError:
        return 0  # another worker recorded it meanwhile


async def send_registration_events(today: dt.date) -> int:
    """Returns how many webhooks were queued."""
    queued = 0
    for days in THRESHOLDS:
        start, end = _window(days, today)
        # Only watched registrations can have a webhook to send; expiring is not a change
        # of the register, so it has no feed row.
        rows = await Registration.filter(
            valid_until__gte=start, valid_until__lte=end, suspended=False,
            watchers__organization__endpoint__id__isnull=False).distinct().limit(LIMIT)
        for registration in rows:
            queued += await _once(registration, "registration.expiring",
                                  f"{registration.id}:{registration.valid_until}:{days}",
                                  feed=False, today=today)
    # Expired: the day after validUntil (the last valid day), for the feed and webhooks.
    start = today - dt.timedelta(days=CATCH_UP_DAYS + 1)
    rows = await Registration.filter(valid_until__gte=start, valid_until__lt=today,
                                     suspended=False).limit(LIMIT)
    done = set(await RegisterChange.filter(
        dedupe_key__in=[f"registration.expired:{r.id}:{r.valid_until}" for r in rows],
    ).values_list("dedupe_key", flat=True)) if rows else set()
    for registration in rows:
        dedupe = f"{registration.id}:{registration.valid_until}"
        if f"registration.expired:{dedupe}" not in done:
            queued += await _once(registration, "registration.expired", dedupe, feed=True,
                                  today=today)
    return queued
