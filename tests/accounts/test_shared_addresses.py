"""Many people behind one address (a hospital network, a carrier's NAT): the per-address
limits on registration and sign-in slow the address down with a growing delay instead of
shutting it out, while each email, mobile and account keeps its hard limit."""

import datetime as dt
import re

from server.models.accounts import Account
from tests.conftest import gql
from tests.journeys import LOGIN, register

STEP = dt.timedelta(seconds=5)


def wait_of(error: dict) -> int:
    """The seconds a RATE_LIMITED answer asks for; a wait in minutes is a lockout here."""
    found = re.search(r"Try again in (\d+) seconds", error["message"])
    assert found, error["message"]
    return int(found.group(1))


async def test_fifty_sign_ups_from_one_address_all_get_through(client, clock):
    waited = dt.timedelta(0)
    for n in range(50):
        for _ in range(60):  # at most 5 minutes of waiting for each
            payload = await register(client, email=f"p{n}@example.com",
                                     emailConfirmation=f"p{n}@example.com",
                                     mobile=f"055{n:07d}")
            if not payload["errors"]:
                break
            [error] = payload["errors"]
            assert error["code"] == "RATE_LIMITED", error
            assert wait_of(error) <= 300
            clock.shift(STEP)
            waited += STEP
        assert payload["errors"] == [], (n, payload["errors"])
    assert await Account.all().count() == 50
    assert waited < dt.timedelta(minutes=30), waited


async def test_each_email_and_mobile_keeps_its_hard_limit(client):
    answers = [await register(client, mobile=f"05500000{n:02d}") for n in range(6)]
    assert [a["errors"][0]["code"] for a in answers[1:]] == ["TAKEN"] * 4 + ["RATE_LIMITED"]
    same_mobile = [await register(client, email=f"m{n}@example.com",
                                  emailConfirmation=f"m{n}@example.com", mobile="0559876543")
                   for n in range(4)]
    assert [a["errors"] for a in same_mobile[:3]] == [[], [], []]
    [error] = same_mobile[3]["errors"]
    assert (error["field"], error["code"]) == ("mobile", "RATE_LIMITED")


async def test_a_busy_address_signing_in_is_slowed_not_locked_out(client, clock):
    waits = []
    for n in range(160):
        attempt = {"input": {"identifier": f"user{n}@example.com", "password": "a password"}}
        body = await gql(client, LOGIN, attempt)
        [error] = body["data"]["login"]["errors"]
        if error["code"] == "RATE_LIMITED":
            waits.append(wait_of(error))
            clock.shift(dt.timedelta(seconds=waits[-1]))
            [error] = (await gql(client, LOGIN, attempt))["data"]["login"]["errors"]
        assert error["code"] == "INVALID", (n, error)
    assert waits and max(waits) <= 60, waits
