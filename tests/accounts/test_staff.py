"""Staff accounts: created by `sijil create-staff`, signed in with an authenticator app."""

import os
import re
import subprocess
import sys
import time

from server.domain import otp
from server.models.accounts import Account
from tests.builders import STAFF_PASSWORD, staff_secret
from tests.conftest import gql
from tests.journeys import LOGIN, ME, VERIFY_LOGIN


def totp_now(secret: str, offset_steps: int = 0) -> str:
    return otp.hotp(secret, otp.totp_step(time.time()) + offset_steps)



async def test_a_reviewer_signs_in_with_the_authenticator_app(client):
    _, secret = await staff_secret()
    login = (await gql(client, LOGIN, {"input": {"identifier": "reviewer@sijil.example",
                                                 "password": STAFF_PASSWORD}}))["data"]["login"]
    assert login["errors"] == [] and login["challenge"]["channel"] == "TOTP"
    verified = (await gql(client, VERIFY_LOGIN, {"input": {
        "challengeId": login["challenge"]["id"], "code": totp_now(secret)}}))["data"]["verifyLogin"]
    assert verified["errors"] == []
    me = await gql(client, ME, token=verified["token"])
    assert me["data"]["me"]["roles"] == ["REVIEWER"]


async def test_each_authenticator_code_works_once(client):
    _, secret = await staff_secret()
    code = totp_now(secret)
    tokens = []
    for _ in range(2):
        login = (await gql(client, LOGIN, {"input": {"identifier": "reviewer@sijil.example",
                                                     "password": STAFF_PASSWORD}}))["data"]["login"]
        tokens.append((await gql(client, VERIFY_LOGIN, {"input": {
            "challengeId": login["challenge"]["id"], "code": code}}))["data"]["verifyLogin"])
    assert tokens[0]["errors"] == []
    assert tokens[1]["errors"][0]["code"] in ("INVALID", "EXPIRED")


async def test_a_code_from_far_outside_the_window_is_refused(client):
    _, secret = await staff_secret()
    login = (await gql(client, LOGIN, {"input": {"identifier": "reviewer@sijil.example",
                                                 "password": STAFF_PASSWORD}}))["data"]["login"]
    old = totp_now(secret, offset_steps=-3)
    body = (await gql(client, VERIFY_LOGIN, {"input": {
        "challengeId": login["challenge"]["id"], "code": old}}))["data"]["verifyLogin"]
    assert body["errors"][0]["code"] == "INVALID" and body["token"] is None


async def test_staff_sign_in_without_an_authenticator_app_is_refused(client):
    account, _ = await staff_secret("admin", "admin@sijil.example")
    await Account.filter(id=account.id).update(totp_secret=None)
    body = (await gql(client, LOGIN, {"input": {"identifier": "admin@sijil.example",
                                                "password": STAFF_PASSWORD}}))["data"]["login"]
    assert body["errors"][0]["code"] == "NOT_ALLOWED"
    assert "authenticator app" in body["errors"][0]["message"]


def test_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8 digits)
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert otp.hotp(secret, otp.totp_step(59), digits=8) == "94287082"
    assert otp.hotp(secret, otp.totp_step(1111111109), digits=8) == "07081804"


def test_create_staff_command_reads_the_password_and_prints_the_otpauth_uri(settings, tmp_path):
    url = f"sqlite://{tmp_path / 'staff.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}
    run = lambda *a, stdin="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "server.cli", *a], env=env, input=stdin, capture_output=True,
        text=True, timeout=60, check=False)
    assert run("migrate").returncode == 0
    made = run("create-staff", "--email", "Admin@Sijil.example", "--role", "admin",
               stdin=STAFF_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert re.search(r"^otpauth://totp/Sijil%3Aadmin%40sijil\.example\?secret=[A-Z2-7]+",
                     made.stdout, re.M)
    weak = run("create-staff", "--email", "r@sijil.example", "--role", "reviewer",
               stdin="password\n")
    assert weak.returncode == 2 and "password" in weak.stderr
    twice = run("create-staff", "--email", "admin@sijil.example", "--role", "admin",
                stdin=STAFF_PASSWORD + "\n")
    assert twice.returncode == 2 and "already exists" in twice.stderr
