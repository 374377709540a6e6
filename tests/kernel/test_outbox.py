"""The outbox delivers through real servers: aiosmtpd for email, a local HTTP server for SMS."""

import asyncio
import datetime as dt
import socket

import pytest

from server import clock, worker
from server.integrations import devmailbox
from server.models.outbox import OutboxMessage
from server.resolvers.kernel.outbox import enqueue_email
from tests.conftest import IS_POSTGRES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_an_email_reaches_a_real_smtp_server(settings, clean_db, smtp_server):
    await enqueue_email("dr.sara@example.com", "مرحبا", "نص الرسالة", "<p>نص</p>")
    delivered = await worker.run_once(worker.Deliverer(settings, smtp_server.url))
    assert delivered == 1
    [mail] = smtp_server.messages()
    assert mail.to == "dr.sara@example.com" and mail.subject == "مرحبا"
    assert "نص الرسالة" in mail.text and "<p>نص</p>" in mail.html
    row = await OutboxMessage.get()
    assert row.status == "SENT" and row.sent_at is not None and row.attempts == 1


async def test_a_message_survives_the_smtp_server_being_down(settings, clean_db, tmp_path):
    port = free_port()
    deliverer = worker.Deliverer(settings, f"smtp://127.0.0.1:{port}")
    await enqueue_email("a@example.com", "Receipt", "Paid.")

    assert await worker.run_once(deliverer) == 0  # nobody listening
    row = await OutboxMessage.get()
    assert row.status == "PENDING" and row.attempts == 1 and "SMTP" in row.last_error
    assert row.next_attempt_at > clock.now() + dt.timedelta(seconds=25)  # 30 s back-off

    server, _ = await devmailbox.start(tmp_path / "box", port=port)
    try:
        assert await worker.run_once(deliverer) == 0  # not due yet: back-off is respected
        await OutboxMessage.filter(id=row.id).update(next_attempt_at=clock.now())
        assert await worker.run_once(deliverer) == 1
        assert [m.subject for m in devmailbox.read(tmp_path / "box")] == ["Receipt"]
        row = await OutboxMessage.get()
        assert row.status == "SENT" and row.attempts == 2
    finally:
        server.close()


def test_back_off_doubles_from_30_seconds_to_an_hour():
    delays = [worker.retry_delay(n).total_seconds() for n in range(1, 11)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 3600 and delays[-1] == 3600


async def test_after_ten_attempts_a_message_is_dead(settings, clean_db):
    deliverer = worker.Deliverer(settings, f"smtp://127.0.0.1:{free_port()}")
    await enqueue_email("a@example.com", "Never", "x")
    for _ in range(worker.MAX_ATTEMPTS):
        await OutboxMessage.filter(status="PENDING").update(next_attempt_at=clock.now())
        await worker.run_once(deliverer)
    row = await OutboxMessage.get()
    assert row.status == "DEAD" and row.attempts == worker.MAX_ATTEMPTS


async def test_a_crashed_workers_claim_is_taken_again_after_its_lease(settings, clean_db,
                                                                      smtp_server):
    await enqueue_email("a@example.com", "Lease", "x")
    [claimed] = await worker.claim()  # this worker "dies" without delivering
    assert await worker.claim() == []  # leased to the dead worker for now
    await OutboxMessage.filter(id=claimed.id).update(
        locked_until=clock.now() - dt.timedelta(seconds=1))
    assert await worker.run_once(worker.Deliverer(settings, smtp_server.url)) == 1
    assert len(smtp_server.messages()) == 1


async def test_dedupe_key_queues_a_message_once(clean_db):
    assert await enqueue_email("a@example.com", "Reminder", "x", dedupe_key="r:1:90") is not None
    assert await enqueue_email("a@example.com", "Reminder", "x", dedupe_key="r:1:90") is None
    assert await OutboxMessage.all().count() == 1


@pytest.mark.postgres
async def test_two_workers_on_postgres_deliver_each_message_exactly_once(settings, clean_db,
                                                                         smtp_server):
    assert IS_POSTGRES
    await OutboxMessage.bulk_create([
        OutboxMessage(channel="email", recipient=f"p{i}@example.com",
                      payload={"subject": f"m{i}", "text": "x", "html": None},
                      next_attempt_at=clock.now())
        for i in range(200)])
    deliverers = [worker.Deliverer(settings, smtp_server.url) for _ in range(2)]

    async def drain(d):
        total = 0
        while (n := await worker.run_once(d, limit=20)):
            total += n
        return total

    counts = await asyncio.gather(*(drain(d) for d in deliverers))
    assert sum(counts) == 200 and all(c > 0 for c in counts)
    subjects = [m.subject for m in smtp_server.messages()]
    assert sorted(subjects) == sorted(f"m{i}" for i in range(200))
    assert await OutboxMessage.filter(status="SENT").count() == 200


async def test_sms_goes_to_the_http_gateway_and_a_503_is_retried(settings, clean_db, deliver,
                                                                 sms_gateway):
    from server.resolvers.kernel.outbox import enqueue_sms

    await enqueue_sms("+966551234567", "رمزك 123456")
    sms_gateway.fail_next = 1
    assert await deliver() == 0
    row = await OutboxMessage.get()
    assert row.status == "PENDING" and "503" in row.last_error
    await OutboxMessage.filter(id=row.id).update(next_attempt_at=clock.now())
    assert await deliver() == 1
    [sent] = sms_gateway.received
    assert sent == {"auth": "Bearer test-token", "recipients": ["966551234567"],
                    "body": "رمزك 123456", "sender": "SIJIL"}


async def test_an_unreachable_sms_gateway_is_a_retryable_failure(settings, clean_db):
    import dataclasses

    from server.resolvers.kernel.outbox import enqueue_sms

    offline = dataclasses.replace(settings, sms_backend="taqnyat", sms_api_token="t",
                                  sms_api_url=f"http://127.0.0.1:{free_port()}/v1/messages")
    await enqueue_sms("+966551234567", "x")
    assert await worker.run_once(worker.Deliverer(offline, "")) == 0
    row = await OutboxMessage.get()
    assert row.status == "PENDING" and "unreachable" in row.last_error
