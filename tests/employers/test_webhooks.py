"""Webhooks to a real HTTP receiver on 127.0.0.1: signed per the Standard Webhooks
specification (checked with the `standardwebhooks` library), sent within seconds of the
change, retried with back-off until a 2xx under the same webhook-id, in order per
practitioner, exactly once per webhook-id on the receiver's side when the worker dies
mid-delivery, and logged for the organisation and for admins."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from server import worker
from server.models.employers import WebhookDelivery
from server.models.outbox import OutboxMessage
from tests.builders import imported_record, staff_session
from tests.conftest import gql, wait_for
from tests.employers.helpers import admin_token, api_key, op, organization, receiving

EVENTS = ["REGISTRATION_SUSPENDED", "REGISTRATION_REINSTATED", "REGISTRATION_RENEWED",
          "REGISTRATION_EXPIRING", "REGISTRATION_EXPIRED"]
DELIVERIES = """query($first: Int) { myWebhookDeliveries(first: $first) { edges { node {
  webhookId type registrationNumber attempts statusCode deliveredAt lastAttemptAt } } } }"""


async def employer(client, receiver, numbers=("24-R-0000101",)):
    """An admin, an organisation watching `numbers` with its endpoint at the receiver."""
    admin = await admin_token()
    _, key = await api_key(client, admin, await organization(client, admin))
    body = await gql(client, op("WatchPractitioners"), {"input": {
        "registrationNumbers": list(numbers)}}, token=key)
    assert body["data"]["watchPractitioners"]["errors"] == []
    body = await gql(client, op("SetWebhookEndpoint"), {"input": {
        "url": receiver.url, "events": EVENTS}}, token=key)
    payload = body["data"]["setWebhookEndpoint"]
    assert payload["errors"] == [] and payload["secret"].startswith("whsec_")
    assert payload["endpoint"] == {"url": receiver.url, "events": EVENTS}
    return admin, key, payload["secret"]


async def set_status(client, admin, number, suspend: bool):
    name = "suspendRegistration" if suspend else "reinstateRegistration"
    document = op("SuspendRegistration") if suspend else """
      mutation($input: RegistrationStatusInput!) { reinstateRegistration(input: $input) {
        errors { field code message } approvalRequest { id } } }"""
    body = await gql(client, document, {"input": {"registrationNumber": number,
                                                  "reason": "Board decision 12/2026."}},
                     token=admin)
    assert body["data"][name]["errors"] == [], body
    if not suspend:  # four eyes: a second admin approves the reinstatement
        _, second = await staff_session("admin")
        approved = await gql(client, """mutation($input: DecideApprovalRequestInput!) {
            decideApprovalRequest(input: $input) { errors { code } } }""", {"input": {
            "requestId": body["data"][name]["approvalRequest"]["id"], "approve": True}},
            token=second)
        assert approved["data"]["decideApprovalRequest"]["errors"] == [], approved


def deliverer(settings) -> worker.Deliverer:
    return worker.Deliverer(settings, "")


async def make_due() -> None:
    """Time passes: every retry is due now."""
    await OutboxMessage.filter(status="PENDING").update(
        next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))


@contextlib.asynccontextmanager
async def running_worker(settings):
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(deliverer(settings), stop, idle=0.05))
    try:
        yield task
    finally:
        stop.set()
        if not task.cancelled():
            await task


async def test_a_suspension_reaches_the_receiver_signed_within_seconds(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    async with receiving() as receiver:
        admin, key, secret = await employer(client, receiver)
        async with running_worker(settings):
            started = asyncio.get_running_loop().time()
            await set_status(client, admin, "24-R-0000101", True)
            await wait_for(lambda: receiver.processed, timeout=5)
            elapsed = asyncio.get_running_loop().time() - started
        assert elapsed < 3, elapsed
    [request] = receiver.requests
    headers = request["headers"]
    event = Webhook(secret).verify(request["body"], headers)
    assert event["type"] == "registration.suspended"
    assert event["data"]["registrationNumber"] == "24-R-0000101"
    assert event["data"]["status"] == "SUSPENDED" and event["data"]["validUntil"]
    assert dt.datetime.fromisoformat(event["timestamp"]).tzinfo is not None
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith(
        "v1,")
    # One changed byte, or another secret, fails.
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request["body"].replace("SUSPENDED", "SUSPENDEd"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUFB" * 8).verify(request["body"], headers)
    # The delivery log: the organisation's key and an admin read it.
    [node] = [e["node"] for e in (await gql(client, DELIVERIES, {"first": 5}, token=key))[
        "data"]["myWebhookDeliveries"]["edges"]]
    assert node["webhookId"] == headers["webhook-id"] and node["statusCode"] == 200
    assert node["attempts"] == 1 and node["deliveredAt"]
    assert node["type"] == "registration.suspended"
    org = (await gql(client, "{ organizations { id } }", token=admin))["data"]["organizations"]
    body = await gql(client, """query($id: ID!) { webhookDeliveries(organizationId: $id,
        first: 5) { edges { node { webhookId statusCode } } } }""", {"id": org[0]["id"]},
                     token=admin)
    assert body["data"]["webhookDeliveries"]["edges"][0]["node"] == {
        "webhookId": headers["webhook-id"], "statusCode": 200}


async def test_an_unwatched_or_unsubscribed_change_sends_nothing(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    await imported_record(number="24-R-0000102", identity="1000000016")
    async with receiving() as receiver:
        admin, key, _ = await employer(client, receiver)
        await gql(client, op("SetWebhookEndpoint"), {"input": {
            "url": receiver.url, "events": ["REGISTRATION_REINSTATED"]}}, token=key)
        await set_status(client, admin, "24-R-0000102", True)  # not watched
        await set_status(client, admin, "24-R-0000101", True)  # not subscribed
        await worker.run_once(deliverer(settings))
        assert receiver.requests == []
        await set_status(client, admin, "24-R-0000101", False)
        await worker.run_once(deliverer(settings))
        assert receiver.types() == ["registration.reinstated"]


async def test_a_failing_endpoint_is_retried_with_back_off_under_the_same_id(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    async with receiving() as receiver:
        admin, key, secret = await employer(client, receiver)
        receiver.answers = [500, 503]
        await set_status(client, admin, "24-R-0000101", True)
        before = dt.datetime.now(dt.UTC)
        assert await worker.run_once(deliverer(settings)) == 0
        message = await OutboxMessage.get(channel="standard_webhook")
        assert message.status == "PENDING" and message.attempts == 1
        assert message.next_attempt_at >= before + dt.timedelta(seconds=29)  # back-off
        assert await worker.run_once(deliverer(settings)) == 0  # not due yet
        assert len(receiver.requests) == 1
        await make_due()
        await worker.run_once(deliverer(settings))
        message = await OutboxMessage.get(id=message.id)
        assert message.attempts == 2
        assert message.next_attempt_at >= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=59)
        await make_due()
        assert await worker.run_once(deliverer(settings)) == 1
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [
        receiver.requests[0]["headers"]["webhook-id"]] * 3
    for request in receiver.requests:  # each attempt is signed afresh
        Webhook(secret).verify(request["body"], request["headers"])
    assert len(receiver.processed) == 1
    [node] = [e["node"] for e in (await gql(client, DELIVERIES, {"first": 5}, token=key))[
        "data"]["myWebhookDeliveries"]["edges"]]
    assert node["attempts"] == 3 and node["statusCode"] == 200 and node["deliveredAt"]
    assert (await OutboxMessage.get(id=message.id)).status == "SENT"


async def test_events_about_one_practitioner_arrive_in_order(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    await imported_record(number="24-R-0000102", identity="1000000016")
    async with receiving() as receiver:
        admin, _, _ = await employer(client, receiver, ("24-R-0000101", "24-R-0000102"))
        receiver.answers = [500]  # the first event of 24-R-0000101 fails once
        await set_status(client, admin, "24-R-0000101", True)
        await set_status(client, admin, "24-R-0000101", False)
        await set_status(client, admin, "24-R-0000101", True)
        await set_status(client, admin, "24-R-0000102", True)
        await worker.run_once(deliverer(settings))
        # The later events of 24-R-0000101 wait for its first; 24-R-0000102 does not.
        sent = [(json.loads(r["body"])["data"]["registrationNumber"],
                 json.loads(r["body"])["type"]) for r in receiver.requests]
        assert sent == [("24-R-0000101", "registration.suspended"),
                        ("24-R-0000102", "registration.suspended")]
        for _ in range(3):
            await make_due()
            await worker.run_once(deliverer(settings))
    got = [json.loads(r["body"])["type"] for r in receiver.requests
           if "24-R-0000101" in r["body"]]
    assert got == ["registration.suspended", "registration.suspended",
                   "registration.reinstated", "registration.suspended"]
    assert await OutboxMessage.filter(channel="standard_webhook", status="SENT").count() == 4


async def test_a_worker_dying_mid_delivery_redelivers_the_same_id_processed_once(
        client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    async with receiving() as receiver:
        admin, _, secret = await employer(client, receiver)
        await set_status(client, admin, "24-R-0000101", True)
        receiver.hold = asyncio.Event()
        async with running_worker(settings) as task:
            await asyncio.wait_for(receiver.arrived.wait(), 5)
            # The receiver has the event (and will answer 200) but the worker dies before
            # it hears the answer, let alone marks the message sent.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            receiver.hold.set()
            await wait_for(lambda: receiver.processed, timeout=5)
            message = await OutboxMessage.get(channel="standard_webhook")
            assert message.status == "SENDING"
            # A restarted worker waits out the dead one's lease, then delivers again.
            assert await worker.run_once(deliverer(settings)) == 0
            await OutboxMessage.filter(id=message.id).update(
                locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            receiver.hold = None
            assert await worker.run_once(deliverer(settings)) == 1
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    for request in (first, second):
        Webhook(secret).verify(request["body"], request["headers"])
    assert list(receiver.processed) == [first["headers"]["webhook-id"]]  # processed once
    assert (await OutboxMessage.get(id=message.id)).status == "SENT"
    assert (await WebhookDelivery.get()).delivered_at is not None
