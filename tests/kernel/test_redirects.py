"""Every redirect a page gives (303 `Location` or htmx's `HX-Redirect`) passes one gate: a
path on this site, or "/". Browsers read `\\` as `/`, drop tabs and newlines anywhere in a
URL and leading spaces and controls, so each of these would leave the site somewhere."""

import logging
import re
from urllib.parse import urljoin, urlsplit

import pytest

from server.models.accounts import OneTimeCode
from tests.conftest import csrf_of
from tests.journeys import PASSWORD, active_account

TRICKY = [
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example",
    "//evil.example", "///evil.example", "https://evil.example", "https:evil.example",
    "//user@evil.example", "/\t/evil.example", "\t//evil.example", " //evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "/\r\nSet-Cookie: planted=1", "\x00//evil.example",
    "/\x0b/evil.example", "/\x7f/evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example",
    "/%5Cevil.example", "/%5C%5Cevil.example", "/%09/evil.example", "/%0d%0aSet-Cookie:x=1",
    "/\uff0f\uff0fevil.example", "\uff0f\uff0fevil.example", "/\u2215evil.example",
    "/\u200b/evil.example", "/\u2028/evil.example", "javascript:alert(1)", "JaVaScRiPt:x",
    "data:text/html,<script>x</script>", "/record\\..\\..\\evil",
]
BASE = "https://sijil.example/somewhere/page"


def assert_stays_on_the_site(value: str, location: str) -> None:
    assert location.startswith("/") and not location.startswith("//"), (value, location)
    assert re.fullmatch(r"[!-~]+", location), (value, location)  # printable ASCII, no spaces
    assert "\\" not in location and "%5c" not in location.lower(), (value, location)
    assert urlsplit(urljoin(BASE, location)).netloc == "sijil.example", (value, location)


def redirect_of(response) -> str:
    if "hx-redirect" in response.headers:
        assert response.status_code == 200
        return response.headers["hx-redirect"]
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_the_language_switch_never_sends_the_browser_off_the_site(browser_like, htmx):
    for value in TRICKY:
        response = await browser_like.post("/language", data={
            "csrf_token": csrf_of(browser_like), "lang": "en", "next": value},
            headers={"hx-request": "true"} if htmx else {})
        assert_stays_on_the_site(value, redirect_of(response))


async def test_ordinary_local_paths_are_kept(browser_like):
    for value, expected in [("/record?tab=cpd#entries", "/record?tab=cpd#entries"),
                            ("/public/search?q=%D9%85", "/public/search?q=%D9%85"),
                            ("/public/search?q=محمد", "/public/search?q=%D9%85%D8%AD%D9%85%D8%AF")]:
        response = await browser_like.post("/language", data={
            "csrf_token": csrf_of(browser_like), "lang": "en", "next": value})
        assert redirect_of(response) == expected


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_signing_in_never_sends_the_browser_off_the_site(
        browser_like, client, deliver, smtp_server, sms_gateway, htmx):
    await active_account(client, deliver, smtp_server, sms_gateway)
    headers = {"hx-request": "true"} if htmx else {}
    for n, value in enumerate(TRICKY):
        login = await browser_like.post("/login", headers=headers, data={
            "csrf_token": csrf_of(browser_like), "identifier": "sara@example.com",
            "password": PASSWORD, "next": value})
        step = redirect_of(login)
        assert_stays_on_the_site(value, step)
        code_page = await browser_like.get(step)
        carried = re.search(r'name="next" value="([^"]*)"', code_page.text).group(1)
        assert_stays_on_the_site(value, carried.replace("&amp;", "&"))
        if n % 4:
            continue
        challenge = re.search(r'name="challenge" value="([^"]+)"', code_page.text).group(1)
        await deliver()
        done = await browser_like.post("/login/code", headers=headers, data={
            "csrf_token": csrf_of(browser_like), "challenge": challenge, "channel": "SMS",
            "next": value, "code": sms_gateway.last_code()})
        assert_stays_on_the_site(value, redirect_of(done))
        await browser_like.post("/logout", data={"csrf_token": csrf_of(browser_like)})
        await OneTimeCode.all().delete()  # the SMS resend caps are tested elsewhere


async def test_cr_lf_in_next_over_real_http_gives_a_normal_answer_and_logs_no_error(
        live, caplog):
    caplog.set_level(logging.WARNING)
    for value in ["/\r\nSet-Cookie: planted=1", "/\nx", "/\rx", "/%0d%0ax"]:
        response = await live.browser.post("/language", data={
            "csrf_token": csrf_of(live.browser), "lang": "en", "next": value},
            headers={"hx-request": "true"})
        assert response.status_code == 200 and response.headers["hx-redirect"] == "/"
        assert "planted" not in response.headers.get("set-cookie", "")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_only_a_plain_http_address_the_server_chose_may_leave_the_site():
    from starlette.requests import Request

    from server.pages.plumbing import redirect

    request = Request({"type": "http", "method": "POST", "headers": [(b"hx-request", b"true")]})
    gateway = "https://checkout.moyasar.com/invoices/abc?x=1"
    assert redirect(request, gateway, external=True).headers["hx-redirect"] == gateway
    for bad in ["javascript:alert(1)", "/local", "https://pay.example/\r\nx", "https:\\\\x",
                "ftp://x.example/"]:
        with pytest.raises(ValueError):
            redirect(request, bad, external=True)
