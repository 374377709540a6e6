"""Messages leave through the outbox: a row written in the same transaction as the change
that causes it. Nothing is sent from inside a request."""

from __future__ import annotations

from server import clock
from server.models.outbox import OutboxMessage


async def enqueue_email(to: str, subject: str, text: str, html: str | None = None,
                        dedupe_key: str | None = None,
                        attachments: list[dict] | None = None) -> OutboxMessage | None:
    payload = {"subject": subject, "text": text, "html": html}
    if attachments:
        payload["attachments"] = attachments  # [{"filename", "content_type", "data_b64"}]
    return await _enqueue("email", to, payload, dedupe_key)


async def enqueue_sms(to: str, body: str, dedupe_key: str | None = None) -> OutboxMessage | None:
    return await _enqueue("sms", to, {"body": body}, dedupe_key)


async def enqueue_webhook(url: str, raw_body: str, headers: dict[str, str],
                          dedupe_key: str | None = None) -> OutboxMessage | None:
    """`raw_body` is posted as is, so a signature over it stays valid."""
    return await _enqueue("webhook", url, {"raw": raw_body, "headers": headers}, dedupe_key)


async def _enqueue(channel: str, recipient: str, payload: dict,
                   dedupe_key: str | None) -> OutboxMessage | None:
    """With a dedupe_key, a message already queued under that key is not queued again
    (reminders, receipts)."""
    if dedupe_key is not None and await OutboxMessage.exists(dedupe_key=dedupe_key):
        return None
    return await OutboxMessage.create(channel=channel, recipient=recipient, payload=payload,
                                      next_attempt_at=clock.now(), dedupe_key=dedupe_key)
