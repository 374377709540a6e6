"""The events no suspension causes (renewal, expiring 90/30/7 days before validUntil once
each, expired) and the change feed a REGISTER_READ key pages through."""

from __future__ import annotations

import datetime as dt
import json

from server import worker
from server.domain.registry import kingdom_today
from server.models.accounts import Account
from server.models.employers import RegisterChange
from server.models.outbox import OutboxMessage
from server.models.practitioners import Registration
from server.resolvers.accounts.sessions import open_session
from server.resolvers.employers.expiry import send_registration_events
from tests.builders import imported_record
from tests.conftest import gql
from tests.employers.helpers import admin_token, api_key, identity, organization, receiving
from tests.employers.test_webhooks import employer, set_status
from tests.security.conftest import application

CHANGES = """query($first: Int, $after: String) { registerChanges(first: $first, after: $after) {
  edges { node { registrationNumber type status validUntil changedAt } }
  pageInfo { hasNextPage endCursor } } }"""


def today() -> dt.date:
    return kingdom_today(dt.datetime.now(dt.UTC))


async def expiring_on(number: str, valid_until: dt.date) -> None:
    await Registration.filter(number=number).update(valid_until=valid_until)


async def test_expiring_is_sent_90_30_and_7_days_before_once_each(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    async with receiving() as receiver:
        await employer(client, receiver)
        day = today()
        await expiring_on("24-R-0000101", day + dt.timedelta(days=90))
        assert await send_registration_events(day) == 1
        assert await send_registration_events(day) == 0  # once
        assert await send_registration_events(day + dt.timedelta(days=1)) == 0  # caught up
        assert await send_registration_events(day + dt.timedelta(days=30)) == 0  # 60: none
        assert await send_registration_events(day + dt.timedelta(days=60)) == 1  # 30 days
        assert await send_registration_events(day + dt.timedelta(days=83)) == 1  # 7 days
        assert await send_registration_events(day + dt.timedelta(days=84)) == 0
        while await worker.run_once(worker.Deliverer(settings, "")):
            pass
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["registration.expiring"] * 3
    assert {b["data"]["validUntil"] for b in bodies} == {
        (day + dt.timedelta(days=90)).isoformat()}
    # Expiring is not a change of the register: no feed row.
    assert await RegisterChange.filter(type="registration.expiring").count() == 0


async def test_expired_is_sent_once_the_day_after_valid_until(client, settings):
    await imported_record(number="24-R-0000101", identity="1000000008")
    await imported_record(number="24-R-0000102", identity="1000000016")  # nobody watches it
    async with receiving() as receiver:
        await employer(client, receiver)
        day = today()
        for number in ("24-R-0000101", "24-R-0000102"):
            await expiring_on(number, day)
        assert await send_registration_events(day) == 0  # still valid today
        assert await send_registration_events(day + dt.timedelta(days=1)) == 1
        assert await send_registration_events(day + dt.timedelta(days=2)) == 0
        await worker.run_once(worker.Deliverer(settings, ""))
    [body] = [json.loads(r["body"]) for r in receiver.requests]
    assert body["type"] == "registration.expired" and body["data"]["status"] == "EXPIRED"
    # The feed has both: every change of the register, watched or not.
    rows = await RegisterChange.filter(type="registration.expired").order_by("id")
    assert [(r.registration_number, r.status) for r in rows] == [
        ("24-R-0000101", "EXPIRED"), ("24-R-0000102", "EXPIRED")]


async def test_an_approved_renewal_sends_renewed(client, settings):
    practitioner = await imported_record(number="24-R-0000101", identity="1000000008")
    account = await Account.create(
        email="sara@example.com", mobile="+966551234567", first_name="Sara",
        family_name="Alqahtani", password_hash="-", status="ACTIVE", language="en",
        email_verified_at=dt.datetime.now(dt.UTC), mobile_verified_at=dt.datetime.now(dt.UTC))
    await type(practitioner).filter(id=practitioner.id).update(account_id=account.id)
    renewal = await application(account, practitioner, "RENEWAL", "SUBMITTED", years=1,
                                data={"answers": {}})
    reviewer = await Account.create(
        email="reviewer@sijil.example", mobile="", first_name="R", family_name="Staff",
        password_hash="-", status="ACTIVE", roles="REVIEWER", language="en",
        email_verified_at=dt.datetime.now(dt.UTC), totp_secret="JBSWY3DPEHPK3PXP")
    async with receiving() as receiver:
        await employer(client, receiver)
        body = await gql(client, """mutation($input: DecideApplicationInput!) {
            decideApplication(input: $input) { errors { field code message } } }""",
                         {"input": {"applicationId": str(renewal.id), "decision": "APPROVE"}},
                         token=await open_session(reviewer))
        assert body["data"]["decideApplication"]["errors"] == [], body
        await worker.run_once(worker.Deliverer(settings, ""))
    [event] = [json.loads(r["body"]) for r in receiver.requests]
    registration = await Registration.get(number="24-R-0000101")
    assert event["type"] == "registration.renewed"
    assert event["data"] == {"registrationNumber": "24-R-0000101", "status": "ACTIVE",
                             "validUntil": registration.valid_until.isoformat()}


async def test_a_register_read_key_pages_through_every_change_since_its_cursor(client,
                                                                             queries):
    admin = await admin_token()
    _, reader = await api_key(client, admin, await organization(client, admin),
                              ("REGISTER_READ",))
    for i in range(3):
        await imported_record(number=f"24-R-{200 + i:07d}", identity=identity(7000 + i))
    await set_status(client, admin, "24-R-0000200", True)
    await set_status(client, admin, "24-R-0000200", False)
    await set_status(client, admin, "24-R-0000201", True)
    seen, cursor = [], None
    while True:
        with queries() as counted:
            body = await gql(client, CHANGES, {"first": 2, "after": cursor}, token=reader)
        assert counted.count <= 5, counted.count  # key, rate counter, one page: no N+1
        page = body["data"]["registerChanges"]
        seen += [(e["node"]["registrationNumber"], e["node"]["type"], e["node"]["status"])
                 for e in page["edges"]]
        cursor = page["pageInfo"]["endCursor"] or cursor
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [*[(f"24-R-{200 + i:07d}", "registration.imported", "ACTIVE")
                      for i in range(3)],
                    ("24-R-0000200", "registration.suspended", "SUSPENDED"),
                    ("24-R-0000200", "registration.reinstated", "ACTIVE"),
                    ("24-R-0000201", "registration.suspended", "SUSPENDED")]
    # Later, from the kept cursor: only what changed since.
    await set_status(client, admin, "24-R-0000202", True)
    body = await gql(client, CHANGES, {"first": 50, "after": cursor}, token=reader)
    assert [e["node"]["registrationNumber"] for e in body["data"]["registerChanges"][
        "edges"]] == ["24-R-0000202"]
    body = await gql(client, CHANGES, {"first": 5, "after": "bm9wZQ=="}, token=reader)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_bulk_extension_is_in_the_feed(client):
    admin = await admin_token()
    await imported_record(number="24-R-0000101", identity="1000000008")
    until = (await Registration.get(number="24-R-0000101")).valid_until
    body = await gql(client, """mutation($input: ExtendRegistrationsInput!) {
        extendRegistrations(input: $input) { errors { field } approvalRequest { id } } }""",
        {"input": {"expiringFrom": until.isoformat(), "expiringTo": until.isoformat(),
                   "months": 6}}, token=admin)
    assert body["data"]["extendRegistrations"]["errors"] == []
    assert await RegisterChange.filter(type="registration.extended").count() == 0
    second = await admin_token("ar")  # four eyes: a second admin approves
    approved = await gql(client, """mutation($input: DecideApprovalRequestInput!) {
        decideApprovalRequest(input: $input) { errors { code } } }""", {"input": {
        "requestId": body["data"]["extendRegistrations"]["approvalRequest"]["id"],
        "approve": True}}, token=second)
    assert approved["data"]["decideApprovalRequest"]["errors"] == []
    [row] = await RegisterChange.filter(type="registration.extended")
    assert row.valid_until > until
    assert await OutboxMessage.filter(channel="standard_webhook").count() == 0


async def test_a_registry_import_is_in_the_feed_once_per_change(client):
    """The CSV import (`sijil import-practitioners`) writes the register too: a new record,
    and a changed one, are in the feed; a row imported again unchanged is not."""
    admin = await admin_token()
    _, reader = await api_key(client, admin, await organization(client, admin),
                              ("REGISTER_READ",))

    async def feed() -> list[tuple[str, str]]:
        body = await gql(client, CHANGES, {"first": 50}, token=reader)
        return [(e["node"]["registrationNumber"], e["node"]["type"])
                for e in body["data"]["registerChanges"]["edges"]]

    await imported_record(number="24-R-0000300", identity=identity(7100))
    assert await feed() == [("24-R-0000300", "registration.imported")]
    await imported_record(number="24-R-0000300", identity=identity(7100))  # the same row
    assert await feed() == [("24-R-0000300", "registration.imported")]
    await imported_record(number="24-R-0000300", identity=identity(7100), valid_for_days=400)
    assert await feed() == [("24-R-0000300", "registration.imported")] * 2

