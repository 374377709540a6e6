"""FORWARDED_ALLOW_IPS: behind a trusted reverse proxy the client address (rate limits, the
audit log, the request log) and the scheme are the ones the proxy saw; from anyone else the
X-Forwarded-* headers are ignored, so a client cannot pick its own address."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.config import SettingsError, load_settings
from server.models.accounts import RateCounter
from server.models.audit import AuditEntry
from tests.conftest import ROOT_CONTRACT, NoCookies

PROXY = "10.9.8.7"
LOGIN = ROOT_CONTRACT.operation("Login")


@pytest_asyncio.fixture
async def via(settings, clean_db):
    """`via(peer)`: a client whose TCP peer is `peer`, against an app trusting PROXY."""
    app = create_app(dataclasses.replace(settings, forwarded_allow_ips=(PROXY,)))
    clients = []

    def make(peer: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        c = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                              cookies=NoCookies())
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


async def login(client, forwarded_for: str | None):
    headers = {"accept-language": "en"}
    if forwarded_for:
        headers["x-forwarded-for"] = forwarded_for
    response = await client.post("/graphql", headers=headers, json={
        "query": LOGIN,
        "variables": {"input": {"identifier": "nobody@example.com", "password": "wrong one 1"}}})
    assert response.status_code == 200, response.text
    return [e["code"] for e in response.json()["data"]["login"]["errors"]]


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(via):
    client = via("192.0.2.50")
    await login(client, "203.0.113.9")
    [row] = await AuditEntry.filter(action="signin.failed")
    assert row.ip == "192.0.2.50"
    assert await RateCounter.filter(key="login:ip:192.0.2.50").exists()
    assert not await RateCounter.filter(key__contains="203.0.113.9").exists()


async def test_the_trusted_proxys_forwarded_for_drives_rate_limits_and_audit(via):
    proxy = via(PROXY)
    # The client put a forged address first; the proxy appended the one it saw. The
    # right-most address that is not a trusted proxy is the client.
    await login(proxy, "198.51.100.1, 203.0.113.9")
    [row] = await AuditEntry.filter(action="signin.failed")
    assert row.ip == "203.0.113.9"
    counter = await RateCounter.get(key="login:ip:203.0.113.9")
    assert counter.count == 1
    # Past its free allowance that one address is slowed down; another client behind the
    # same proxy is not slowed with it (before FORWARDED_ALLOW_IPS, everyone shared the
    # proxy's count).
    await RateCounter.filter(key=counter.key).update(count=100)
    assert await login(proxy, "203.0.113.9") == ["INVALID"]  # the first one paced through
    assert await login(proxy, "203.0.113.9") == ["RATE_LIMITED"]  # the next must wait
    assert await login(proxy, "203.0.113.10") == ["INVALID"]
    assert not await RateCounter.filter(key=f"login:ip:{PROXY}").exists()


async def test_scheme_and_request_id_are_kept_only_from_the_proxy(via, caplog):
    caplog.set_level(logging.INFO, logger="sijil.request")
    headers = {"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https",
               "x-request-id": "edge-4f2a9c"}
    trusted = await via(PROXY).get("/healthz", headers=headers)
    stranger = await via("192.0.2.50").get("/healthz", headers=headers)
    assert trusted.headers["x-request-id"] == "edge-4f2a9c"
    assert stranger.headers["x-request-id"] != "edge-4f2a9c"
    # Not a well-formed id (it would land in log lines): a fresh one instead.
    odd = await via(PROXY).get("/healthz", headers={**headers, "x-request-id": "a\tb c"})
    assert odd.headers["x-request-id"] != "a\tb c"
    lines = [r.fields for r in caplog.records if r.name == "sijil.request"]
    assert [line["client"] for line in lines] == ["203.0.113.9", "192.0.2.50", "203.0.113.9"]


async def test_the_scheme_the_proxy_saw_is_the_requests_scheme(settings, clean_db):
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse

    from server.proxies import ForwardedMiddleware

    async def echo(scope, receive, send):
        await PlainTextResponse(str(Request(scope).url))(scope, receive, send)

    wrapped = ForwardedMiddleware(echo, (PROXY,))
    for peer, scheme in ((PROXY, "https"), ("192.0.2.1", "http")):
        transport = httpx.ASGITransport(app=wrapped, client=(peer, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://sijil.example") as c:
            answer = await c.get("/x", headers={"x-forwarded-proto": "https"})
        assert answer.text == f"{scheme}://sijil.example/x"


def test_the_setting_takes_addresses_and_networks_only():
    settings = load_settings({"FORWARDED_ALLOW_IPS": " 10.0.0.10, 10.1.0.0/16,::1 ",
                              "SECRET_KEY": "k" * 40, "PAYMENT_WEBHOOK_SECRET": "w"})
    assert settings.forwarded_allow_ips == ("10.0.0.10", "10.1.0.0/16", "::1")
    with pytest.raises(SettingsError, match=r"'proxy\.internal' is not an IP address"):
        load_settings({"FORWARDED_ALLOW_IPS": "10.0.0.10,proxy.internal",
                       "SECRET_KEY": "k" * 40, "PAYMENT_WEBHOOK_SECRET": "w"})
