"""Crash recovery: the app, the outbox worker and the registry import run as real processes,
are killed with SIGKILL at chosen points, restarted, and the database must come out
consistent (docs/security.md, "Money and messages": a payment moves its application exactly
once; the outbox delivers at least once and a crash loses nothing).

PostgreSQL only (the PostgreSQL pass of `make test`): several processes share the database.

Points of the payment callback that are crashed at:
  - received but not yet processed (the app is stopped with SIGSTOP, the callback sits in
    the kernel's socket buffer, then SIGKILL): the gateway's retry applies it, once;
  - in the middle of processing (the event is recorded, the payment not yet moved): see
    `test_a_callback_killed_mid_processing_is_applied_when_the_gateway_retries`;
  - after the answer: the retry is a harmless duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from tortoise import connections

from server import clock
from server.domain import fees
from server.integrations import devmailbox
from server.integrations.payments.sandbox import SandboxGateway
from server.models.accounts import Account
from server.models.applications import Application, ApplicationEvent
from server.models.outbox import OutboxMessage
from server.models.payments import Payment, PaymentEvent
from server.models.practitioners import CpdActivity, Experience, Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
from server.worker import BATCH
from tests.builders import imported_record, op, upload
from tests.conftest import NoCookies, gql, schema_of
from tests.renewals.test_renewal import start_answer_attach

pytestmark = pytest.mark.postgres  # asyncio_mode = auto marks the tests themselves

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


# ------------------------------------------------------------------ processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A `sijil` command as a real process, its output in a log file; stopped with SIGKILL
    (a crash) or at the end of the test, always by its own pid."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self.logfile = self.log_path.open("a")
        self.proc = subprocess.Popen([PY, "-m", "server.cli", *args], env=env, cwd=ROOT,
                                     stdout=self.logfile, stderr=subprocess.STDOUT)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            os.kill(self.proc.pid, sig)

    async def kill(self) -> None:
        """SIGKILL: no clean-up handlers, no flush, as a power cut or the OOM killer."""
        if self.alive:
            os.kill(self.proc.pid, signal.SIGKILL)
        while self.proc.poll() is None:  # noqa: ASYNC110 - a child process has no awaitable
            await asyncio.sleep(0.01)
        self.logfile.close()

    async def wait(self, timeout: float) -> int:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.proc.poll() is None:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name} did not finish in {timeout} s")
            await asyncio.sleep(0.05)
        self.logfile.close()
        return self.proc.returncode

    def output(self) -> str:
        if not self.logfile.closed:
            self.logfile.flush()
        return self.log_path.read_text()


@contextlib.asynccontextmanager
async def processes():
    """Every process started inside is killed on the way out, whatever happened."""
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in started:
            if proc.alive:
                proc.signal(signal.SIGCONT)  # a stopped process dies on SIGKILL too
                await proc.kill()
            if not proc.logfile.closed:
                proc.logfile.close()


def env_for(settings, tmp_path: Path, *, port: int | None = None, smtp_url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIJIL_", "SMTP_"))}
    env.update({
        "DATABASE_URL": settings.database_url, "DATA_DIR": str(tmp_path / "data"),
        "SIJIL_ENV": "development", "SECRET_KEY": settings.secret_key,
        "PAYMENT_WEBHOOK_SECRET": settings.payment_webhook_secret,
        "BASE_URL": f"http://127.0.0.1:{port or 8000}", "SMS_BACKEND": "console",
        "PAYMENT_PROVIDER": "sandbox", "PYTHONUNBUFFERED": "1"})
    if smtp_url:
        env["SMTP_URL"] = smtp_url
    return env


async def start_app(started: list[Proc], env: dict, port: int, logdir: Path) -> Proc:
    app = Proc("app", ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
               env, logdir)
    started.append(app)
    deadline = asyncio.get_running_loop().time() + 30
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            if not app.alive:
                raise AssertionError(f"the app exited:\n{app.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code < 500:
                    return app
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the app did not start:\n{app.output()}")
            await asyncio.sleep(0.1)


async def raw_pg(settings) -> asyncpg.Connection:
    """A plain connection to the test's schema, outside Tortoise (to hold locks)."""
    base = re.sub(r"[?&]schema=[a-z0-9_]+", "", settings.database_url) \
        .replace("asyncpg://", "postgres://")
    conn = await asyncpg.connect(base)
    await conn.execute(f'SET search_path TO "{schema_of(settings.database_url)}"')
    return conn


