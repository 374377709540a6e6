"""Passkeys over GraphQL, with a software authenticator (tests/accounts/softauthn.py): add
one from a signed-in session, sign in with it alone (a session like verifyLogin's), list and
remove it (with the password); each challenge is used once, for 5 minutes, by the session
that asked; staff may use a passkey instead of an authenticator app. Every change and every
sign-in leaves an audit row."""

from __future__ import annotations

import datetime as dt
import json

from server.models.accounts import Account, Passkey, PasskeyChallenge, Session
from server.models.audit import AuditEntry
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.signup import hash_password
from server.resolvers.accounts.staff import create_staff
from tests.accounts.softauthn import SoftAuthenticator, unb64url
from tests.conftest import gql
from tests.journeys import LOGIN, ME

PASSWORD = "quiet meadow lantern 9"
ORIGIN = "http://127.0.0.1:8000"  # the tests' BASE_URL
ERRORS = "errors { field code message }"
START_ADD = f"mutation {{ startPasskeyRegistration {{ challengeId options expiresAt {ERRORS} }} }}"
FINISH_ADD = f"""mutation($input: FinishPasskeyRegistrationInput!) {{
  finishPasskeyRegistration(input: $input) {{ passkey {{ id name transports lastUsedAt }}
  {ERRORS} }} }}"""
START_SIGN_IN = f"mutation {{ startPasskeySignIn {{ challengeId options {ERRORS} }} }}"
FINISH_SIGN_IN = f"""mutation($input: FinishPasskeySignInInput!) {{
  finishPasskeySignIn(input: $input) {{ token account {{ email roles }} {ERRORS} }} }}"""
MY_PASSKEYS = "{ myPasskeys { id name createdAt lastUsedAt } }"
REMOVE = f"""mutation($input: RemovePasskeyInput!) {{ removePasskey(input: $input) {{
  done {ERRORS} }} }}"""


