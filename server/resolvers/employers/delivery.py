"""Sending one webhook (the worker calls `send`): `POST {url}` with the Standard Webhooks
headers, signed now with the endpoint's current secret: `v1,` + base64 HMAC-SHA256 of
`{webhook-id}.{timestamp}.{body}` keyed with the secret's bytes after `whsec_`. The
webhook-id is the delivery's, the same on every retry, so receivers can drop duplicates
(at-least-once: a worker that dies after the POST and before marking it sent posts again).
Each attempt is written to the delivery log before the outcome is decided."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx
from tortoise.expressions import F

from server import clock
from server.models.employers import WebhookDelivery, WebhookEndpoint

TIMEOUT = 10.0


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class Undeliverable(RuntimeError):
    pass


async def send(payload: dict, client: httpx.AsyncClient | None = None) -> None:
    """Raises on anything but a 2xx, so the outbox retries with back-off."""
    delivery = await WebhookDelivery.get(id=payload["delivery"])
    endpoint = await WebhookEndpoint.get_or_none(organization_id=delivery.organization_id)
    if endpoint is None:
        raise Undeliverable("the organisation has no webhook endpoint any more")
    moment = clock.now()
    timestamp = int(moment.timestamp())
    headers = {"content-type": "application/json", "webhook-id": delivery.webhook_id,
               "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(endpoint.secret, delivery.webhook_id, timestamp,
                                         delivery.body)}
    status = None
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=TIMEOUT) as own:
                response = await own.post(endpoint.url, content=delivery.body.encode(),
                                          headers=headers)
        else:
            response = await client.post(endpoint.url, content=delivery.body.encode(),
                                         headers=headers)
        status = response.status_code
    finally:
        await WebhookDelivery.filter(id=delivery.id).update(
            attempts=F("attempts") + 1, status_code=status, last_attempt_at=moment,
            **({"delivered_at": moment} if status is not None and 200 <= status < 300 else {}))
    if not 200 <= status < 300:
        raise Undeliverable(f"webhook answered {status}")
