"""Journeys other tests start from: a practitioner who has an account and is signed in."""

from __future__ import annotations

import re

from server.integrations import captcha
from tests.conftest import gql

REGISTER = """mutation RegisterAccount($input: RegisterAccountInput!) {
  registerAccount(input: $input) {
    account { id email mobile emailVerified mobileVerified }
    errors { field code message }
  }
}"""
CONFIRM_EMAIL = """mutation ConfirmEmail($input: ConfirmEmailInput!) {
  confirmEmail(input: $input) { account { id emailVerified } errors { field code message } }
}"""
VERIFY_MOBILE = """mutation VerifyMobile($input: VerifyMobileInput!) {
  verifyMobile(input: $input) { account { id mobileVerified } errors { field code message } }
}"""
RESEND_MOBILE = """mutation ResendMobileCode($input: ResendMobileCodeInput!) {
  resendMobileCode(input: $input) { sent errors { field code message } }
}"""
LOGIN = """mutation Login($input: LoginInput!) {
  login(input: $input) { challenge { id channel expiresAt } errors { field code message } }
}"""
VERIFY_LOGIN = """mutation VerifyLogin($input: VerifyLoginInput!) {
  verifyLogin(input: $input) { token account { id email roles } errors { field code message } }
}"""
LOGOUT = "mutation Logout { logout { errors { field code message } } }"
ME = """query Me { me { id email mobile roles emailVerified mobileVerified } }"""

PASSWORD = "cedar harbour lantern 42"


async def solved_captcha(client) -> str:
    challenge = (await client.get("/captcha/challenge")).json()
    return captcha.solve(challenge)


def registration_input(**overrides) -> dict:
    values = {
        "firstName": "Sara", "familyName": "Alqahtani", "email": "sara@example.com",
        "emailConfirmation": "sara@example.com", "password": PASSWORD,
        "passwordConfirmation": PASSWORD, "mobile": "0551234567", "acceptTerms": True,
    }
    values.update(overrides)
    return values


async def register(client, **overrides) -> dict:
    values = registration_input(**overrides)
    if "captcha" not in overrides:
        values["captcha"] = await solved_captcha(client)
    return (await gql(client, REGISTER, {"input": values}))["data"]["registerAccount"]


def link_token(mail) -> str:
    return re.search(r"token=([A-Za-z0-9_\-]+)", mail.text).group(1)


async def active_account(client, deliver, smtp_server, sms_gateway, **overrides) -> dict:
    """Registers, confirms the email from the real email and the mobile from the real SMS."""
    payload = await register(client, **overrides)
    assert payload["errors"] == [], payload["errors"]
    account = payload["account"]
    await deliver()
    token = link_token(smtp_server.messages()[-1])
    confirmed = await gql(client, CONFIRM_EMAIL, {"input": {"token": token}})
    assert confirmed["data"]["confirmEmail"]["errors"] == []
    digits = "966" + account["mobile"][-9:]
    verified = await gql(client, VERIFY_MOBILE, {"input": {
        "accountId": account["id"], "code": sms_gateway.last_code(digits)}})
    assert verified["data"]["verifyMobile"]["errors"] == []
    return account


async def sign_in(client, deliver, sms_gateway, identifier: str,
                  password: str = PASSWORD) -> str:
    """Password, then the SMS code: returns the bearer token."""
    login = (await gql(client, LOGIN, {"input": {"identifier": identifier,
                                                 "password": password}}))["data"]["login"]
    assert login["errors"] == [], login["errors"]
    await deliver()
    verified = (await gql(client, VERIFY_LOGIN, {"input": {
        "challengeId": login["challenge"]["id"], "code": sms_gateway.last_code()}})
    )["data"]["verifyLogin"]
    assert verified["errors"] == [], verified["errors"]
    return verified["token"]


async def signed_in_practitioner(client, deliver, smtp_server, sms_gateway,
                                 **overrides) -> tuple[dict, str]:
    account = await active_account(client, deliver, smtp_server, sms_gateway, **overrides)
    token = await sign_in(client, deliver, sms_gateway, account["email"])
    return account, token
