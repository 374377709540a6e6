"""Fixtures: one database per test run (SQLite file, or a fresh PostgreSQL schema when
DATABASE_URL points at PostgreSQL), emptied after each test; the app over ASGI; a real
SMTP server; a SQL query counter."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import http.cookiejar
import os
import re
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
import pytest_asyncio
import time_machine
from tortoise import Tortoise, connections

from server import db
from server.app import create_app
from server.config import load_settings
from server.integrations import devmailbox
from tests.querycount import count_queries

TEST_DB = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = TEST_DB.startswith(("postgres://", "postgresql://", "asyncpg://"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass of make test"))


@pytest.fixture(scope="session")
def data_dir():
    with tempfile.TemporaryDirectory(prefix="sijil-test-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def database_url(data_dir):
    if not IS_POSTGRES:
        return f"sqlite://{data_dir / 'test.sqlite3'}"
    schema = f"test_{uuid.uuid4().hex[:12]}"
    return with_schema(TEST_DB, schema)


def with_schema(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"schema={schema}"


def schema_of(url: str) -> str | None:
    match = re.search(r"[?&]schema=([a-z0-9_]+)", url)
    return match.group(1) if match else None


async def create_pg_schema(url: str) -> None:
    base = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_of(url)}"')
    finally:
        await conn.close()


async def drop_pg_schema(url: str) -> None:
    base = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema_of(url)}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(data_dir, database_url):
    loaded = load_settings({
        "SIJIL_ENV": "test",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret-key-" + "x" * 40,
        "PAYMENT_WEBHOOK_SECRET": "test-webhook-secret",
        "BASE_URL": "http://127.0.0.1:8000",
    })
    # A cheap proof of work: the captcha's logic is tested, not the CPU. The mutation rate
    # limit is tested on its own (test_graphql_limits.py); elsewhere suites mutate freely.
    return dataclasses.replace(loaded, captcha_cost=10, mutations_per_minute=100_000)


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """argon2id with small parameters: the suite signs in hundreds of times. Tests marked
    `real_argon2` keep the production parameters."""
    from argon2 import PasswordHasher

    if request.node.get_closest_marker("real_argon2"):
        return
    from server.resolvers.accounts import signup

    monkeypatch.setattr(signup, "hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def clock(request):
    """Each asyncio test runs on a clock (time-machine: the server's `server.clock` and every
    datetime call) that starts a second after midnight UTC today and then ticks: 03:00 in
    Riyadh, so the Kingdom's day and the UTC day agree, and no fixed window of the rate
    limiter (5 minutes to a day) ends while a test runs. `clock.shift(delta)` moves it on.
    Browser tests keep the real clock: their server runs in another process."""
    if request.node.get_closest_marker("browser"):
        yield None
        return
    start = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=1, microsecond=0)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest_asyncio.fixture(scope="session")
async def database(settings):
    """The schema is built by the real migrations, as production builds it."""
    if IS_POSTGRES:
        await create_pg_schema(settings.database_url)
    await db.migrate(settings.database_url)
    await db.connect(settings.database_url)
    yield
    await Tortoise.close_connections()
    if IS_POSTGRES:
        await drop_pg_schema(settings.database_url)


async def truncate_all() -> None:
    models = list(Tortoise.apps.get_models_iterable())
    tables = {m._meta.db_table for m in models}
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in sorted(tables)) + " RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script("PRAGMA foreign_keys=OFF;" + "".join(
            f'DELETE FROM "{t}";' for t in tables) + "PRAGMA foreign_keys=ON;")


@pytest_asyncio.fixture
async def clean_db(database):
    yield
    await truncate_all()


@pytest.fixture
def app(settings, clean_db):
    return create_app(settings)


class NoCookies(http.cookiejar.CookieJar):
    """Client apps keep no cookies: they authenticate with a bearer token."""

    def set_cookie(self, cookie) -> None:
        return None

    def extract_cookies(self, response, request) -> None:
        return None


@pytest_asyncio.fixture
async def client(app):
    """An anonymous client app: no cookies, bearer tokens only."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        yield c


