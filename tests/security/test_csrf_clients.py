"""CSRF where ambient authority rides, and on every sign-in step (issue 15, points 5 and 6;
issue 20, points 2 and 7): a client app that keeps cookies is not refused for the CSRF cookie
alone, a sign-in form posted with no cookies at all still needs the token, and a cookie
session stays same-site only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from server.models.accounts import Session
from tests.builders import STAFF_PASSWORD
from tests.builders import staff_secret as staff_with_secret
from tests.conftest import NoCookies, csrf_of
from tests.security.test_sessions_headers import totp_now

PUBLIC = {"query": "query Look { __typename }", "operationName": "Look"}


async def test_an_anonymous_client_app_that_keeps_cookies_is_not_refused(app):
    """15.5: /healthz (or any page) sets the CSRF cookie; a requests/httpx session sends it
    back with every call. Before: the second call got 403 CSRF_FAILED."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50020))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        await c.get("/healthz")
        await c.get("/", headers={"accept": "text/html"})
        assert c.cookies, "the pages set the CSRF cookie this client keeps"
        for _ in range(2):
            response = await c.post("/graphql", json=PUBLIC)
            assert response.status_code == 200, response.text
            assert response.json() == {"data": {"__typename": "Query"}}
        assert "set-cookie" not in response.headers  # the API sets no cookie of its own


async def test_a_cookie_session_still_needs_the_token(browser_like, settings):
    reviewer, secret = await staff_with_secret()
    await sign_in_with_the_pages(browser_like, secret)
    refused = await browser_like.post("/graphql", json={"query": "mutation { logout { errors "
                                                                 "{ code } } }"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"
    assert await Session.filter(account_id=reviewer.id).count() == 1


async def sign_in_with_the_pages(browser: httpx.AsyncClient, secret: str) -> None:
    login = await browser.post("/login", data={
        "identifier": "reviewer@sijil.example", "password": STAFF_PASSWORD, "next": "/",
        "csrf_token": csrf_of(browser)})
    assert login.status_code == 303, login.text
    query = parse_qs(urlsplit(login.headers["location"]).query)
    code = await browser.post("/login/code", data={
        "challenge": query["challenge"][0], "channel": query["channel"][0], "next": "/",
        "code": totp_now(secret), "csrf_token": csrf_of(browser)})
    assert code.status_code == 303, code.text


async def test_the_sign_in_form_posted_with_no_cookies_needs_the_token(client):
    """15.6, login CSRF: a form on another site posting the attacker's credentials, from a
    browser that sends no Fetch Metadata, with no cookies. Before: accepted (303)."""
    await staff_with_secret()
    response = await client.post("/login", data={
        "identifier": "reviewer@sijil.example", "password": STAFF_PASSWORD, "next": "/"})
    assert response.status_code == 403, response.text
    assert "/login/code" not in response.headers.get("location", "")


async def test_every_sign_in_step_needs_the_token_with_or_without_cookies(app, client,
                                                                           browser_like):
    """The code step too: a forged second step would finish the attacker's sign-in in the
    victim's browser and set the session cookie there."""
    _, secret = await staff_with_secret()
    login = await browser_like.post("/login", data={
        "identifier": "reviewer@sijil.example", "password": STAFF_PASSWORD, "next": "/",
        "csrf_token": csrf_of(browser_like)})
    query = parse_qs(urlsplit(login.headers["location"]).query)
    step = {"challenge": query["challenge"][0], "channel": query["channel"][0], "next": "/",
            "code": totp_now(secret)}
    for poster in (client, browser_like):  # no cookies at all; the CSRF cookie, no token
        forged = await poster.post("/login/code", data=step)
        assert forged.status_code == 403, forged.text
        assert "set-cookie" not in forged.headers or "sid=" not in forged.headers["set-cookie"]
    assert await Session.all().count() == 0
    htmx_forged = await client.post("/login/code", data=step, headers={
        "hx-request": "true", "x-csrf-token": "guessed"})
    assert htmx_forged.status_code == 403
    assert await Session.all().count() == 0


async def test_a_cross_site_cookie_session_is_refused_even_from_a_listed_origin(settings):
    import dataclasses

    from server.app import create_app

    listed = dataclasses.replace(settings, cors_allow_origins=("https://app.example",))
    transport = httpx.ASGITransport(app=create_app(listed), client=("127.0.0.1", 50021))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        response = await c.post("/graphql", json=PUBLIC, headers={
            "origin": "https://app.example", "sec-fetch-site": "cross-site",
            "cookie": f"{settings.cookie_prefix}sid=stolen; {settings.cookie_prefix}csrf=t",
            "x-csrf-token": "t"})
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"
        # Older browsers send no Fetch Metadata: a foreign Origin is cross-site too.
        response = await c.post("/graphql", json=PUBLIC, headers={
            "origin": "https://evil.example",
            "cookie": f"{settings.cookie_prefix}sid=s; {settings.cookie_prefix}csrf=t",
            "x-csrf-token": "t"})
        assert response.status_code == 403
