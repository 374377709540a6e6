"""The passkey pages as a browser sends them (the script's requests, then the plain form
posts), with the software authenticator: add a passkey from account security, sign out,
sign in with it alone (the page gets the session cookie), remove it. Without JavaScript the
passkey forms stay hidden and the password form is unchanged."""

from __future__ import annotations

import json
import re

from server.context import session_cookie_name
from server.models.accounts import Passkey
from tests.accounts.softauthn import SoftAuthenticator
from tests.accounts.test_passkeys import ORIGIN, PASSWORD, practitioner
from tests.conftest import csrf_of


async def post(client, path: str, data: dict | None = None, **headers):
    return await client.post(path, data={"csrf_token": csrf_of(client), **(data or {})},
                             headers=headers)


async def test_add_sign_out_sign_in_with_the_passkey_alone_and_remove_it(browser_like, settings):
    account, token = await practitioner()
    cookie = session_cookie_name(settings)
    browser_like.cookies.set(cookie, token, domain="127.0.0.1")
    page = await browser_like.get("/account/security")
    assert "مفاتيح المرور" in page.text and "ليس لديك مفاتيح مرور بعد." in page.text
    assert re.search(r"<form[^>]*data-passkey-register[^>]*hidden", page.text)
    assert "js/passkeys." in page.text

    device = SoftAuthenticator(ORIGIN)
    options = await post(browser_like, "/account/security/passkeys/options",
                         **{"x-csrf-token": csrf_of(browser_like)})
    assert options.status_code == 200 and options.headers["content-type"].startswith(
        "application/json")
    body = options.json()
    added = await post(browser_like, "/account/security/passkeys", {
        "challengeId": body["challengeId"], "name": "هاتفي",
        "credential": device.create(json.dumps(body["options"]))})
    assert added.status_code == 303
    assert added.headers["location"] == "/account/security?passkey_added=1#passkeys"
    page = await browser_like.get(added.headers["location"])
    assert "أُضيف مفتاح المرور" in page.text and "هاتفي" in page.text

    await post(browser_like, "/logout")
    assert cookie not in browser_like.cookies
    login = await browser_like.get("/login?next=/account/security")
    assert re.search(r"<form[^>]*data-passkey-signin[^>]*hidden", login.text)
    assert "تسجيل الدخول بمفتاح مرور" in login.text
    options = (await post(browser_like, "/login/passkey/options")).json()
    signed_in = await post(browser_like, "/login/passkey", {
        "challengeId": options["challengeId"], "next": "/account/security",
        "credential": device.get(json.dumps(options["options"]))})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/account/security"
    assert browser_like.cookies.get(cookie)
    page = await browser_like.get("/account/security")
    assert page.status_code == 200 and "هاتفي" in page.text

    passkey = await Passkey.get(account_id=account.id)
    wrong = await post(browser_like, "/account/security/passkeys/remove",
                       {"passkeyId": str(passkey.id), "password": "not my password 1"},
                       **{"hx-request": "true"})
    assert wrong.status_code == 422 and wrong.text.lstrip().startswith("<section")
    removed = await post(browser_like, "/account/security/passkeys/remove",
                         {"passkeyId": str(passkey.id), "password": PASSWORD})
    assert removed.status_code == 200 and "أُزيل مفتاح المرور." in removed.text
    assert not await Passkey.exists(account_id=account.id)


async def test_a_refused_passkey_sign_in_shows_the_login_page_again_in_english(browser_like):
    browser_like.cookies.set("lang", "en", domain="127.0.0.1")
    options = (await post(browser_like, "/login/passkey/options")).json()
    refused = await post(browser_like, "/login/passkey", {
        "challengeId": options["challengeId"], "credential": "{}"},
        **{"accept-language": "en"})
    assert refused.status_code == 422
    assert "The passkey was not accepted" in refused.text
    assert 'href="#field-credential"' not in refused.text  # no such field to point at
    assert 'name="password"' in refused.text  # the password form is still there


async def test_a_refused_new_passkey_shows_the_section_with_the_reason(browser_like, settings):
    _, token = await practitioner()
    browser_like.cookies.set(session_cookie_name(settings), token, domain="127.0.0.1")
    options = (await post(browser_like, "/account/security/passkeys/options")).json()
    answer = SoftAuthenticator(ORIGIN).create(json.dumps(options["options"]),
                                              origin="http://evil.example")
    refused = await post(browser_like, "/account/security/passkeys", {
        "challengeId": options["challengeId"], "name": "x" * 61, "credential": answer})
    assert refused.status_code == 422 and 'href="#field-name"' in refused.text
    fixed = {"challengeId": options["challengeId"], "name": "Phone", "credential": answer}
    phished = await post(browser_like, "/account/security/passkeys", fixed)
    assert phished.status_code == 422 and "لم يُقبل مفتاح المرور الجديد" in phished.text
    assert 'href="#field-credential"' not in phished.text
    again = await post(browser_like, "/account/security/passkeys", fixed)  # challenge spent
    assert again.status_code == 422 and "انتهت صلاحية طلب مفتاح المرور" in again.text
    assert 'href="#field-challengeId"' not in again.text


async def test_the_options_routes_need_the_csrf_token(browser_like):
    for path in ("/login/passkey/options", "/account/security/passkeys/options"):
        response = await browser_like.post(path, data={})
        assert response.status_code == 403, path
