"""Scheduled jobs that run once across every worker process on every host.

Each job has a row in `job_lease` saying when it is next due. A worker that finds it due
moves `next_run_at` on with a conditional update (`WHERE next_run_at <= now`): the database
applies one such update at a time, so exactly one worker sees its update change a row and
runs the job; the others see zero rows changed and skip. This works the same on
PostgreSQL and SQLite and needs no lock held while the job runs. A worker that dies during
a job leaves it to the next period, which the jobs allow: each of them (reminders, the
payment janitor, unattached uploads) catches up with everything due when it next runs.
"""

from __future__ import annotations

import datetime as dt

from tortoise.exceptions import IntegrityError

from server import clock
from server.models.outbox import JobLease


async def take(name: str, every: dt.timedelta, holder: str) -> bool:
    """True for the one caller that gets to run `name` now; it is next due `every` later."""
    moment = clock.now()
    if not await JobLease.exists(name=name):
        try:
            await JobLease.create(name=name, next_run_at=moment)
        except IntegrityError:
            pass  # another worker created it first: the update below decides
    taken = await JobLease.filter(name=name, next_run_at__lte=moment).update(
        next_run_at=moment + every, taken_by=holder[:64], taken_at=moment)
    return taken == 1
