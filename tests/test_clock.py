"""One clock: "today" is the Kingdom's day everywhere. On the evening a registration expires
(after 21:00 UTC, midnight in Riyadh) the practitioner's own record, the public register and
renewal eligibility all move to the next day together."""

from __future__ import annotations

import datetime as dt

import time_machine

from server import clock as server_clock
from server.models.accounts import Account
from server.models.practitioners import Registration
from server.resolvers.accounts.sessions import open_session
from tests.builders import claimed_practitioner, op
from tests.conftest import gql

RECORD = "query { me { practitioner { registration { status validUntil } } } }"
OPTIONS = "query { renewalOptions { refusal { code } choices { years } } }"


def utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


async def statuses(client, account: dict, number: str) -> tuple[str, str]:
    """(the record's status, the register's status), each asked as its reader would."""
    # A fresh session: the clock jumped hours ahead of the sign-in.
    token = await open_session(await Account.get(id=account["id"]))
    record = await gql(client, RECORD, token=token)
    register = await gql(client, op("VerifyPractitioner"), {"registrationNumber": number})
    return (record["data"]["me"]["practitioner"]["registration"]["status"],
            register["data"]["verifyPractitioner"]["status"])


async def test_the_clock_gives_the_kingdoms_day():
    with time_machine.travel(utc(dt.date(2026, 5, 31), 20, 59), tick=False):
        assert server_clock.today() == dt.date(2026, 5, 31)
    with time_machine.travel(utc(dt.date(2026, 5, 31), 21, 0), tick=False):
        assert server_clock.today() == dt.date(2026, 6, 1)
        assert server_clock.now() == utc(dt.date(2026, 5, 31), 21, 0)


async def test_on_the_expiry_evening_the_record_and_the_register_agree(
        client, deliver, smtp_server, sms_gateway):
    account, _, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                          sms_gateway)
    day = server_clock.today()
    await Registration.filter(practitioner_id=practitioner.id).update(valid_until=day)
    number = (await Registration.get(practitioner_id=practitioner.id)).number

    with time_machine.travel(utc(day, 20, 30), tick=False):  # 23:30 in Riyadh
        assert await statuses(client, account, number) == ("ACTIVE", "ACTIVE")
    with time_machine.travel(utc(day, 21, 30), tick=False):  # 00:30 the next day
        assert await statuses(client, account, number) == ("EXPIRED", "EXPIRED")


async def test_renewal_opens_at_midnight_in_riyadh_90_days_before_expiry(
        client, deliver, smtp_server, sms_gateway):
    account, _, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                          sms_gateway)
    day = server_clock.today()
    # Renewal opens on valid_until - 90 days: the Kingdom's tomorrow.
    await Registration.filter(practitioner_id=practitioner.id).update(
        valid_until=day + dt.timedelta(days=91))

    with time_machine.travel(utc(day, 20, 30), tick=False):
        token = await open_session(await Account.get(id=account["id"]))
        options = (await gql(client, OPTIONS, token=token))["data"]["renewalOptions"]
        assert options["refusal"] == {"code": "INVALID_STATE"}
        started = (await gql(client, op("StartRenewal"), {"input": {"years": 1}},
                             token=token))["data"]["startRenewal"]
        assert [e["code"] for e in started["errors"]] == ["INVALID_STATE"]
    with time_machine.travel(utc(day, 21, 30), tick=False):
        token = await open_session(await Account.get(id=account["id"]))
        options = (await gql(client, OPTIONS, token=token))["data"]["renewalOptions"]
        assert options["refusal"] is None
        assert [c["years"] for c in options["choices"]] == [1, 3, 5]
        started = (await gql(client, op("StartRenewal"), {"input": {"years": 1}},
                             token=token))["data"]["startRenewal"]
        assert started["errors"] == [] and started["renewal"]["status"] == "DRAFT"
