"""Fixtures: one database per test run (SQLite file, or a fresh PostgreSQL schema when
DATABASE_URL points at PostgreSQL), emptied after each test; the app over ASGI; a real
SMTP server; a SQL query counter."""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import logging
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
from tortoise import Tortoise, connections

from server import db
from server.app import create_app
from server.config import load_settings
from server.integrations import devmailbox

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
    return load_settings({
        "SIJIL_ENV": "test",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret-key-" + "x" * 40,
        "PAYMENT_WEBHOOK_SECRET": "test-webhook-secret",
        "BASE_URL": "http://127.0.0.1:8000",
    })


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

class _QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %s":
            self.queries.append(str(record.args[0]))
        elif not record.args and isinstance(record.msg, str) and not record.msg.startswith(
                ("Created connection", "Closed connection")):
            self.queries.append(record.msg)

    @property
    def count(self) -> int:
        return len(self.queries)


@contextlib.contextmanager
def count_queries():
    """Every SQL statement Tortoise sends while inside (BEGIN/COMMIT excluded)."""
    logger = logging.getLogger("tortoise.db_client")
    handler = _QueryCounter()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@pytest.fixture
def queries():
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
