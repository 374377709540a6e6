"""Accounts over GraphQL, with email caught by a real aiosmtpd server and SMS by a local HTTP
gateway."""

import asyncio
import datetime as dt

import pytest

from server.models.accounts import Account, OneTimeCode, RateCounter, Session
from server.models.audit import AuditEntry
from server.models.outbox import OutboxMessage
from tests.conftest import gql
from tests.journeys import (
    CONFIRM_EMAIL,
    LOGIN,
    LOGOUT,
    ME,
    PASSWORD,
    RESEND_MOBILE,
    VERIFY_MOBILE,
    active_account,
    link_token,
    register,
    sign_in,
    signed_in_practitioner,
    solved_captcha,
)


def codes_of(payload) -> dict:
    return {e["field"]: e["code"] for e in payload["errors"]}


async def test_the_whole_journey_register_confirm_verify_sign_in_sign_out(
        client, deliver, smtp_server, sms_gateway):
    payload = await register(client)
    assert payload["errors"] == []
    account = payload["account"]
    assert account["mobile"] == "+966551234567"
    assert not account["emailVerified"] and not account["mobileVerified"]
    assert (await Account.get(id=account["id"])).status == "PENDING"

    assert await deliver() == 2  # the email and the SMS go through the outbox
    [mail] = smtp_server.messages()
    assert mail.to == "sara@example.com"
    assert "/register/confirm?token=" in mail.text
    assert sms_gateway.received[0]["recipients"] == ["966551234567"]
    assert sms_gateway.received[0]["auth"] == "Bearer test-token"

    confirmed = await gql(client, CONFIRM_EMAIL, {"input": {"token": link_token(mail)}})
    assert confirmed["data"]["confirmEmail"]["account"]["emailVerified"] is True
    verified = await gql(client, VERIFY_MOBILE, {"input": {
        "accountId": account["id"], "code": sms_gateway.last_code()}})
    assert verified["data"]["verifyMobile"]["account"]["mobileVerified"] is True
    assert (await Account.get(id=account["id"])).status == "ACTIVE"

    token = await sign_in(client, deliver, sms_gateway, "Sara@Example.com")
    me = await gql(client, ME, token=token)
    assert me["data"]["me"]["email"] == "sara@example.com"
    assert me["data"]["me"]["roles"] == ["PRACTITIONER"]

    out = await gql(client, LOGOUT, token=token)
    assert out["data"]["logout"]["errors"] == []
    assert (await gql(client, ME, token=token))["data"]["me"] is None
    assert await Session.all().count() == 0


async def test_arabic_messages_by_default(client):
    body = await gql(client, """mutation { registerAccount(input: {}) {
        errors { field code message } } }""", lang="ar")
    errors = {e["field"]: e["message"] for e in body["data"]["registerAccount"]["errors"]}
    assert errors["email"] == "أدخل بريدك الإلكتروني."


async def test_every_missing_field_is_required(client):
    body = await gql(client, """mutation { registerAccount(input: {}) {
        errors { field code message } } }""")
    assert codes_of(body["data"]["registerAccount"]) == {
        "firstName": "REQUIRED", "familyName": "REQUIRED", "email": "REQUIRED",
        "password": "REQUIRED", "mobile": "REQUIRED", "acceptTerms": "REQUIRED"}
    assert await Account.all().count() == 0


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"emailConfirmation": "sarah@example.com"}, "emailConfirmation", "MISMATCH"),
    ({"passwordConfirmation": "cedar harbour lantern 43"}, "passwordConfirmation", "MISMATCH"),
    ({"email": "not-an-email", "emailConfirmation": "not-an-email"}, "email", "INVALID"),
    ({"mobile": "0112345678"}, "mobile", "INVALID"),  # a Riyadh landline
    ({"mobile": "+201001234567"}, "mobile", "INVALID"),  # an Egyptian mobile
    ({"password": "short", "passwordConfirmation": "short"}, "password", "TOO_WEAK"),
    ({"password": "password1234", "passwordConfirmation": "password1234"}, "password",
     "TOO_WEAK"),
    ({"password": "alqahtani-2024-x", "passwordConfirmation": "alqahtani-2024-x"}, "password",
     "TOO_WEAK"),
    ({"acceptTerms": False}, "acceptTerms", "REQUIRED"),
])
async def test_each_bad_input_names_its_field(client, overrides, field, code):
    payload = await register(client, **overrides)
    assert codes_of(payload).get(field) == code, payload["errors"]
    assert all(e["message"] for e in payload["errors"])
    assert await Account.all().count() == 0


