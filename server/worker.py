"""The outbox worker: claims due messages, delivers them, retries with back-off.

Order: messages sharing an `ordering_key` (the webhooks about one practitioner for one
organisation) are claimed one at a time, in id order: a message waits while an earlier one
of its key is PENDING or SENDING (a DEAD one no longer holds the others back).

At-least-once: a claim is a lease (`locked_until`); a worker that dies mid-send leaves its
rows to be claimed again when the lease runs out, so a crash can cause one duplicate but
never a lost message. Several workers are safe: PostgreSQL claims with
`FOR UPDATE SKIP LOCKED`, SQLite with a conditional update per row.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid

import aiosmtplib
import httpx
from tortoise import connections

from server import clock, schedule
from server.config import Settings
from server.integrations import devmailbox, mail, sms
from server.integrations.storage import storage_for
from server.models.outbox import OutboxMessage
from server.resolvers.employers import delivery as employer_delivery
from server.resolvers.employers import events as employer_events
from server.resolvers.employers.expiry import send_registration_events
from server.resolvers.kernel.documents import delete_unattached
from server.resolvers.payments.checkout import expire_overdue
from server.resolvers.renewals.reminders import send_due_reminders
from server.resolvers.review.escalation import escalate_overdue

log = logging.getLogger("sijil.worker")

MAX_ATTEMPTS = 10
FIRST_DELAY = dt.timedelta(seconds=30)
LONGEST_DELAY = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=5)
BATCH = 100
SMTP_CONNECTIONS = 4  # emails of one batch go out over this many connections at once
# The sweep (unattached uploads, reminders, unpaid payments) runs this often, by one worker
# of all of them (server/schedule.py); each worker asks whether it is due this often.
SWEEP_EVERY = dt.timedelta(minutes=10)
SWEEP_POLL = 30.0


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at 1 h."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_DELAY)


def _is_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def claim(limit: int = BATCH) -> list[OutboxMessage]:
    moment = clock.now()
    lease_end = moment + LEASE
    if _is_postgres():
        conn = connections.get("default")
        rows = await conn.execute_query_dict(
            """
            UPDATE outbox_message SET status = 'SENDING', locked_until = $1,
                   attempts = attempts + 1
             WHERE id IN (
                SELECT id FROM outbox_message
                 WHERE ((status = 'PENDING' AND next_attempt_at <= $2)
                    OR (status = 'SENDING' AND locked_until < $2))
                   AND NOT EXISTS (SELECT 1 FROM outbox_message earlier
                        WHERE earlier.ordering_key = outbox_message.ordering_key
                          AND earlier.id < outbox_message.id
                          AND earlier.status IN ('PENDING', 'SENDING'))
                 ORDER BY next_attempt_at LIMIT $3
                 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,
            [lease_end, moment, limit],
        )
        ids = [r["id"] for r in rows]
        return list(await OutboxMessage.filter(id__in=ids).order_by("id")) if ids else []
    # SQLite (3.35+ has RETURNING): one statement claims the batch, under the database's
    # single write lock, instead of a conditional update per row. Datetimes are compared as
    # the text Tortoise stores ("YYYY-MM-DD HH:MM:SS.ffffff+00:00").
    conn = connections.get("default")
    stamp = lambda value: value.isoformat(sep=" ")  # noqa: E731
    rows = await conn.execute_query_dict(
        """
        UPDATE outbox_message SET status = 'SENDING', locked_until = ?,
               attempts = attempts + 1
         WHERE id IN (
            SELECT id FROM outbox_message
             WHERE ((status = 'PENDING' AND next_attempt_at <= ?)
                OR (status = 'SENDING' AND locked_until < ?))
               AND NOT EXISTS (SELECT 1 FROM outbox_message earlier
                    WHERE earlier.ordering_key = outbox_message.ordering_key
                      AND earlier.id < outbox_message.id
                      AND earlier.status IN ('PENDING', 'SENDING'))
             ORDER BY next_attempt_at LIMIT ?)
        RETURNING id
        """,
        [stamp(lease_end), stamp(moment), stamp(moment), limit],
    )
    ids = [r["id"] for r in rows]
    return list(await OutboxMessage.filter(id__in=ids).order_by("id")) if ids else []


async def mark_sent(ids: list[int]) -> None:
    if ids:
        await OutboxMessage.filter(id__in=ids, status="SENDING").update(
            status="SENT", sent_at=clock.now(), locked_until=None, last_error="")


async def mark_failed(message: OutboxMessage, error: str) -> None:
    dead = message.attempts >= MAX_ATTEMPTS
    await OutboxMessage.filter(id=message.id, status="SENDING").update(
        status="DEAD" if dead else "PENDING",
        next_attempt_at=clock.now() + retry_delay(message.attempts),
        locked_until=None,
        last_error=error[:1000],
    )
    (log.error if dead else log.warning)(
        "outbox message %s failed (attempt %s): %s", message.id, message.attempts, error,
        extra={"fields": {"channel": message.channel, "dead": dead}})


