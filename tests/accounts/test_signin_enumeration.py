"""Sign-in tells nobody whether an account exists: an unknown email or identity number gets
the answers a known account gets for wrong passwords — INVALID, then RATE_LIMITED after the
same number of tries, then locked after the same number — and costs the same time."""

import datetime as dt
import statistics
import time

import pytest
from argon2 import PasswordHasher

from server.resolvers.accounts import signup
from tests.conftest import gql
from tests.journeys import LOGIN, PASSWORD, active_account

WRONG = "not the password at all"


async def answers(client, identifier: str, password: str = WRONG) -> list:
    body = await gql(client, LOGIN, {"input": {"identifier": identifier, "password": password}})
    return [(e["field"], e["code"], e["message"]) for e in body["data"]["login"]["errors"]]


async def test_unknown_identifiers_are_answered_and_throttled_like_known_ones(
        client, deliver, smtp_server, sms_gateway, clock):
    await active_account(client, deliver, smtp_server, sms_gateway)
    sequences = {}
    for identifier in ("sara@example.com", "nobody@example.com", "1999999992"):
        seen = [await answers(client, identifier) for _ in range(8)]  # 5 free, then waits
        clock.shift(dt.timedelta(seconds=2))
        seen.append(await answers(client, identifier))  # the 1 s delay has passed
        seen.append(await answers(client, identifier))  # now 2 s
        sequences[identifier] = seen
    known, *unknown = sequences.values()
    assert [codes_[0][1] for codes_ in known] == ["INVALID"] * 5 + ["RATE_LIMITED"] * 3 + [
        "INVALID", "RATE_LIMITED"]
    assert all(sequence == known for sequence in unknown), sequences


async def test_unknown_identifiers_lock_like_known_ones(
        client, deliver, smtp_server, sms_gateway, clock):
    await active_account(client, deliver, smtp_server, sms_gateway)
    finals = {}
    for identifier in ("sara@example.com", "nobody@example.com"):
        seen = []
        for _ in range(101):
            seen.append((await answers(client, identifier))[0][1])
            clock.shift(dt.timedelta(minutes=16))  # past the longest delay and the window
        finals[identifier] = (seen, await answers(client, identifier, PASSWORD))
    assert finals["sara@example.com"][0][-2:] == ["INVALID", "NOT_ALLOWED"]
    assert finals["nobody@example.com"] == finals["sara@example.com"]
    assert "Reset your password" in finals["nobody@example.com"][1][0][2]


@pytest.mark.real_argon2
async def test_an_unknown_identifier_takes_as_long_as_a_wrong_password(
        client, deliver, smtp_server, sms_gateway, monkeypatch, clock):
    # The dummy hash unknown accounts are checked against was made under other parameters
    # (as after an upgrade of argon2's defaults): it must follow the current ones.
    monkeypatch.setattr(signup, "hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    await answers(client, "warm@example.com")
    monkeypatch.undo()
    await active_account(client, deliver, smtp_server, sms_gateway)

    async def timed(identifier: str) -> float:
        # The CPU the answer costs (argon2 dominates it, in its worker thread): what makes
        # the two take as long, and unlike the wall clock it does not move when other
        # processes load the machine.
        started = time.process_time()
        await answers(client, identifier)
        clock.shift(dt.timedelta(minutes=16))
        return time.process_time() - started

    known, unknown = [], []
    for n in range(4):  # 4 each, fewer than the 5 free failures
        known.append(await timed("sara@example.com"))
        unknown.append(await timed(f"nobody{n}@example.com"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, (known, unknown)
