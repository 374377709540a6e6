"""A mobile number confirmed on one account cannot be taken by another: not at registration
(said only after a valid captcha, like a taken email, and capped per number), not by a
pending account confirming it later, not by a mobile change."""

from server.models.accounts import Account
from tests.conftest import gql
from tests.journeys import (
    PASSWORD,
    VERIFY_MOBILE,
    active_account,
    register,
    signed_in_practitioner,
)

OTHER = {"email": "omar@example.com", "emailConfirmation": "omar@example.com",
         "firstName": "Omar"}


async def test_registration_refuses_a_mobile_confirmed_on_another_account(
        client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    without_captcha = await register(client, captcha="", **OTHER)
    assert [e["code"] for e in without_captcha["errors"]] == ["CAPTCHA_FAILED"]
    refused = await register(client, **OTHER)
    [error] = refused["errors"]
    assert (error["field"], error["code"]) == ("mobile", "TAKEN")
    assert "mobile number" in error["message"]
    arabic = await gql(client, """mutation R($input: RegisterAccountInput!) {
        registerAccount(input: $input) { errors { field code message } } }""",
        {"input": {**(await _input(client)), **OTHER, "email": "o2@example.com",
                   "emailConfirmation": "o2@example.com"}}, lang="ar")
    assert "الجوال" in arabic["data"]["registerAccount"]["errors"][0]["message"]
    assert await Account.filter(mobile="+966551234567").count() == 1


async def _input(client):
    from tests.journeys import registration_input, solved_captcha

    return {**registration_input(), "captcha": await solved_captcha(client)}


async def test_a_pending_account_cannot_confirm_a_mobile_confirmed_meanwhile(
        client, deliver, smtp_server, sms_gateway):
    pending = await register(client, **OTHER)  # same mobile, nobody has confirmed it yet
    assert pending["errors"] == []
    await deliver()
    code = sms_gateway.last_code()
    await active_account(client, deliver, smtp_server, sms_gateway)  # Sara confirms it first
    late = await gql(client, VERIFY_MOBILE, {"input": {"accountId": pending["account"]["id"],
                                                       "code": code}})
    [error] = late["data"]["verifyMobile"]["errors"]
    assert (error["field"], error["code"]) == ("mobile", "TAKEN")
    assert (await Account.get(email="omar@example.com")).mobile_verified_at is None


async def test_a_mobile_change_to_a_number_confirmed_on_another_account_is_refused(
        client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway,
                                            mobile="0559876543", **OTHER)
    asked = (await gql(client, """mutation($input: RequestMobileChangeInput!) {
        requestMobileChange(input: $input) { done errors { field code } } }""",
        {"input": {"newMobile": "0551234567", "password": PASSWORD}}, token=token)
    )["data"]["requestMobileChange"]
    assert asked["errors"] == [{"field": "newMobile", "code": "TAKEN"}]