@pytest_asyncio.fixture
async def browser_like(app):
    """A client that behaves like a browser: keeps cookies and sends the CSRF header."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 headers={"accept": "text/html"}) as c:
        await c.get("/")
        yield c


def csrf_of(client: httpx.AsyncClient) -> str:
    return next(v for k, v in client.cookies.items() if k.endswith("csrf"))


async def gql(client: httpx.AsyncClient, query: str, variables: dict | None = None,
              token: str | None = None, lang: str = "en", **extra_headers) -> dict:
    headers = {"accept-language": lang, **extra_headers}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------ real SMTP

@pytest_asyncio.fixture
async def smtp_server(tmp_path):
    """A real aiosmtpd server on 127.0.0.1 that keeps what it receives."""
    directory = tmp_path / "smtp"
    server, port = await devmailbox.start(directory)
    box = SimpleNamespace(port=port, directory=directory, server=server,
                          url=f"smtp://127.0.0.1:{port}",
                          messages=lambda: list(reversed(devmailbox.read(directory))))
    yield box
    server.close()
    with contextlib.suppress(Exception):
        await server.wait_closed()


# ------------------------------------------------------------------ counting SQL

@pytest.fixture
def queries():
    """`with queries() as counted: …; counted.count`"""
    return count_queries


async def wait_for(predicate, timeout: float = 5.0, interval: float = 0.02):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate() if asyncio.iscoroutinefunction(predicate) else predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


# ------------------------------------------------------------------ local SMS gateway

class SmsGateway:
    """A local HTTP server that answers like the SMS provider and keeps what it gets."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.fail_next = 0

    def app(self):
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def messages(request):
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse({"error": "unavailable"}, status_code=503)
            self.received.append({"auth": request.headers.get("authorization"),
                                  **(await request.json())})
            return JSONResponse({"statusCode": 201, "messageId": len(self.received)},
                                status_code=201)

        return Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])

    def last_code(self, to_digits: str | None = None) -> str:
        for message in reversed(self.received):
            if to_digits is None or to_digits in message["recipients"]:
                return re.search(r"\b(\d{6})\b", message["body"]).group(1)
        raise AssertionError("no SMS received")


@pytest_asyncio.fixture
async def sms_gateway():
    import uvicorn

    gateway = SmsGateway()
    config = uvicorn.Config(gateway.app(), host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only this flag
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    gateway.url = f"http://127.0.0.1:{port}/v1/messages"
    yield gateway
    server.should_exit = True
    await task


@pytest.fixture
def deliver(settings, smtp_server, sms_gateway):
    """Runs the real outbox worker once: email to aiosmtpd, SMS to the local gateway."""
    from server import worker

    real = dataclasses.replace(settings, sms_backend="taqnyat", sms_api_url=sms_gateway.url,
                               sms_api_token="test-token", sms_sender="SIJIL")

    async def run() -> int:
        return await worker.run_once(worker.Deliverer(real, smtp_server.url))

    return run


# ------------------------------------------------------------------ the client contract

class ContractOperations:
    """The operations of docs/contract/operations.graphql, one document each: tests use the
    very documents client apps rely on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def operation(self, name: str) -> str:
        from graphql import DocumentNode, OperationDefinitionNode, parse, print_ast

        document = parse(self.path.read_text())
        [found] = [d for d in document.definitions
                   if isinstance(d, OperationDefinitionNode) and d.name.value == name]
        return print_ast(DocumentNode(definitions=(found,)))


ROOT_CONTRACT = ContractOperations(Path(__file__).resolve().parent.parent / "docs" / "contract"
                                   / "operations.graphql")


# ------------------------------------------------------------------ the app over real HTTP

@contextlib.asynccontextmanager
async def serving(settings_for):
    """The app served by uvicorn on a free 127.0.0.1 port. `settings_for(base_url)` gives
    its settings, with BASE_URL pointing at it, so that gateway callbacks sent through the
    outbox reach it over HTTP. Yields `client` (a client app), `browser` (keeps cookies,
    sends CSRF), `settings`, `url` and `app`."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    live_settings = settings_for(f"http://127.0.0.1:{port}")
    app = create_app(live_settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only this flag
        await asyncio.sleep(0.01)
    base = live_settings.base_url
    try:
        async with httpx.AsyncClient(base_url=base, cookies=NoCookies(), timeout=30) as client, \
                httpx.AsyncClient(base_url=base, headers={"accept": "text/html"},
                                  timeout=30) as browser:
            await browser.get("/")
            yield SimpleNamespace(client=client, browser=browser, settings=live_settings,
                                  url=base, app=app)
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture
async def live(settings, clean_db):
    """The app over real HTTP (see `serving`)."""
    async with serving(lambda url: dataclasses.replace(settings, base_url=url)) as running:
        yield running
