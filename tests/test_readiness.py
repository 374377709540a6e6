"""/readyz: ready when the database answers, its migrations are applied and the document
store takes writes; 503 naming what fails otherwise. /healthz stays the cheap check."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from tortoise import connections
from tortoise.migrations.recorder import MigrationRecorder

from server.app import create_app
from tests.conftest import (
    TEST_DB,
    NoCookies,
    create_pg_schema,
    drop_pg_schema,
    schema_of,
    with_schema,
)
from tests.test_packaging import free_port


async def test_ready_when_database_migrations_and_document_store_answer(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_an_unwritable_document_store_is_not_ready_and_health_stays_ok(settings,
                                                                              clean_db,
                                                                              tmp_path):
    # A file where the documents' directory should be: no user, root included, can write.
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    app = create_app(dataclasses.replace(settings, data_dir=blocker))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), cookies=NoCookies(),
                                 base_url="http://127.0.0.1:8000") as client:
        ready = await client.get("/readyz")
        health = await client.get("/healthz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "failing": ["storage"]}
    assert health.status_code == 200


class Relay:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL: the app reaches its database through
    it, and `cut()` makes the database stop answering (connections dropped, port closed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _relay(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writers += [writer, upstream_writer]

        async def pipe(source, sink) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    def cut(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()


@pytest.mark.postgres
async def test_a_database_that_stops_answering_is_not_ready(tmp_path):
    """A real `sijil serve`, whose PostgreSQL then goes away."""
    url = urlsplit(TEST_DB)
    relay = Relay(url.port or 5432)
    port = await relay.start()
    database_url = with_schema(TEST_DB.replace(url.netloc, f"{url.username}@127.0.0.1:{port}"),
                               f"test_ready_{uuid.uuid4().hex[:8]}")
    await create_pg_schema(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIJIL_", "SMTP_"))}
    env.update({"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "data"),
                "SIJIL_ENV": "development"})
    cli = [sys.executable, "-m", "server.cli"]
    migrate = await asyncio.create_subprocess_exec(*cli, "migrate", env=env,
                                                   stdout=subprocess.DEVNULL)
    assert await migrate.wait() == 0
    app_port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = await asyncio.create_subprocess_exec(
        *cli, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(app_port), env=env,
        stdout=log, stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app_port}",
                                     timeout=10) as client:
            for _ in range(900):  # 180 s: a busy machine starts slowly
                with contextlib.suppress(httpx.TransportError):
                    first = await client.get("/readyz")
                    break
                assert server.returncode is None, (tmp_path / "serve.log").read_text()
                await asyncio.sleep(0.2)
            assert first.json() == {"status": "ready"}

            relay.cut()
            ready = await client.get("/readyz")
            assert ready.status_code == 503, ready.text
            assert ready.json() == {"status": "unavailable", "failing": ["database"]}
            assert (await client.get("/healthz")).status_code == 503
    finally:
        server.terminate()
        await server.wait()
        log.close()
        await drop_pg_schema(with_schema(TEST_DB, schema_of(database_url)))


async def test_a_migration_not_applied_is_not_ready(client):
    """As when new code is deployed before `sijil migrate` has run."""
    conn = connections.get("default")
    [last] = (await conn.execute_query_dict(
        "SELECT app, name FROM tortoise_migrations ORDER BY name DESC LIMIT 1"))
    await MigrationRecorder(conn).record_unapplied(last["app"], last["name"])
    try:
        ready = await client.get("/readyz")
    finally:
        await MigrationRecorder(conn).record_applied(last["app"], last["name"])
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "failing": ["migrations"]}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
