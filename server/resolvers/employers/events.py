"""Registration events: a row of the change feed, and one signed webhook per watching
organisation, written in the transaction of the change that causes them (the callers:
suspension and reinstatement in admin.py, renewal approval in decisions.py, the daily
expiry job in employers/expiry.py).

A webhook is an outbox message (channel `standard_webhook`) pointing at its
WebhookDelivery row, which holds the body and the webhook-id; the worker signs it when it
sends it (employers/delivery.py), so the signature's timestamp is fresh on every retry.
Its `ordering_key` is organisation × registration: the worker sends a practitioner's events
to an organisation one after the other, in order."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from tortoise.transactions import in_transaction

from server import clock
from server.domain.registry import registration_status
from server.models.employers import RegisterChange, WebhookDelivery, WebhookEndpoint
from server.models.outbox import OutboxMessage

EVENTS = ("registration.suspended", "registration.reinstated", "registration.renewed",
          "registration.expiring", "registration.expired")
# Changes of the register that are not webhook events, for the change feed only.
FEED_ONLY = ("registration.granted", "registration.extended", "registration.imported")
CHANNEL = "standard_webhook"
FEED_LOCK = 0x5EED_F00D  # the advisory lock key that orders the change feed's writers


def status_of(registration, today: dt.date | None = None) -> str:
    return registration_status(registration.valid_until, registration.suspended,
                               today or clock.today()).value


def webhook_body(event: str, moment: dt.datetime, number: str, status: str,
                 valid_until: dt.date) -> str:
    return json.dumps({"type": event, "timestamp": moment.isoformat(),
                       "data": {"registrationNumber": number, "status": status,
                                "validUntil": valid_until.isoformat()}},
                      ensure_ascii=False, separators=(",", ":"))


async def serialize_feed(conn) -> None:
    """The feed's cursor is the row id, so ids must become visible in order: a reader that
    saw id 8 must never later find a 7 committed after it. On PostgreSQL, ids are taken
    before commit by concurrent transactions, so writers of feed rows take one
    transaction-level advisory lock first (held until the enclosing transaction ends):
    they commit one after the other, in id order. SQLite has one writer at a time anyway.
    Register changes are rare (suspensions, renewals), so the wait is short."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [FEED_LOCK])


def ordering_key(organization_id, registration_id) -> str:
    return f"webhook:{organization_id}:{registration_id}"


async def registration_changed(registration, event: str, *, dedupe: str | None = None,
                               feed: bool = True, today: dt.date | None = None) -> int:
    """Call inside the transaction of the change, with `registration` as it is after it.
    Returns how many webhooks were queued. `dedupe` (events found by a job) makes a second
    call for the same occurrence a no-op."""
    moment = clock.now()
    status = status_of(registration, today)
    if feed:
        async with in_transaction() as conn:
            await serialize_feed(conn)
            await RegisterChange.create(registration_id=registration.id,
                                        registration_number=registration.number, type=event,
                                        status=status, valid_until=registration.valid_until,
                                        dedupe_key=f"{event}:{dedupe}" if dedupe else None,
                                        using_db=conn)
    if event not in EVENTS:
        return 0
    endpoints = await WebhookEndpoint.filter(
        organization__watches__registration_id=registration.id).values(
        "organization_id", "url", "events")
    body = webhook_body(event, moment, registration.number, status, registration.valid_until)
    queued = 0
    for endpoint in endpoints:
        if event not in endpoint["events"].split(","):
            continue
        key = f"{event}:{endpoint['organization_id']}:{dedupe}" if dedupe else None
        if key and await OutboxMessage.exists(dedupe_key=key):
            continue
        delivery = await WebhookDelivery.create(
            organization_id=endpoint["organization_id"], webhook_id=f"msg_{uuid.uuid4().hex}",
            event_type=event, registration_number=registration.number, body=body)
        await OutboxMessage.create(
            channel=CHANNEL, recipient=endpoint["url"], payload={"delivery": delivery.id},
            next_attempt_at=moment, dedupe_key=key,
            ordering_key=ordering_key(endpoint["organization_id"], registration.id))
        queued += 1
    return queued


async def registrations_extended(rows: list[dict], valid_until_of) -> None:
    """The bulk extension's feed rows, one INSERT: `rows` are the extended registrations'
    values (id, number, valid_until before), `valid_until_of` gives the new date."""
    today = clock.today()
    async with in_transaction() as conn:
        await serialize_feed(conn)
        await RegisterChange.bulk_create([RegisterChange(
            registration_id=row["id"], registration_number=row["number"],
            type="registration.extended", valid_until=valid_until_of(row["valid_until"]),
            status=registration_status(valid_until_of(row["valid_until"]),
                                       row.get("suspended", False), today).value)
            for row in rows], using_db=conn)


async def registrations_imported(rows: list[dict]) -> None:
    """The feed rows of a registry import (`sijil import-practitioners`), one INSERT: `rows`
    are the registrations created or changed by a batch (id, number, valid_until,
    suspended), as they are after it. Call inside the batch's transaction."""
    if not rows:
        return
    today = clock.today()
    async with in_transaction() as conn:
        await serialize_feed(conn)
        await RegisterChange.bulk_create([RegisterChange(
            registration_id=row["id"], registration_number=row["number"],
            type="registration.imported", valid_until=row["valid_until"],
            status=registration_status(row["valid_until"], row["suspended"], today).value)
            for row in rows], using_db=conn)