async def poll(predicate, timeout: float, interval: float = 0.02, what: str = "condition"):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not met in {timeout} s")
        await asyncio.sleep(interval)


# ------------------------------------------------------------------ consistency

async def assert_consistent() -> None:
    """Invariants that must hold after any crash and recovery."""
    conn = connections.get("default")
    stuck = await conn.execute_query_dict(
        "SELECT a.id FROM application a JOIN payment p ON p.application_id = a.id "
        "WHERE a.status = 'AWAITING_PAYMENT' AND p.status = 'PAID'")
    assert stuck == [], f"applications awaiting payment that are paid: {stuck}"
    paid_twice = await conn.execute_query_dict(
        "SELECT application_id FROM payment WHERE status = 'PAID' "
        "GROUP BY application_id HAVING count(*) > 1")
    assert paid_twice == [], f"applications paid twice: {paid_twice}"
    moved_twice = await conn.execute_query_dict(
        "SELECT application_id FROM application_event WHERE from_status = 'AWAITING_PAYMENT' "
        "GROUP BY application_id HAVING count(*) > 1")
    assert moved_twice == [], f"applications moved out of AWAITING_PAYMENT twice: {moved_twice}"
    events_twice = await conn.execute_query_dict(
        "SELECT event_id FROM payment_event GROUP BY event_id HAVING count(*) > 1")
    assert events_twice == []
    sending = await OutboxMessage.filter(status="SENDING").count()
    assert sending == 0, f"{sending} outbox rows left SENDING after recovery"


# ------------------------------------------------------------------ a. payment callbacks



