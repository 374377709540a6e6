"""The account's security settings over GraphQL: the authenticator app (enrol, confirm,
remove), a new email address or mobile number (each proved before it counts), and the list
of sessions (end one: that token stops working). Each change is audited and the account is
told by email."""

from __future__ import annotations

import time

from server.domain import otp
from server.models.accounts import Account
from server.models.audit import AuditEntry
from server.resolvers.accounts.sessions import open_session
from tests.conftest import gql
from tests.journeys import PASSWORD, link_token, signed_in_practitioner

ERRORS = "errors { field code message }"


def problems(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_an_authenticator_app_is_set_up_with_a_code_and_removed_with_the_password(
        client, deliver, smtp_server, sms_gateway):
    who, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    early = (await gql(client, f"mutation($input: CodeInput!) {{ confirmTotpEnrolment("
                               f"input: $input) {{ {ERRORS} }} }}", {"input": {"code": "123456"}},
                       token=token))["data"]["confirmTotpEnrolment"]
    assert problems(early) == [(None, "INVALID_STATE")]

    started = (await gql(client, f"mutation {{ startTotpEnrolment {{ secret otpauthUri qrSvg "
                                 f"{ERRORS} }} }}", token=token))["data"]["startTotpEnrolment"]
    assert started["errors"] == [] and started["otpauthUri"].startswith("otpauth://totp/")
    assert "<svg" in started["qrSvg"]
    secret = started["secret"]
    confirm = f"""mutation($input: CodeInput!) {{ confirmTotpEnrolment(input: $input) {{
        account {{ authenticatorEnabled }} {ERRORS} }} }}"""
    now_code = otp.hotp(secret, otp.totp_step(time.time()))
    wrong = str((int(now_code) + 1) % 1_000_000).zfill(6)
    refused = (await gql(client, confirm, {"input": {"code": wrong}}, token=token)
               )["data"]["confirmTotpEnrolment"]
    assert problems(refused) == [("code", "INVALID")]
    done = (await gql(client, confirm, {"input": {"code": now_code}}, token=token)
            )["data"]["confirmTotpEnrolment"]
    assert done == {"account": {"authenticatorEnabled": True}, "errors": []}
    account = await Account.get(email=who["email"])
    assert account.totp_secret == secret and account.totp_pending_secret is None
    assert await AuditEntry.exists(action="factor.totp_enrolled", actor_id=account.id)

    remove = f"""mutation($input: PasswordInput!) {{ removeTotp(input: $input) {{
        account {{ authenticatorEnabled }} {ERRORS} }} }}"""
    bad = (await gql(client, remove, {"input": {"password": "not my password 1"}},
                     token=token))["data"]["removeTotp"]
    assert problems(bad) == [("password", "INVALID")]
    removed = (await gql(client, remove, {"input": {"password": PASSWORD}}, token=token)
               )["data"]["removeTotp"]
    assert removed == {"account": {"authenticatorEnabled": False}, "errors": []}
    assert await AuditEntry.exists(action="factor.totp_removed", actor_id=account.id)
    await deliver()
    notices = [m.subject for m in smtp_server.messages() if m.to == who["email"]]
    assert len(notices) >= 3, notices  # confirmation, set up, removed


async def test_a_new_email_address_counts_once_its_link_is_opened(
        client, deliver, smtp_server, sms_gateway):
    who, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    await signed_in_practitioner(client, deliver, smtp_server, sms_gateway,
                                 email="taken@example.com",
                                 emailConfirmation="taken@example.com", mobile="0551234568")
    ask = f"""mutation($input: RequestEmailChangeInput!) {{ requestEmailChange(input: $input)
        {{ done {ERRORS} }} }}"""
    for new, password, expected in (
            ("not-an-address", PASSWORD, [("newEmail", "INVALID")]),
            (who["email"], PASSWORD, [("newEmail", "INVALID")]),
            ("new.sara@example.com", "not my password 1", [("password", "INVALID")]),
            ("Taken@Example.com", PASSWORD, [("newEmail", "TAKEN")])):
        body = (await gql(client, ask, {"input": {"newEmail": new, "password": password}},
                          token=token))["data"]["requestEmailChange"]
        assert problems(body) == expected, (new, body)
    asked = (await gql(client, ask, {"input": {"newEmail": "new.sara@example.com",
                                               "password": PASSWORD}}, token=token)
             )["data"]["requestEmailChange"]
    assert asked == {"done": True, "errors": []}
    account = await Account.get(email=who["email"])  # nothing changed yet

    await deliver()
    link = next(m for m in reversed(smtp_server.messages()) if m.to == "new.sara@example.com")
    confirm = f"""mutation($input: ConfirmEmailInput!) {{ confirmEmailChange(input: $input) {{
        account {{ email }} {ERRORS} }} }}"""
    changed = (await gql(client, confirm, {"input": {"token": link_token(link)}})
               )["data"]["confirmEmailChange"]
    assert changed == {"account": {"email": "new.sara@example.com"}, "errors": []}
    again = (await gql(client, confirm, {"input": {"token": link_token(link)}})
             )["data"]["confirmEmailChange"]
    assert again["errors"], "a link works once"
    assert (await Account.get(id=account.id)).email == "new.sara@example.com"
    assert await AuditEntry.exists(action="account.email_changed", actor_id=account.id)
    await deliver()
    assert any(m.to == who["email"] for m in smtp_server.messages()[-3:]), \
        "the old address is told of the change"


async def test_a_new_mobile_number_counts_once_the_code_sent_to_it_is_entered(
        client, deliver, smtp_server, sms_gateway):
    who, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    ask = f"""mutation($input: RequestMobileChangeInput!) {{ requestMobileChange(input: $input)
        {{ done {ERRORS} }} }}"""
    bad = (await gql(client, ask, {"input": {"newMobile": "12345", "password": PASSWORD}},
                     token=token))["data"]["requestMobileChange"]
    assert problems(bad) == [("newMobile", "INVALID")]
    asked = (await gql(client, ask, {"input": {"newMobile": "0559876543",
                                               "password": PASSWORD}}, token=token)
             )["data"]["requestMobileChange"]
    assert asked == {"done": True, "errors": []}
    await deliver()
    code = sms_gateway.last_code("966559876543")
    confirm = f"""mutation($input: CodeInput!) {{ confirmMobileChange(input: $input) {{
        account {{ mobile }} {ERRORS} }} }}"""
    wrong = (await gql(client, confirm, {"input": {"code": str((int(code) + 1) % 1_000_000)
                                                   .zfill(6)}}, token=token)
             )["data"]["confirmMobileChange"]
    assert wrong["errors"] and wrong["errors"][0]["field"] == "code"
    account = await Account.get(email=who["email"])
    assert account.mobile.endswith(who["mobile"][-9:])  # unchanged so far
    changed = (await gql(client, confirm, {"input": {"code": code}}, token=token)
               )["data"]["confirmMobileChange"]
    assert changed["errors"] == [] and changed["account"]["mobile"].endswith("559876543")
    assert await AuditEntry.exists(action="account.mobile_changed", actor_id=account.id)


async def test_the_sessions_are_listed_and_one_ended_stops_working(
        client, deliver, smtp_server, sms_gateway):
    who, first = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    # A second device: another session of the same account (a second sign-in this soon
    # would wait for the SMS code's resend interval).
    second = await open_session(await Account.get(email=who["email"]), user_agent="phone")
    listed = (await gql(client, "{ mySessions { id current } }", token=first)
              )["data"]["mySessions"]
    assert len(listed) == 2 and [s["current"] for s in listed].count(True) == 1
    other = next(s["id"] for s in listed if not s["current"])
    end = f"""mutation($input: EndSessionInput!) {{ endSession(input: $input) {{
        done {ERRORS} }} }}"""
    unknown = (await gql(client, end, {"input": {"sessionId": "999999"}}, token=first)
               )["data"]["endSession"]
    assert problems(unknown) == [("sessionId", "NOT_FOUND")]
    ended = (await gql(client, end, {"input": {"sessionId": other}}, token=first)
             )["data"]["endSession"]
    assert ended == {"done": True, "errors": []}
    gone = await gql(client, "{ me { id } }", token=second)
    assert gone["data"]["me"] is None or gone.get("errors")
    assert (await gql(client, "{ me { id } }", token=first))["data"]["me"] is not None
    account = await Account.get(email=who["email"])
    assert await AuditEntry.exists(action="session.ended", actor_id=account.id)


async def test_sign_ins_and_failures_are_audited(client, deliver, smtp_server, sms_gateway):
    who, _ = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    account = await Account.get(email=who["email"])
    assert await AuditEntry.exists(action="signin.password_ok", actor_id=account.id)
    assert await AuditEntry.exists(action="signin.succeeded", actor_id=account.id)
    login = """mutation($input: LoginInput!) { login(input: $input) { errors { code } } }"""
    await gql(client, login, {"input": {"identifier": who["email"],
                                        "password": "not my password 1"}})
    failed = await AuditEntry.filter(action="signin.failed", actor_id=account.id).first()
    assert failed is not None and "not my password" not in str(failed.details)