async def test_a_wrong_or_reused_captcha_fails(client):
    assert codes_of(await register(client, captcha="garbage")) == {"captcha": "CAPTCHA_FAILED"}
    solution = await solved_captcha(client)
    assert (await register(client, captcha=solution))["errors"] == []
    again = await register(client, captcha=solution, email="other@example.com",
                           emailConfirmation="other@example.com")
    assert codes_of(again) == {"captcha": "CAPTCHA_FAILED"}


async def test_a_taken_email_is_said_only_after_a_valid_captcha(client):
    assert (await register(client))["errors"] == []
    without = await register(client, captcha="garbage")
    assert codes_of(without) == {"captcha": "CAPTCHA_FAILED"}
    with_captcha = await register(client)
    assert codes_of(with_captcha) == {"email": "TAKEN"}
    assert await Account.all().count() == 1


async def test_confirmation_link_is_single_use_and_expires(client, deliver, smtp_server,
                                                          sms_gateway):
    await register(client)
    await deliver()
    token = link_token(smtp_server.messages()[-1])
    first = await gql(client, CONFIRM_EMAIL, {"input": {"token": token}})
    assert first["data"]["confirmEmail"]["errors"] == []
    again = await gql(client, CONFIRM_EMAIL, {"input": {"token": token}})
    assert codes_of(again["data"]["confirmEmail"]) == {"token": "EXPIRED"}
    wrong = await gql(client, CONFIRM_EMAIL, {"input": {"token": "nope"}})
    assert codes_of(wrong["data"]["confirmEmail"]) == {"token": "INVALID"}

    await gql(client, """mutation { resendConfirmationEmail(input: {email: "sara@example.com"})
        { done errors { code } } }""")
    await Account.filter(email="sara@example.com").update(email_verified_at=None)
    await gql(client, """mutation { resendConfirmationEmail(input: {email: "sara@example.com"})
        { done errors { code } } }""")
    await deliver()
    fresh = link_token(smtp_server.messages()[-1])
    await OneTimeCode.filter(purpose="EMAIL_CONFIRM", used_at=None).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    expired = await gql(client, CONFIRM_EMAIL, {"input": {"token": fresh}})
    assert codes_of(expired["data"]["confirmEmail"]) == {"token": "EXPIRED"}


async def test_a_wrong_code_says_how_many_tries_are_left_and_the_sixth_fails_even_if_right(
        client, deliver, sms_gateway, smtp_server):
    account = (await register(client))["account"]
    await deliver()
    right = sms_gateway.last_code()
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        body = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"],
                                                           "code": wrong}})
        [error] = body["data"]["verifyMobile"]["errors"]
        assert (error["field"], error["code"]) == ("code", "INVALID")
        assert f"{left} tries left" in error["message"]
    fifth = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"],
                                                        "code": wrong}})
    assert codes_of(fifth["data"]["verifyMobile"]) == {"code": "EXPIRED"}
    sixth = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"],
                                                        "code": right}})
    assert codes_of(sixth["data"]["verifyMobile"]) == {"code": "EXPIRED"}
    assert (await Account.get(id=account["id"])).mobile_verified_at is None


async def test_an_expired_code_is_refused(client, deliver, sms_gateway, smtp_server):
    account = (await register(client))["account"]
    await deliver()
    await OneTimeCode.filter(purpose="REGISTRATION").update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    body = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"],
                                                       "code": sms_gateway.last_code()}})
    assert codes_of(body["data"]["verifyMobile"]) == {"code": "EXPIRED"}


async def test_resend_has_a_cooldown_and_caps(client, deliver, sms_gateway, smtp_server):
    account = (await register(client))["account"]
    resend = {"input": {"accountId": account["id"]}}
    too_soon = await gql(client, RESEND_MOBILE, resend)
    [error] = too_soon["data"]["resendMobileCode"]["errors"]
    assert error["code"] == "RATE_LIMITED" and "minute" in error["message"]

    async def age_codes(seconds):
        await OneTimeCode.filter(purpose="REGISTRATION").update(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))

    await age_codes(61)
    assert (await gql(client, RESEND_MOBILE, resend))["data"]["resendMobileCode"]["sent"]
    await age_codes(61)
    assert (await gql(client, RESEND_MOBILE, resend))["data"]["resendMobileCode"]["sent"]
    await age_codes(61)  # three codes in 15 minutes: the fourth waits
    capped = await gql(client, RESEND_MOBILE, resend)
    assert codes_of(capped["data"]["resendMobileCode"]) == {None: "RATE_LIMITED"}
    await deliver()
    codes = {m["body"] for m in sms_gateway.received}
    assert len(codes) == 3  # each resend is a new code


