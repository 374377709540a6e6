"""Sessions and response headers (docs/security.md, Accounts and Web): the session cookie's
flags and `__Host-` prefix over https, a new token at sign-in (a planted cookie is never
promoted), idle and absolute lifetimes per role, and the security headers on every kind of
response, with `Cache-Control: no-store` wherever someone is signed in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.app import create_app
from server.domain import otp
from server.models.accounts import Session
from server.resolvers.accounts.sessions import hash_token
from tests.builders import STAFF_PASSWORD, staff_secret
from tests.conftest import csrf_of, gql

ME = "{ me { id } }"


def totp_now(secret: str) -> str:
    return otp.hotp(secret, otp.totp_step(time.time()))



async def sign_in_through_the_pages(browser: httpx.AsyncClient, email: str, secret: str):
    """Password, then the authenticator code, as a browser does; returns the last response."""
    login = await browser.post("/login", data={"identifier": email, "password": STAFF_PASSWORD,
                                               "next": "/", "csrf_token": csrf_of(browser)})
    assert login.status_code == 303, login.text
    query = parse_qs(urlsplit(login.headers["location"]).query)
    return await browser.post("/login/code", data={
        "challenge": query["challenge"][0], "channel": query["channel"][0], "next": "/",
        "code": totp_now(secret), "csrf_token": csrf_of(browser)})


def session_set_cookie(response: httpx.Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]
    return header


@pytest.fixture
async def https_browser(settings, clean_db):
    secure = dataclasses.replace(settings, env="production", base_url="https://sijil.example")
    transport = httpx.ASGITransport(app=create_app(secure), client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example",
                                 headers={"accept": "text/html"}) as c:
        await c.get("/login")
        yield c


# ------------------------------------------------------------------ cookies

async def test_over_https_the_session_cookie_is_host_prefixed_secure_httponly_lax(
        https_browser):
    _, secret = await staff_secret()
    response = await sign_in_through_the_pages(https_browser, "reviewer@sijil.example", secret)
    assert response.status_code == 303, response.text
    header = session_set_cookie(response, "__Host-sid")
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"httponly", "secure", "path=/", "samesite=lax"} <= flags, header
    assert not any(f.startswith("domain=") for f in flags), header
    csrf = [h for h in https_browser.cookies.jar if h.name == "__Host-csrf"]
    assert csrf and csrf[0].secure


async def test_over_http_in_development_the_cookie_is_httponly_and_lax_without_secure(
        browser_like):
    _, secret = await staff_secret()
    response = await sign_in_through_the_pages(browser_like, "reviewer@sijil.example", secret)
    header = session_set_cookie(response, "sijil-sid")
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags


async def test_sign_in_issues_a_new_token_and_never_adopts_a_planted_one(browser_like):
    account, secret = await staff_secret()
    planted = "attacker-chosen-token-" + "x" * 20
    browser_like.cookies.set("sijil-sid", planted)
    response = await sign_in_through_the_pages(browser_like, "reviewer@sijil.example", secret)
    assert response.status_code == 303
    issued = re.match(r"sijil-sid=([^;]+)", session_set_cookie(response, "sijil-sid")).group(1)
    assert issued != planted and len(issued) >= 43  # 256 bits, base64url
    assert not await Session.exists(token_hash=hash_token(planted))
    stored = await Session.get(account_id=account.id)
    assert stored.token_hash == hash_token(issued) and issued not in stored.token_hash


async def test_signing_in_again_gives_another_token_and_logout_deletes_the_row(browser_like):
    account, secret = await staff_secret()
    first = await sign_in_through_the_pages(browser_like, "reviewer@sijil.example", secret)
    first_token = re.match(r"sijil-sid=([^;]+)", session_set_cookie(first, "sijil-sid"))[1]
    # Each authenticator code works once: forget the step used, rather than wait 30 s.
    from server.models.accounts import Account

    await Account.filter(id=account.id).update(totp_last_step=0)
    second = await sign_in_through_the_pages(browser_like, "reviewer@sijil.example", secret)
    second_token = re.match(r"sijil-sid=([^;]+)", session_set_cookie(second, "sijil-sid"))[1]
    assert first_token != second_token
    out = await browser_like.post("/logout", data={"csrf_token": csrf_of(browser_like)})
    assert out.status_code in (200, 303)
    assert not await Session.exists(token_hash=hash_token(second_token))


# ------------------------------------------------------------------ lifetimes

@pytest.mark.parametrize(("roles", "idle", "absolute"), [
    ("PRACTITIONER", dt.timedelta(minutes=30), dt.timedelta(hours=12)),
    ("REVIEWER", dt.timedelta(minutes=15), dt.timedelta(hours=8)),
    ("ADMIN", dt.timedelta(minutes=15), dt.timedelta(hours=8)),
])
async def test_idle_and_absolute_lifetimes_per_role(client, clean_db, roles, idle, absolute):
    from server.models.accounts import Account
    from server.resolvers.accounts.sessions import open_session

    account = await Account.create(email=f"{roles.lower()}@example.com", mobile="",
                                   first_name="T", family_name="U", password_hash="-",
                                   status="ACTIVE", roles=roles)
    now = dt.datetime.now(dt.UTC)

    async def works(last_seen_ago: dt.timedelta, created_ago: dt.timedelta) -> bool:
        token = await open_session(account)
        row = await Session.get(token_hash=hash_token(token))
        assert abs((row.expires_at - row.created_at) - absolute) < dt.timedelta(seconds=5)
        await Session.filter(id=row.id).update(
            last_seen_at=now - last_seen_ago, expires_at=now - created_ago + absolute)
        body = await gql(client, ME, token=token)
        alive = body["data"]["me"] is not None
        assert alive == await Session.exists(id=row.id)  # an expired row is deleted
        return alive

    minute = dt.timedelta(minutes=1)
    assert await works(idle - minute, dt.timedelta(0))
    assert not await works(idle + minute, dt.timedelta(0))
    assert await works(dt.timedelta(0), absolute - minute)
    assert not await works(dt.timedelta(0), absolute + minute)


# ------------------------------------------------------------------ headers

def assert_security_headers(response: httpx.Response, what: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    if csp != "sandbox":  # downloads: the strictest policy there is
        for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                     "frame-ancestors 'none'"):
            assert part in csp, (what, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (what, csp)
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "same-origin", what


async def test_every_kind_of_response_carries_the_security_headers(client, world):
    bearer = {"authorization": f"Bearer {world.a.token}"}
    document = world.a.ids["certificate"]
    checks = {
        "html page": await client.get("/", headers={"accept": "text/html"}),
        "htmx fragment": await client.get("/login", headers={"accept": "text/html",
                                                              "hx-request": "true"}),
        "json api": await client.post("/graphql", json={"query": "{ __typename }"}),
        "health": await client.get("/healthz"),
        "file download": await client.get(f"/documents/{document}", headers=bearer),
        "pdf card": await client.get(f"/cards/{world.a.ids['registration']}.pdf",
                                     headers=bearer),
        "error page": await client.get("/no-such-page", headers={"accept": "text/html"}),
        "error json": await client.get("/documents/not-a-uuid", headers=bearer),
        "static": await client.get("/static/css/sijil.css"),
        "signed-in page": await client.get("/record", headers={**bearer,
                                                                "accept": "text/html"}),
    }
    for what, response in checks.items():
        assert response.status_code < 500, (what, response.status_code)
        assert_security_headers(response, what)
    assert checks["file download"].status_code == 200
    assert checks["pdf card"].status_code == 200, checks["pdf card"].text[:300]
    assert checks["pdf card"].headers["content-type"] == "application/pdf"
    for what in ("html page", "htmx fragment", "json api", "file download", "pdf card",
                 "error page", "signed-in page", "error json"):
        assert checks[what].headers["cache-control"] == "no-store", what
    assert "no-store" not in checks["static"].headers["cache-control"]


async def test_pages_cannot_be_framed(client):
    response = await client.get("/", headers={"accept": "text/html"})
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_static_route_serves_nothing_outside_web_static(client, settings):
    for path in ("/static/../server/config.py", "/static/..%2f..%2fpyproject.toml",
                 "/static/%2e%2e/%2e%2e/var/sijil.sqlite3", "/static/../../etc/passwd"):
        response = await client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert b"SECRET" not in response.content and b"[project]" not in response.content


async def test_responses_the_middleware_refuses_carry_the_same_headers(settings, clean_db):
    secure = dataclasses.replace(settings, env="production", base_url="https://sijil.example")
    transport = httpx.ASGITransport(app=create_app(secure))
    async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example") as c:
        too_large = await c.post("/graphql", content=b"x" * 200_000,
                                 headers={"content-type": "application/json"})
        forged = await c.post("/graphql", json={"query": "{ __typename }"},
                              headers={"cookie": "__Host-csrf=a", "x-csrf-token": "b"})
    for response in (too_large, forged):
        assert response.status_code in (403, 413)
        assert_security_headers(response, str(response.status_code))
        assert response.headers.get("x-frame-options") == "DENY"
        assert "max-age=31536000" in response.headers.get("strict-transport-security", "")
