"""The account pages: the page plumbing (422 fragment, HX-Redirect, 303) and the journey
through the forms, as a browser without JavaScript and as htmx would send it."""

import re

from server.integrations import captcha
from server.models.accounts import Account
from tests.conftest import csrf_of
from tests.journeys import PASSWORD, link_token

HTMX = {"hx-request": "true"}


async def form_post(client, path, data, htmx=False):
    return await client.post(path, data={"csrf_token": csrf_of(client), **data},
                             headers=HTMX if htmx else {})


def registration_form(captcha_payload: str, **overrides) -> dict:
    return {"firstName": "Sara", "familyName": "Alqahtani", "email": "sara@example.com",
            "emailConfirmation": "sara@example.com", "password": PASSWORD,
            "passwordConfirmation": PASSWORD, "mobile": "0551234567", "acceptTerms": "1",
            "altcha": captcha_payload, **overrides}


async def test_the_register_page_is_arabic_with_the_captcha_widget(browser_like):
    page = await browser_like.get("/register")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "<altcha-widget" in page.text and 'challenge="/captcha/challenge"' in page.text
    assert "إنشاء حساب" in page.text


async def test_errors_without_javascript_give_the_whole_page_with_422_and_keep_the_input(
        browser_like):
    response = await form_post(browser_like, "/register", {"firstName": "Sara",
                                                           "password": "secret-typed"})
    assert response.status_code == 422
    assert response.text.startswith("<!doctype html>")
    assert "data-error-summary" in response.text and 'href="#field-email"' in response.text
    assert 'value="Sara"' in response.text
    assert "secret-typed" not in response.text  # passwords are never sent back


async def test_errors_with_htmx_give_the_form_fragment_with_422(browser_like):
    response = await form_post(browser_like, "/register", {"firstName": "Sara"}, htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "<html" not in response.text and "data-error-summary" in response.text
    assert "hx-request" in response.headers["vary"].lower()


async def test_success_with_htmx_is_an_hx_redirect_and_without_it_a_303(browser_like):
    challenge = (await browser_like.get("/captcha/challenge")).json()
    htmx = await form_post(browser_like, "/register",
                           registration_form(captcha.solve(challenge)), htmx=True)
    assert htmx.status_code == 200
    assert htmx.headers["hx-redirect"].startswith("/register/mobile?account=")

    challenge = (await browser_like.get("/captcha/challenge")).json()
    plain = await form_post(browser_like, "/register", registration_form(
        captcha.solve(challenge), email="omar@example.com", emailConfirmation="omar@example.com"))
    assert plain.status_code == 303
    assert plain.headers["location"].startswith("/register/mobile?account=")


async def test_the_whole_account_journey_through_the_pages(browser_like, deliver, smtp_server,
                                                           sms_gateway):
    challenge = (await browser_like.get("/captcha/challenge")).json()
    created = await form_post(browser_like, "/register", registration_form(
        captcha.solve(challenge)))
    mobile_page = await browser_like.get(created.headers["location"])
    assert "0551234567" in mobile_page.text or "+966551234567" in mobile_page.text
    account_id = re.search(r"account=([0-9a-f-]+)", created.headers["location"]).group(1)
    await deliver()

    token = link_token(smtp_server.messages()[-1])
    confirm_page = await browser_like.get(f"/register/confirm?token={token}")
    assert confirm_page.status_code == 200 and token in confirm_page.text
    assert (await Account.get(id=account_id)).email_verified_at is None  # a GET spends nothing
    confirmed = await form_post(browser_like, "/register/confirm", {"token": token})
    assert confirmed.status_code == 303 and "email=1" in confirmed.headers["location"]

    wrong = await form_post(browser_like, "/register/mobile", {"accountId": account_id,
                                                              "code": "12345"})
    assert wrong.status_code == 422
    verified = await form_post(browser_like, "/register/mobile", {
        "accountId": account_id, "code": sms_gateway.last_code()})
    assert verified.headers["location"] == "/login?ready=1"

    login = await form_post(browser_like, "/login", {"identifier": "sara@example.com",
                                                     "password": PASSWORD, "next": "/"})
    assert login.status_code == 303 and login.headers["location"].startswith("/login/code?")
    code_page = await browser_like.get(login.headers["location"])
    assert code_page.status_code == 200
    challenge_id = re.search(r'name="challenge" value="([^"]+)"', code_page.text).group(1)
    await deliver()
    signed_in = await form_post(browser_like, "/login/code", {
        "challenge": challenge_id, "channel": "SMS", "next": "/",
        "code": sms_gateway.last_code()})
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "sid=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace(
        "Lax", "lax")
    security = await browser_like.get("/account/security")
    assert security.status_code == 200 and "sara@example.com" in security.text

    out = await form_post(browser_like, "/logout", {})
    assert out.status_code == 303 and out.headers["location"].startswith("/login")
    after = await browser_like.get("/account/security")
    assert after.status_code == 303  # signed out: back to the sign-in page


async def test_the_security_page_changes_the_password_in_place(browser_like, client, deliver,
                                                               smtp_server, sms_gateway):
    from server.context import session_cookie_name
    from tests.journeys import signed_in_practitioner

    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    wrong = await form_post(browser_like, "/account/security/password", {
        "currentPassword": "nope", "newPassword": "new lantern harbour 77",
        "newPasswordConfirmation": "new lantern harbour 77"}, htmx=True)
    assert wrong.status_code == 422 and wrong.text.lstrip().startswith("<section")
    ok = await form_post(browser_like, "/account/security/password", {
        "currentPassword": PASSWORD, "newPassword": "new lantern harbour 77",
        "newPasswordConfirmation": "new lantern harbour 77"}, htmx=True)
    assert ok.status_code == 200 and 'id="password"' in ok.text
    await deliver()
    assert any("password" in m.subject.lower() or "كلمة المرور" in m.subject
               for m in smtp_server.messages())