async def test_only_the_newest_code_works(client, deliver, sms_gateway, smtp_server):
    account = (await register(client))["account"]
    await deliver()
    old = sms_gateway.last_code()
    await OneTimeCode.filter(purpose="REGISTRATION").update(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
    await gql(client, RESEND_MOBILE, {"input": {"accountId": account["id"]}})
    await deliver()
    new = sms_gateway.last_code()
    if old != new:
        stale = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"],
                                                            "code": old}})
        assert stale["data"]["verifyMobile"]["errors"]
    ok = await gql(client, VERIFY_MOBILE, {"input": {"accountId": account["id"], "code": new}})
    assert ok["data"]["verifyMobile"]["errors"] == []


async def test_sign_in_answers_the_same_for_unknown_accounts_and_wrong_passwords(
        client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    unknown = await gql(client, LOGIN, {"input": {"identifier": "nobody@example.com",
                                                  "password": PASSWORD}})
    wrong = await gql(client, LOGIN, {"input": {"identifier": "sara@example.com",
                                                "password": "wrong password here"}})
    assert unknown["data"]["login"]["errors"] == wrong["data"]["login"]["errors"]
    assert wrong["data"]["login"]["errors"][0]["code"] == "INVALID"


async def test_signing_in_again_inside_the_cooldown_reuses_the_code_sent(
        client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    attempt = {"input": {"identifier": "sara@example.com", "password": PASSWORD}}
    first = (await gql(client, LOGIN, attempt))["data"]["login"]
    again = (await gql(client, LOGIN, attempt))["data"]["login"]
    assert again["errors"] == [] and again["challenge"]["id"] == first["challenge"]["id"]
    assert await OneTimeCode.filter(purpose="LOGIN").count() == 1


async def test_a_pending_account_is_told_to_finish_registration(client, deliver):
    await register(client)
    body = await gql(client, LOGIN, {"input": {"identifier": "sara@example.com",
                                               "password": PASSWORD}})
    assert codes_of(body["data"]["login"]) == {None: "INVALID_STATE"}


async def test_failures_slow_down_after_five_and_lock_after_one_hundred(
        client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    attempt = {"input": {"identifier": "sara@example.com", "password": "not the password!"}}
    for n in range(1, 101):
        body = await gql(client, LOGIN, attempt)
        expected = "NOT_ALLOWED" if n == 100 else "INVALID"
        if n == 6:
            throttled = await gql(client, LOGIN, attempt)
            assert codes_of(throttled["data"]["login"]) == {None: "RATE_LIMITED"}
        assert body["data"]["login"]["errors"][0]["code"] in (expected, "INVALID")
        # Let the exponential delay and the per-address window pass without waiting.
        await Account.filter(email="sara@example.com").update(
            last_failed_login_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        await RateCounter.all().delete()
    account = await Account.get(email="sara@example.com")
    assert account.failed_logins == 100 and account.locked_at is not None
    right = await gql(client, LOGIN, {"input": {"identifier": "sara@example.com",
                                                "password": PASSWORD}})
    [error] = right["data"]["login"]["errors"]
    assert error["code"] == "NOT_ALLOWED" and "Reset your password" in error["message"]
    assert await AuditEntry.filter(action="signin.locked").count() == 1


async def test_a_password_reset_by_email_unlocks(client, deliver, smtp_server, sms_gateway):
    await active_account(client, deliver, smtp_server, sms_gateway)
    await Account.filter(email="sara@example.com").update(locked_at=dt.datetime.now(dt.UTC),
                                                          failed_logins=100)
    asked = await gql(client, """mutation { requestPasswordReset(input:
        {email: "sara@example.com"}) { done errors { code } } }""")
    unknown = await gql(client, """mutation { requestPasswordReset(input:
        {email: "nobody@example.com"}) { done errors { code } } }""")
    assert asked["data"] == unknown["data"]  # no hint whether the account exists
    await deliver()
    token = link_token(smtp_server.messages()[-1])
    new_password = "olive minaret compass 7"
    reset = await gql(client, """mutation R($input: ResetPasswordInput!) {
        resetPassword(input: $input) { errors { field code } } }""", {"input": {
        "token": token, "password": new_password, "passwordConfirmation": new_password}})
    assert reset["data"]["resetPassword"]["errors"] == []
    assert await sign_in(client, deliver, sms_gateway, "sara@example.com", new_password)


async def test_one_address_cannot_try_passwords_for_many_accounts(client):
    attempt = {"input": {"identifier": "x@example.com", "password": "whatever password"}}
    for _ in range(60):
        await gql(client, LOGIN, attempt)
    body = await gql(client, LOGIN, attempt)
    assert codes_of(body["data"]["login"]) == {None: "RATE_LIMITED"}


async def test_the_address_may_try_again_when_its_window_ends(client, clock):
    attempt = {"input": {"identifier": "x@example.com", "password": "whatever password"}}
    for _ in range(61):
        await gql(client, LOGIN, attempt)
    clock.shift(dt.timedelta(minutes=5))
    body = await gql(client, LOGIN, attempt)
    assert codes_of(body["data"]["login"]) == {None: "INVALID"}


async def test_two_sign_in_mutations_in_one_document_are_refused(client):
    body = await gql(client, """mutation {
      a: login(input: {identifier: "a@example.com", password: "x"}) { errors { code } }
      b: login(input: {identifier: "a@example.com", password: "y"}) { errors { code } }
    }""")
    assert body.get("data") is None
    assert "one sign-in mutation" in body["errors"][0]["message"]


async def test_guessing_codes_with_aliases_is_refused(client):
    guesses = " ".join(
        f'g{i}: verifyLogin(input: {{challengeId: "x", code: "{i:06d}"}}) {{ token }}'
        for i in range(10))
    body = await gql(client, f"mutation {{ {guesses} }}")
    assert body.get("data") is None


async def test_a_session_ended_by_sign_out_no_longer_works_as_cookie_or_bearer(
        app, client, deliver, smtp_server, sms_gateway):
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    import httpx

    from server.context import session_cookie_name

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as web:
        web.cookies.set(session_cookie_name(app.state.settings), token)
        page = await web.get("/account/security", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert (await gql(client, LOGOUT, token=token))["data"]["logout"]["errors"] == []
        after = await web.get("/account/security", headers={"accept": "text/html"})
        assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert (await gql(client, ME, token=token))["data"]["me"] is None


async def test_sessions_expire_when_idle(client, deliver, smtp_server, sms_gateway):
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    await Session.all().update(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    assert (await gql(client, ME, token=token))["data"]["me"] is None
    assert await Session.all().count() == 0


async def test_a_new_session_token_at_every_sign_in(client, deliver, smtp_server, sms_gateway):
    account, first = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    await OneTimeCode.all().update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    second = await sign_in(client, deliver, sms_gateway, account["email"])
    assert first != second
    stored = {s.token_hash for s in await Session.all()}
    assert first not in stored and second not in stored  # only hashes are stored


async def test_messages_leave_through_the_outbox_only(client):
    await register(client)
    assert await OutboxMessage.filter(channel="email").count() == 1
    assert await OutboxMessage.filter(channel="sms").count() == 1


@pytest.mark.real_argon2
async def test_passwords_are_hashed_with_argon2id_defaults_off_the_event_loop():
    import argon2

    from server.resolvers.accounts import signup

    assert signup.hasher.type is argon2.Type.ID
    assert signup.hasher.time_cost == argon2.DEFAULT_TIME_COST
    assert signup.hasher.memory_cost == argon2.DEFAULT_MEMORY_COST
    stored = await signup.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert await signup.verify_password(stored, PASSWORD)
    assert not await signup.verify_password(stored, PASSWORD + "x")


async def test_hashing_yields_the_cores_to_the_event_loop():
    import os

    from server.resolvers.accounts import signup

    loop = asyncio.get_running_loop()
    policy = await loop.run_in_executor(signup.HASHING, os.sched_getscheduler, 0)
    assert policy == os.SCHED_IDLE
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the loop's own thread is untouched
