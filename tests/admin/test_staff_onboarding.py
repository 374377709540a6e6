"""Staff onboarding: the admin chooses no password (the system makes one, shown once), the
authenticator link comes as a QR code, the page after creating staff keeps the admin's
staff navigation, and the new person's first sign-in sends them to replace the password;
until they do, every staff power is refused."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

from server.context import session_cookie_name
from server.domain import otp
from server.models.accounts import Account
from server.models.audit import AuditEntry
from tests.builders import staff_session
from tests.conftest import csrf_of, gql


async def test_a_new_staff_member_gets_a_qr_a_made_password_and_must_change_it(
        browser_like, client, settings, app):
    _, token = await staff_session("admin")
    browser_like.cookies.set(session_cookie_name(settings), token)
    form = await browser_like.get("/admin/staff")
    assert 'name="password"' not in form.text
    assert "supervisor" in form.text
    created = await browser_like.post("/admin/staff", data={
        "email": "staff-workflow-new@example.test", "role": "supervisor", "firstName": "Noura",
        "familyName": "Saleh", "csrf_token": csrf_of(browser_like)})
    assert created.status_code == 200
    assert "<svg" in created.text and "otpauth://totp/" in created.text
    # The admin's own navigation, not a practitioner's.
    assert 'href="/admin"' in created.text and 'href="/review"' in created.text
    shown = re.findall(r'<code dir="ltr" class="break-all">([^<]+)</code>', created.text)
    password = next(s for s in shown if not s.startswith("otpauth"))
    uri = re.search(r"(otpauth://totp/[^<\"]+)", created.text).group(1).replace("&amp;", "&")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    account = await Account.get(email="staff-workflow-new@example.test")
    assert account.role_list == ["REVIEWER", "SUPERVISOR"] and account.must_change_password
    assert password not in str(await AuditEntry.all().values_list("details", flat=True))

    # The first sign-in (password, then the authenticator) goes to the password form.
    browser_like.cookies.clear()
    await browser_like.get("/")
    login = await browser_like.post("/login", data={
        "identifier": account.email, "password": password, "next": "/review",
        "csrf_token": csrf_of(browser_like)})
    assert login.status_code == 303, login.text
    code_page = await browser_like.get(login.headers["location"])
    challenge = re.search(r'name="challenge" value="([^"]+)"', code_page.text).group(1)
    code = otp.hotp(secret, otp.totp_step(time.time()))
    signed_in = await browser_like.post("/login/code", data={
        "challenge": challenge, "channel": "TOTP", "next": "/review", "code": code,
        "csrf_token": csrf_of(browser_like)})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account/security?first=1#password"
    security = await browser_like.get("/account/security?first=1")
    assert "اختر كلمة مرور خاصة بك" in security.text  # the page is in Arabic by default
    assert (await browser_like.get("/review")).status_code == 403

    staff_token = await _bearer(account)
    queue = "{ reviewQueue(first: 5) { edges { cursor } } }"
    refused = await gql(client, queue, token=staff_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    changed = await gql(client, """mutation($input: ChangePasswordInput!) {
        changePassword(input: $input) { errors { field code } } }""", {"input": {
        "currentPassword": password, "newPassword": "silver harbour meadow 73",
        "newPasswordConfirmation": "silver harbour meadow 73"}}, token=staff_token)
    assert changed["data"]["changePassword"]["errors"] == []
    assert not (await Account.get(id=account.id)).must_change_password
    allowed = await gql(client, queue, token=staff_token)
    assert "errors" not in allowed, allowed


async def _bearer(account) -> str:
    from server.resolvers.accounts.sessions import open_session

    return await open_session(account)
