"""A disabled staff account and the same account enabled again: while disabled the person
cannot sign in and the session they had is ended; enabled, they sign in with their password
and authenticator app and work the review queue as before."""

from __future__ import annotations

import time

from server.config import ROOT
from server.domain import otp
from server.models.accounts import Account
from server.pages.plumbing import operations_in
from tests.builders import STAFF_PASSWORD, staff_secret, staff_session
from tests.conftest import assert_token_ended, gql
from tests.journeys import LOGIN, VERIFY_LOGIN

ADMIN_OPS = {**operations_in(ROOT / "web" / "operations" / "admin.graphql"),
             **operations_in(ROOT / "web" / "operations" / "admin_approvals.graphql")}
QUEUE = "query { reviewQueue(first: 5) { edges { node { id } } } }"
EMAIL = "comeback.reviewer@sijil.example"


async def sign_in(client, secret: str, step_offset: int = 0) -> dict:
    """Password then authenticator code, as the sign-in page does: verifyLogin's payload
    (or login's, when the password step already refuses)."""
    login = (await gql(client, LOGIN, {"input": {"identifier": EMAIL,
                                                 "password": STAFF_PASSWORD}}))["data"]["login"]
    if login["errors"]:
        return login
    code = otp.hotp(secret, otp.totp_step(time.time()) + step_offset)
    return (await gql(client, VERIFY_LOGIN, {"input": {
        "challengeId": login["challenge"]["id"], "code": code}}))["data"]["verifyLogin"]


async def staff_action(client, operation: str, field: str, account_id, token: str) -> dict:
    body = await gql(client, ADMIN_OPS[operation], {"input": {"accountId": str(account_id)}},
                     token=token)
    assert "errors" not in body, body
    return body["data"][field]


async def test_a_disabled_reviewer_is_shut_out_and_works_again_once_enabled(client):
    reviewer, secret = await staff_secret("reviewer", EMAIL)
    _, admin_token = await staff_session("admin")

    first = await sign_in(client, secret)
    assert first["errors"] == []
    working = (await gql(client, QUEUE, token=first["token"]))
    assert "errors" not in working

    disabled = await staff_action(client, "AdminDisableStaff", "disableStaffAccount",
                                  reviewer.id, admin_token)
    assert disabled["errors"] == [] and disabled["account"]["status"] == "DISABLED"
    await assert_token_ended(client, first["token"])
    refused = await sign_in(client, secret, step_offset=1)
    assert [e["code"] for e in refused["errors"]] == ["NOT_ALLOWED"]
    assert "disabled" in refused["errors"][0]["message"]
    assert refused.get("token") is None

    enabled = await staff_action(client, "AdminEnableStaff", "enableStaffAccount",
                                 reviewer.id, admin_token)
    assert enabled["errors"] == [] and enabled["account"]["status"] == "ACTIVE"
    assert (await Account.get(id=reviewer.id)).status == "ACTIVE"
    again = await sign_in(client, secret, step_offset=1)
    assert again["errors"] == [] and again["account"]["roles"] == ["REVIEWER"]
    queue = await gql(client, QUEUE, token=again["token"])
    assert "errors" not in queue and "edges" in queue["data"]["reviewQueue"]

    twice = await staff_action(client, "AdminEnableStaff", "enableStaffAccount",
                               reviewer.id, admin_token)
    assert [e["code"] for e in twice["errors"]] == ["INVALID_STATE"]