def problems(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def practitioner(email: str = "sara@example.com", **fields) -> tuple[Account, str]:
    moment = dt.datetime.now(dt.UTC)
    account = await Account.create(
        email=email, mobile="+966551234567", first_name="Sara", family_name="Alqahtani",
        password_hash=await hash_password(PASSWORD), status="ACTIVE",
        email_verified_at=moment, mobile_verified_at=moment, **fields)
    return account, await open_session(account)


async def add_passkey(client, token: str, device: SoftAuthenticator, name: str = "Phone",
                      **options) -> dict:
    started = (await gql(client, START_ADD, token=token))["data"]["startPasskeyRegistration"]
    assert started["errors"] == [], started
    return (await gql(client, FINISH_ADD, {"input": {
        "challengeId": started["challengeId"], "name": name,
        "credential": device.create(started["options"], **options)}}, token=token)
    )["data"]["finishPasskeyRegistration"]


async def sign_in(client, device: SoftAuthenticator, lang: str = "en", **options) -> dict:
    started = (await gql(client, START_SIGN_IN))["data"]["startPasskeySignIn"]
    assert started["errors"] == [], started
    answer = device.get(started["options"], **options)
    return (await gql(client, FINISH_SIGN_IN, {"input": {
        "challengeId": started["challengeId"], "credential": answer}}, lang=lang)
    )["data"]["finishPasskeySignIn"]


async def test_a_passkey_is_added_then_signs_in_alone_like_verify_login(client):
    account, token = await practitioner()
    device = SoftAuthenticator(ORIGIN)
    started = (await gql(client, START_ADD, token=token))["data"]["startPasskeyRegistration"]
    options = json.loads(started["options"])
    # A discoverable credential, unlocked on the device: it is both factors.
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "127.0.0.1" and unb64url(options["user"]["id"]) \
        == account.id.bytes

    added = (await gql(client, FINISH_ADD, {"input": {
        "challengeId": started["challengeId"], "name": "  Work   laptop ",
        "credential": device.create(started["options"])}}, token=token)
    )["data"]["finishPasskeyRegistration"]
    assert added["errors"] == [] and added["passkey"]["name"] == "Work laptop"
    assert added["passkey"]["transports"] == ["internal"]
    assert await AuditEntry.exists(action="factor.passkey_added", actor_id=account.id,
                                   target_id=added["passkey"]["id"])

    sessions_before = await Session.filter(account_id=account.id).count()
    signed_in = await sign_in(client, device)
    assert signed_in["errors"] == [] and signed_in["account"]["email"] == "sara@example.com"
    me = await gql(client, ME, token=signed_in["token"])  # the bearer token of verifyLogin
    assert me["data"]["me"]["email"] == "sara@example.com"
    assert await Session.filter(account_id=account.id).count() == sessions_before + 1
    audit = await AuditEntry.filter(action="signin.succeeded", actor_id=account.id).first()
    assert audit.details["channel"] == "PASSKEY"
    listed = (await gql(client, MY_PASSKEYS, token=token))["data"]["myPasskeys"]
    assert [p["name"] for p in listed] == ["Work laptop"] and listed[0]["lastUsedAt"]
    assert (await Passkey.get(account_id=account.id)).sign_count == 1


async def test_each_challenge_works_once_for_five_minutes_for_the_session_that_asked(client):
    account, token = await practitioner()
    _, other_token = await practitioner("omar@example.com")
    device = SoftAuthenticator(ORIGIN)
    started = (await gql(client, START_ADD, token=token))["data"]["startPasskeyRegistration"]
    answer = device.create(started["options"])
    finish = {"input": {"challengeId": started["challengeId"], "credential": answer}}
    stolen = (await gql(client, FINISH_ADD, finish, token=other_token)
              )["data"]["finishPasskeyRegistration"]
    assert problems(stolen) == [("challengeId", "EXPIRED")]
    second_session = await open_session(account)  # same account, another session
    elsewhere = (await gql(client, FINISH_ADD, finish, token=second_session)
                 )["data"]["finishPasskeyRegistration"]
    assert problems(elsewhere) == [("challengeId", "EXPIRED")]
    assert (await gql(client, FINISH_ADD, finish, token=token)
            )["data"]["finishPasskeyRegistration"]["errors"] == []
    again = (await gql(client, FINISH_ADD, finish, token=token))["data"][
        "finishPasskeyRegistration"]
    assert problems(again) == [("challengeId", "EXPIRED")]

    # A sign-in response replayed finds its challenge spent.
    started = (await gql(client, START_SIGN_IN))["data"]["startPasskeySignIn"]
    answer = {"input": {"challengeId": started["challengeId"],
                        "credential": device.get(started["options"])}}
    assert (await gql(client, FINISH_SIGN_IN, answer))["data"]["finishPasskeySignIn"]["token"]
    replay = (await gql(client, FINISH_SIGN_IN, answer))["data"]["finishPasskeySignIn"]
    assert problems(replay) == [("challengeId", "EXPIRED")] and replay["token"] is None

    started = (await gql(client, START_SIGN_IN))["data"]["startPasskeySignIn"]
    await PasskeyChallenge.filter(id=started["challengeId"]).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    late = (await gql(client, FINISH_SIGN_IN, {"input": {
        "challengeId": started["challengeId"], "credential": device.get(started["options"])}})
    )["data"]["finishPasskeySignIn"]
    assert problems(late) == [("challengeId", "EXPIRED")]
    expires = dt.datetime.fromisoformat(started_add := (await gql(
        client, START_ADD, token=token))["data"]["startPasskeyRegistration"]["expiresAt"])
    assert dt.timedelta(minutes=4) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(
        minutes=5), started_add


async def test_a_response_from_another_site_or_unverified_user_or_garbage_is_refused(client):
    account, token = await practitioner()
    phished = await add_passkey(client, token, SoftAuthenticator(ORIGIN),
                                origin="http://evil.example")
    assert problems(phished) == [("credential", "INVALID")]
    careless = await add_passkey(client, token, SoftAuthenticator(ORIGIN, user_verified=False))
    assert problems(careless) == [("credential", "INVALID")]
    started = (await gql(client, START_ADD, token=token))["data"]["startPasskeyRegistration"]
    garbage = (await gql(client, FINISH_ADD, {"input": {
        "challengeId": started["challengeId"], "credential": "{not json"}}, token=token)
    )["data"]["finishPasskeyRegistration"]
    assert problems(garbage) == [("credential", "INVALID")]
    assert not await Passkey.exists(account_id=account.id)
    assert await AuditEntry.filter(action="factor.passkey_refused").count() == 2

    device = SoftAuthenticator(ORIGIN)
    assert (await add_passkey(client, token, device))["errors"] == []
    refused = await sign_in(client, device, lang="ar", origin="http://evil.example")
    assert problems(refused) == [("credential", "INVALID")] and refused["token"] is None
    assert "مفتاح المرور" in refused["errors"][0]["message"]  # in the user's language
    device.user_verified = False
    assert problems(await sign_in(client, device)) == [("credential", "INVALID")]
    stranger = SoftAuthenticator(ORIGIN)  # a passkey this site never saw
    await add_passkey(client, (await practitioner("x@example.com"))[1], stranger)
    await Passkey.filter(account__email="x@example.com").delete()
    assert problems(await sign_in(client, stranger)) == [("credential", "INVALID")]
    assert await AuditEntry.filter(action="signin.passkey_failed").count() == 3


async def test_a_locked_or_disabled_account_cannot_sign_in_with_its_passkey(client):
    account, token = await practitioner()
    device = SoftAuthenticator(ORIGIN)
    await add_passkey(client, token, device)
    await Account.filter(id=account.id).update(locked_at=dt.datetime.now(dt.UTC))
    assert problems(await sign_in(client, device)) == [(None, "NOT_ALLOWED")]
    await Account.filter(id=account.id).update(locked_at=None, status="DISABLED")
    assert problems(await sign_in(client, device)) == [(None, "NOT_ALLOWED")]
    assert {a.action async for a in AuditEntry.filter(actor_id=account.id,
                                                       action__startswith="signin.")} \
        == {"signin.refused_locked", "signin.refused_inactive"}


async def test_removing_a_passkey_needs_the_password_and_ends_its_sign_ins(client):
    account, token = await practitioner()
    _, other_token = await practitioner("omar@example.com")
    device = SoftAuthenticator(ORIGIN)
    passkey = (await add_passkey(client, token, device))["passkey"]
    remove = {"input": {"passkeyId": passkey["id"], "password": "not my password 1"}}
    assert problems((await gql(client, REMOVE, remove, token=token))["data"][
        "removePasskey"]) == [("password", "INVALID")]
    remove["input"]["password"] = PASSWORD
    assert problems((await gql(client, REMOVE, remove, token=other_token))["data"][
        "removePasskey"]) == [("passkeyId", "NOT_FOUND")]
    assert (await gql(client, REMOVE, remove, token=token))["data"]["removePasskey"] == {
        "done": True, "errors": []}
    assert await AuditEntry.exists(action="factor.passkey_removed", actor_id=account.id,
                                   target_id=passkey["id"])
    assert (await gql(client, MY_PASSKEYS, token=token))["data"]["myPasskeys"] == []
    assert problems(await sign_in(client, device)) == [("credential", "INVALID")]


async def test_signed_out_callers_cannot_add_or_list_passkeys(client):
    assert (await gql(client, START_ADD))["errors"][0]["extensions"]["code"] \
        == "UNAUTHENTICATED"
    assert (await gql(client, MY_PASSKEYS))["errors"][0]["extensions"]["code"] \
        == "UNAUTHENTICATED"


async def test_listing_passkeys_is_one_query_however_many(client, queries):
    _, token = await practitioner()
    counts = []
    for _ in range(2):
        await add_passkey(client, token, SoftAuthenticator(ORIGIN))
        with queries() as counted:
            await gql(client, MY_PASSKEYS, token=token)
        counts.append(counted.count)
    assert counts[0] == counts[1]


async def test_staff_sign_in_with_a_passkey_instead_of_the_authenticator_app(client):
    reviewer, _ = await create_staff("reviewer@sijil.example", "reviewer", PASSWORD)
    token = await open_session(reviewer)  # as after the password and the app's code
    device = SoftAuthenticator(ORIGIN)
    passkey = (await add_passkey(client, token, device))["passkey"]
    signed_in = await sign_in(client, device)
    assert signed_in["errors"] == [] and signed_in["account"]["roles"] == ["REVIEWER"]

    # With a passkey, the app may go; then the password alone opens nothing.
    removed = (await gql(client, "mutation($input: PasswordInput!) { removeTotp(input: $input)"
                                 " { account { authenticatorEnabled } errors { code } } }",
                         {"input": {"password": PASSWORD}}, token=token))["data"]["removeTotp"]
    assert removed == {"account": {"authenticatorEnabled": False}, "errors": []}
    login = (await gql(client, LOGIN, {"input": {"identifier": "reviewer@sijil.example",
                                                 "password": PASSWORD}}))["data"]["login"]
    assert problems(login) == [(None, "NOT_ALLOWED")] and "passkey" in login["errors"][0][
        "message"]
    last = (await gql(client, REMOVE, {"input": {"passkeyId": passkey["id"],
                                                 "password": PASSWORD}}, token=token)
            )["data"]["removePasskey"]
    assert problems(last) == [(None, "NOT_ALLOWED")]
    assert (await sign_in(client, device))["errors"] == []


async def test_a_copied_passkey_whose_counter_does_not_grow_is_refused(client):
    _, token = await practitioner()
    device = SoftAuthenticator(ORIGIN)
    await add_passkey(client, token, device)
    assert (await sign_in(client, device))["errors"] == []
    for held in device.credentials.values():
        held[3] = 0  # a clone made before that sign-in: its next count is 1 again
    assert problems(await sign_in(client, device)) == [("credential", "INVALID")]
    assert (await AuditEntry.filter(action="signin.passkey_failed").first()).details[
        "reason"].startswith("Response sign count")
