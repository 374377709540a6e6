"""PostgreSQL only (the PostgreSQL pass of `make test`), where several processes share the
database: a real `sijil worker` process killed with SIGKILL while a webhook is in flight,
and the change feed's writers committing in id order."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from tortoise.transactions import in_transaction

from server.models.employers import RegisterChange
from server.models.outbox import OutboxMessage
from server.models.practitioners import Registration
from server.resolvers.employers.events import registration_changed
from tests.builders import imported_record
from tests.employers.helpers import receiving
from tests.employers.test_webhooks import employer, set_status
from tests.kernel.test_crash_recovery import Proc, env_for, poll, processes

pytestmark = pytest.mark.postgres


async def test_a_killed_worker_process_redelivers_the_same_id_processed_once(
        client, settings, tmp_path):
    await imported_record(number="24-R-0000101", identity="1000000008")
    async with receiving() as receiver, processes() as started:
        admin, _, _ = await employer(client, receiver)
        await set_status(client, admin, "24-R-0000101", True)
        receiver.hold = asyncio.Event()
        env = env_for(settings, tmp_path)
        worker = Proc("worker", ["worker"], env, tmp_path)
        started.append(worker)
        try:
            await asyncio.wait_for(receiver.arrived.wait(), 30)
        except TimeoutError:
            raise AssertionError(f"no webhook arrived:\n{worker.output()}") from None
        # The receiver has the event; the worker dies before it hears the answer.
        await worker.kill()
        receiver.hold.set()
        message = await OutboxMessage.get(channel="standard_webhook")
        assert message.status == "SENDING"

        async def processed() -> bool:
            return bool(receiver.processed)

        await poll(processed, 5, what="the receiver processing the event")
        # The dead worker's lease (5 minutes) runs out: the test moves its end into the past.
        await OutboxMessage.filter(id=message.id).update(
            locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        receiver.hold = None
        restarted = Proc("worker-2", ["worker"], env, tmp_path)
        started.append(restarted)

        async def sent() -> bool:
            if not restarted.alive:
                raise AssertionError(f"the worker exited:\n{restarted.output()}")
            return (await OutboxMessage.get(id=message.id)).status == "SENT"

        await poll(sent, 30, interval=0.1, what="the webhook marked sent")
        await restarted.kill()
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]  # at least once, under one webhook-id
    assert list(receiver.processed) == [ids[0]]  # the receiver processed it exactly once


async def test_the_feeds_writers_commit_in_id_order(clean_db):
    """A reader paging by id must never miss a row committed after a higher id."""
    for number, identity in (("24-R-0000101", "1000000008"), ("24-R-0000102", "1000000016")):
        await imported_record(number=number, identity=identity)
    first, second = [await Registration.get(number=n) for n in ("24-R-0000101", "24-R-0000102")]
    written, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        async with in_transaction():
            await registration_changed(first, "registration.suspended")
            written.set()
            await release.wait()  # a long transaction: its feed row is not committed yet

    async def quick() -> None:
        async with in_transaction():
            await registration_changed(second, "registration.suspended")

    slow_task = asyncio.create_task(slow())
    try:
        await asyncio.wait_for(written.wait(), 5)
        quick_task = asyncio.create_task(quick())
        await asyncio.sleep(0.3)
        assert not quick_task.done()  # it waits for the earlier writer's commit
    finally:
        release.set()  # never leave the slow transaction open (the clean-up would wait)
        await slow_task
    await quick_task
    rows = await RegisterChange.filter(type="registration.suspended").order_by("id")
    assert [r.registration_number for r in rows] == ["24-R-0000101", "24-R-0000102"]
