"""The worker's scheduled sweep (reminders, the payment janitor, unattached uploads) runs
once across every worker process and host, however many run at once."""

from __future__ import annotations

import asyncio
import datetime as dt

from server import schedule, worker
from server.models.outbox import JobLease


async def test_of_many_workers_asking_at_once_one_takes_the_job(clean_db, clock):
    every = dt.timedelta(minutes=10)
    taken = await asyncio.gather(*(schedule.take("sweep", every, f"w{i}") for i in range(12)))
    assert taken.count(True) == 1
    lease = await JobLease.get(name="sweep")
    assert lease.taken_by == f"w{taken.index(True)}"
    # Not due again until the period has passed; then again exactly one takes it.
    assert not await schedule.take("sweep", every, "late")
    clock.shift(every + dt.timedelta(seconds=1))
    taken = await asyncio.gather(*(schedule.take("sweep", every, f"v{i}") for i in range(12)))
    assert taken.count(True) == 1


async def test_two_workers_running_at_once_sweep_once(settings, clean_db, monkeypatch):
    swept: list[str] = []

    async def counted_sweep(settings, worker_id):
        swept.append(worker_id)

    monkeypatch.setattr(worker, "sweep", counted_sweep)
    monkeypatch.setattr(worker, "SWEEP_POLL", 0.05)  # ask often: a second sweep would show
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run_forever(worker.Deliverer(settings, ""), stop,
                                                    idle=0.01)) for _ in range(2)]
    await asyncio.sleep(0.6)
    stop.set()
    await asyncio.gather(*tasks)
    assert len(swept) == 1
    assert (await JobLease.get(name="sweep")).taken_by == swept[0]