async def awaiting_payment(client: httpx.AsyncClient) -> tuple[str, str, Payment]:
    """A claimed record, signed in (a session opened directly), a renewal driven to
    AWAITING_PAYMENT over the app's HTTP API and a sandbox payment started: (token,
    application id, payment)."""
    practitioner = await imported_record()
    account = await Account.create(
        email="sara@example.com", mobile="+966551234567", first_name="Sara",
        family_name="Alqahtani", password_hash="-", status="ACTIVE", roles="PRACTITIONER",
        language="en", email_verified_at=dt.datetime.now(dt.UTC),
        mobile_verified_at=dt.datetime.now(dt.UTC))
    await Practitioner.filter(id=practitioner.id).update(account_id=account.id)
    token = await open_session(account, ip="127.0.0.1")
    certificate = await upload(client, token)
    await Experience.create(practitioner_id=practitioner.id, city="Riyadh", country="SA",
                            workplace="KFMC", specialty="IM", start_date=dt.date(2018, 1, 1),
                            organization_type="GOVERNMENT", certificate_id=certificate)
    await CpdActivity.create(practitioner_id=practitioner.id, title="Annual conference",
                             provider="SHA", hours=90, recognised_hours=90,
                             completed_on=clock.today() - dt.timedelta(days=30),
                             status="RECOGNISED")
    renewal_id = await start_answer_attach(SimpleNamespace(client=client), token)
    submitted = (await gql(client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
                           token=token))["data"]["submitRenewal"]
    assert submitted["renewal"]["status"] == "AWAITING_PAYMENT", submitted
    paid = (await gql(client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": "MADA"}}, token=token))["data"]["payApplication"]
    assert paid["errors"] == [], paid["errors"]
    payment = await Payment.get(id=paid["payment"]["id"])
    assert payment.provider_payment_id and payment.status == "INITIATED"
    return token, renewal_id, payment


def signed_callback(settings, payment: Payment) -> tuple[str, dict[str, str]]:
    return SandboxGateway(settings).callback(payment.provider_payment_id, "paid",
                                             fees.to_halalas(payment.amount), "SAR", {})


async def post_callback(url: str, body: str, headers: dict, timeout: float = 10) -> httpx.Response:
    async with httpx.AsyncClient(timeout=timeout) as client:
        return await client.post(f"{url}/payments/webhook/sandbox", content=body.encode(),
                                 headers=headers)


async def assert_paid_once(renewal_id: str, payment: Payment, event_id: str) -> None:
    assert (await Payment.get(id=payment.id)).status == "PAID"
    assert await Payment.filter(application_id=renewal_id, status="PAID").count() == 1
    moves = await ApplicationEvent.filter(application_id=renewal_id,
                                          from_status="AWAITING_PAYMENT").values_list(
        "to_status", flat=True)
    assert len(moves) == 1, f"the application moved {len(moves)} times: {moves}"
    assert (await Application.get(id=renewal_id)).status != "AWAITING_PAYMENT"
    assert await PaymentEvent.filter(event_id=event_id).count() == 1
    receipts = await OutboxMessage.filter(dedupe_key=f"receipt:{payment.id}").count()
    assert receipts == 1


async def test_a_callback_received_when_the_app_dies_is_applied_once_on_the_retry(
        settings, clean_db, tmp_path):
    port = free_port()
    env = env_for(settings, tmp_path, port=port)
    url = f"http://127.0.0.1:{port}"
    async with processes() as started, \
            httpx.AsyncClient(base_url=url, cookies=NoCookies(), timeout=30) as client:
        app = await start_app(started, env, port, tmp_path)
        _, renewal_id, payment = await awaiting_payment(client)
        body, headers = signed_callback(settings, payment)
        event_id = re.search(r'"id":"(evt_[0-9a-f]+)"', body).group(1)

        # Received, not processed: the app is frozen, the kernel accepts the connection and
        # buffers the request; then the app is killed without ever reading it.
        app.signal(signal.SIGSTOP)
        with pytest.raises(httpx.TimeoutException):
            await post_callback(url, body, headers, timeout=0.5)
        await app.kill()
        assert (await Payment.get(id=payment.id)).status == "INITIATED"

        await start_app(started, env, port, tmp_path)
        retried = await post_callback(url, body, headers)  # the gateway retries
        assert retried.status_code == 200, retried.text
        assert retried.json()["outcome"] == "applied"
        await assert_paid_once(renewal_id, payment, event_id)

        # Killed right after sending (not waiting for the answer), then retried again: the
        # effect stays single whichever point the kill landed on.
        second_app = started[-1]
        sending = asyncio.create_task(post_callback(url, body, headers, timeout=2))
        await asyncio.sleep(0.005)
        await second_app.kill()
        with contextlib.suppress(httpx.HTTPError):
            await sending
        await start_app(started, env, port, tmp_path)
        again = await post_callback(url, body, headers)
        assert again.status_code == 200 and again.json()["outcome"] == "duplicate", again.text
        await assert_paid_once(renewal_id, payment, event_id)
    await assert_consistent()


async def test_a_callback_killed_mid_processing_is_applied_when_the_gateway_retries(
        settings, clean_db, tmp_path):
    port = free_port()
    env = env_for(settings, tmp_path, port=port)
    url = f"http://127.0.0.1:{port}"
    lock = await raw_pg(settings)
    try:
        async with processes() as started, \
                httpx.AsyncClient(base_url=url, cookies=NoCookies(), timeout=30) as client:
            app = await start_app(started, env, port, tmp_path)
            _, renewal_id, payment = await awaiting_payment(client)
            body, headers = signed_callback(settings, payment)
            event_id = re.search(r'"id":"(evt_[0-9a-f]+)"', body).group(1)

            # Make the crash point deterministic: hold the payment row's lock, so the app
            # records the event and then waits on `UPDATE payment … SET status='PAID'`.
            tx = lock.transaction()
            await tx.start()
            await lock.execute("SELECT 1 FROM payment WHERE id = $1 FOR NO KEY UPDATE",
                               payment.id)
            sending = asyncio.create_task(post_callback(url, body, headers, timeout=10))

            async def blocked() -> list[int]:
                return [r["pid"] for r in await lock.fetch(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")]

            waiting = await poll(blocked, 10, what="the app waiting on the payment row")
            # Recorded only together with its effect, in one transaction: not yet visible.
            assert await PaymentEvent.filter(event_id=event_id).count() == 0
            await app.kill()
            await tx.rollback()
            with contextlib.suppress(httpx.HTTPError):
                await sending

            async def orphan_gone() -> bool:  # the killed app's backend rolls back and ends
                return not await lock.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", waiting)

            await poll(orphan_gone, 10, what="the killed app's transaction ending")
            assert (await Payment.get(id=payment.id)).status == "INITIATED"

            await start_app(started, env, port, tmp_path)
            retried = await post_callback(url, body, headers)  # the gateway retries
            assert retried.status_code == 200, retried.text
            await assert_paid_once(renewal_id, payment, event_id)
        await assert_consistent()
    finally:
        await lock.close()


# ------------------------------------------------------------------ b. the outbox

async def test_a_worker_killed_while_sending_loses_no_email(settings, clean_db, smtp_server,
                                                            tmp_path):
    total = 300
    moment = dt.datetime.now(dt.UTC)
    await OutboxMessage.bulk_create([OutboxMessage(
        channel="email", recipient=f"crash{i:03d}@example.com", next_attempt_at=moment,
        payload={"subject": f"Crash test {i:03d}", "text": f"Message {i}"})
        for i in range(total)])
    env = env_for(settings, tmp_path, smtp_url=smtp_server.url)

    def received() -> list[str]:  # every message (smtp_server.messages() stops at 200)
        return [m.to for m in devmailbox.read(smtp_server.directory, limit=10 * total)]

    def count() -> int:
        return len(list(smtp_server.directory.glob("*.eml"))) if smtp_server.directory.exists() \
            else 0

    async with processes() as started:
        worker = Proc("worker", ["worker"], env, tmp_path)
        started.append(worker)

        async def some() -> bool:
            if not worker.alive:
                raise AssertionError(f"the worker exited:\n{worker.output()}")
            return count() >= 40

        await poll(some, 30, interval=0.005, what="the worker sending")
        await worker.kill()
        before = count()
        assert 0 < before < total, f"killed too late: {before} of {total} already received"
        sending = await OutboxMessage.filter(status="SENDING").count()
        assert sending > 0  # a claimed batch was in flight

        # The lease (worker.LEASE, 5 minutes) protects a live worker's claim; a dead worker's
        # rows are claimed again only once it runs out. The test does not wait 5 minutes: it
        # moves the lease's end into the past, which is what the clock would do.
        await OutboxMessage.filter(status="SENDING").update(
            locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))

        restarted = Proc("worker-2", ["worker"], env, tmp_path)
        started.append(restarted)

        async def drained() -> bool:
            if not restarted.alive:
                raise AssertionError(f"the worker exited:\n{restarted.output()}")
            return await OutboxMessage.filter(status__in=("PENDING", "SENDING")).count() == 0

        await poll(drained, 60, interval=0.1, what="the outbox drained")
        await restarted.kill()

    assert await OutboxMessage.filter(status="SENT").count() == total
    recipients = received()
    expected = {f"crash{i:03d}@example.com" for i in range(total)}
    assert set(recipients) == expected  # at least once: nothing lost
    duplicates = len(recipients) - len(expected)
    # At-least-once: a batch (worker.BATCH rows) is marked SENT only after all of it went
    # out, so a crash re-sends at most the batch that was in flight, each message at most
    # once more (docs/operations.md, "Delivery guarantees").
    assert 0 <= duplicates <= BATCH, duplicates
    assert max(Counter(recipients).values()) <= 2, Counter(recipients).most_common(3)
    print(f"\noutbox crash: {before} received before SIGKILL, {sending} rows in flight, "
          f"{duplicates} duplicates after recovery (bound {BATCH})")
    await assert_consistent()


# ------------------------------------------------------------------ c. the import

async def test_an_import_killed_mid_way_completes_on_the_rerun_without_duplicates(
        settings, clean_db, tmp_path):
    from bench.generate_registry import write_csv

    total = 30_000
    path = write_csv(tmp_path / "registry.csv", total, seed=7)
    env = env_for(settings, tmp_path)
    async with processes() as started:
        first = Proc("import-1", ["import-practitioners", str(path)], env, tmp_path)
        started.append(first)

        async def some_batches() -> bool:
            if not first.alive:
                raise AssertionError(f"the import ended before the kill:\n{first.output()}")
            return await Practitioner.all().count() >= 4_000  # two batches of 2,000

        await poll(some_batches, 60, interval=0.05, what="two batches committed")
        await first.kill()
        partial = await Practitioner.all().count()
        assert 0 < partial < total, partial
        assert await Registration.all().count() == partial  # batches commit whole

        second = Proc("import-2", ["import-practitioners", str(path)], env, tmp_path)
        started.append(second)
        assert await second.wait(90) == 0, second.output()
        print(f"\nimport crash: killed at {partial:,} practitioners; rerun: "
              f"{second.output().strip().splitlines()[-1]}")

    assert await Practitioner.all().count() == total
    assert await Registration.all().count() == total
    conn = connections.get("default")
    assert await conn.execute_query_dict(
        "SELECT identity_type, identity_number FROM practitioner "
        "GROUP BY identity_type, identity_number HAVING count(*) > 1") == []
    assert await conn.execute_query_dict(
        "SELECT number FROM registration GROUP BY number HAVING count(*) > 1") == []
    assert await conn.execute_query_dict(
        "SELECT practitioner_id FROM registration GROUP BY practitioner_id "
        "HAVING count(*) > 1") == []
    await assert_consistent()
