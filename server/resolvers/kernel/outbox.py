"""Messages leave through the outbox: a row written in the same transaction as the change
that causes it. Nothing is sent from inside a request."""

from __future__ import annotations

from server import clock
from server.models.accounts import Account
from server.models.outbox import OutboxMessage


async def enqueue_email(to: str, subject: str, text: str, html: str | None = None,
                        dedupe_key: str | None = None,
                        attachments: list[dict] | None = None,
                        private: bool = False) -> OutboxMessage | None:
    """`private`: it holds a secret (a one-time link), which the inbox does not show."""
    payload = {"subject": subject, "text": text, "html": html}
    if attachments:
        payload["attachments"] = attachments  # [{"filename", "content_type", "data_b64"}]
    if private:
        payload["private"] = True
    owner = await Account.filter(email=to).limit(1).values_list("id", flat=True)
    return await _enqueue("email", to, payload, dedupe_key, owner[0] if owner else None)


async def enqueue_sms(to: str, body: str, dedupe_key: str | None = None,
                      private: bool = False) -> OutboxMessage | None:
    """`private`: it holds a one-time code, which the inbox does not show. The inbox gets it
    only when exactly one account has this mobile (two may share one: neither sees it)."""
    payload: dict = {"body": body, **({"private": True} if private else {})}
    owners = await Account.filter(mobile=to).limit(2).values_list("id", flat=True)
    return await _enqueue("sms", to, payload, dedupe_key, owners[0] if len(owners) == 1 else None)


async def enqueue_webhook(url: str, raw_body: str, headers: dict[str, str],
                          dedupe_key: str | None = None) -> OutboxMessage | None:
    """`raw_body` is posted as is, so a signature over it stays valid."""
    return await _enqueue("webhook", url, {"raw": raw_body, "headers": headers}, dedupe_key)


async def _enqueue(channel: str, recipient: str, payload: dict,
                   dedupe_key: str | None, account_id=None) -> OutboxMessage | None:
    """With a dedupe_key, a message already queued under that key is not queued again
    (reminders, receipts)."""
    if dedupe_key is not None and await OutboxMessage.exists(dedupe_key=dedupe_key):
        return None
    return await OutboxMessage.create(channel=channel, recipient=recipient, payload=payload,
                                      next_attempt_at=clock.now(), dedupe_key=dedupe_key,
                                      account_id=account_id)