class Deliverer:
    """Delivers a batch; emails share one SMTP connection."""

    def __init__(self, settings: Settings, smtp_url: str) -> None:
        self.settings = settings
        self.smtp = mail.SmtpTarget.from_url(smtp_url) if smtp_url else None

    async def deliver(self, messages: list[OutboxMessage]) -> int:
        sent: list[int] = []
        emails = [m for m in messages if m.channel == "email"]
        others = [m for m in messages if m.channel != "email"]
        if emails:
            sent += await self._emails(emails)
        for message in others:
            try:
                await self._one(message)
            except Exception as error:
                await mark_failed(message, f"{type(error).__name__}: {error}")
            else:
                sent.append(message.id)
        await mark_sent(sent)
        return len(sent)

    async def _emails(self, messages: list[OutboxMessage]) -> list[int]:
        if self.smtp is None:
            for message in messages:
                await mark_failed(message, "no SMTP_URL configured")
            return []
        # A message costs a few round trips (MAIL, RCPT, DATA) and little CPU: several
        # connections at once keep the SMTP server busy instead of waiting on each answer.
        slices = [messages[i::SMTP_CONNECTIONS] for i in range(SMTP_CONNECTIONS)]
        done = await asyncio.gather(*(self._emails_on_one_connection(s) for s in slices if s))
        return [message_id for ids in done for message_id in ids]

    async def _emails_on_one_connection(self, messages: list[OutboxMessage]) -> list[int]:
        sent: list[int] = []
        client = None
        for message in messages:
            try:
                if client is None:
                    client = aiosmtplib.SMTP(
                        hostname=self.smtp.host, port=self.smtp.port, use_tls=self.smtp.use_tls,
                        start_tls=self.smtp.start_tls, timeout=15,
                        username=self.smtp.username, password=self.smtp.password)
                    await client.connect()
                p = message.payload
                attachments = await self._attachments(p.get("attachments") or [])
                await client.send_message(mail.compose(
                    self.settings.mail_from, message.recipient, p["subject"], p["text"],
                    p.get("html"), attachments))
            except Exception as error:
                await mark_failed(message, f"{type(error).__name__}: {error}")
                client = await _close(client)
            else:
                sent.append(message.id)
        await _close(client)
        return sent

    async def _attachments(self, attachments: list[dict]) -> list[dict]:
        """Registration cards are drawn now, at sending, from the registration as it is."""
        from server.resolvers.register.cards import card_pdf_for

        found = []
        for attachment in attachments:
            if "card" in attachment:
                pdf = await card_pdf_for(attachment["card"], self.settings)
                if pdf is None:
                    continue
                attachment = {**attachment, "data_b64": base64.b64encode(pdf).decode()}
            found.append(attachment)
        return found

    async def _one(self, message: OutboxMessage) -> None:
        if message.channel == "sms":
            await sms.send(self.settings, message.recipient, message.payload["body"])
        elif message.channel == employer_events.CHANNEL:
            await employer_delivery.send(message.payload)
        elif message.channel == "webhook":
            # The raw body is sent byte for byte: the signature in the headers covers it.
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(message.recipient,
                                             content=message.payload["raw"].encode(),
                                             headers=message.payload.get("headers") or {})
            if response.status_code >= 300:
                raise RuntimeError(f"webhook answered {response.status_code}")
        else:
            raise RuntimeError(f"unknown channel {message.channel}")


async def _close(client) -> None:
    if client is not None:
        with contextlib.suppress(Exception):
            await client.quit()
    return None


async def run_once(deliverer: Deliverer, limit: int = BATCH) -> int:
    """One claim-and-deliver round; returns how many messages were delivered."""
    messages = await claim(limit)
    if not messages:
        return 0
    return await deliverer.deliver(messages)


async def sweep(settings: Settings, worker_id: str) -> None:
    log.info("worker %s runs the scheduled sweep", worker_id,
             extra={"fields": {"job": "sweep", "worker": worker_id}})
    try:
        await delete_unattached(storage=storage_for(settings))
    except Exception:
        log.exception("deleting unattached documents failed")
    try:
        await send_due_reminders(settings, clock.today())
    except Exception:
        log.exception("queueing renewal reminders failed")
    try:
        await send_registration_events(clock.today())
    except Exception:
        log.exception("queueing registration events failed")
    try:
        await expire_overdue(settings)
    except Exception:
        log.exception("expiring unpaid payments failed")
    try:
        await escalate_overdue(settings)
    except Exception:
        log.exception("escalating overdue applications failed")


async def run_forever(deliverer: Deliverer, stop: asyncio.Event, idle: float = 1.0) -> None:
    worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    log.info("outbox worker %s started", worker_id)
    loop = asyncio.get_running_loop()
    polled_at = loop.time() - SWEEP_POLL  # ask at start-up, then every SWEEP_POLL seconds
    while not stop.is_set():
        if loop.time() - polled_at >= SWEEP_POLL:
            polled_at = loop.time()
            try:
                due = await schedule.take("sweep", SWEEP_EVERY, worker_id)
            except Exception:
                log.exception("asking whether the sweep is due failed")
                due = False
            if due:
                await sweep(deliverer.settings, worker_id)
        try:
            claimed = await run_once(deliverer)
        except Exception:
            log.exception("outbox round failed")
            claimed = 0
        if claimed == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=idle)
    log.info("outbox worker %s stopped", worker_id)


@contextlib.asynccontextmanager
async def run_in_background(settings: Settings):
    """For `sijil serve`: the worker, and in development the embedded mailbox."""
    smtp_url = settings.smtp_url
    server = None
    if settings.embedded_mailbox:
        server, port = await devmailbox.start(settings.data_dir / "mailbox")
        smtp_url = f"smtp://127.0.0.1:{port}"
        log.info("development mailbox listening on 127.0.0.1:%s (see /dev/mailbox)", port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(Deliverer(settings, smtp_url), stop))
    try:
        yield
    finally:
        stop.set()
        await task
        if server is not None:
            server.close()
            await server.wait_closed()
