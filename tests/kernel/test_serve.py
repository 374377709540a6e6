"""`sijil serve --workers N` / WEB_CONCURRENCY: N web processes on one port; in production
none of them runs the outbox worker (that is `sijil worker`'s job)."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import free_port
from tests.processes import SIJIL, children, production_env, start, stop, wait_until_answers


async def test_web_concurrency_processes_and_no_worker_inside_in_production(
        settings, database, smtp_server, sms_gateway, tmp_path):
    port = free_port()
    env = production_env(database_url=settings.database_url, data_dir=tmp_path,
                         smtp_url=smtp_server.url, sms_url=sms_gateway.url,
                         WEB_CONCURRENCY="2")
    log = tmp_path / "serve.log"
    process = start([SIJIL, "serve", "--port", str(port)], env, log)
    try:
        await asyncio.to_thread(wait_until_answers, f"http://127.0.0.1:{port}/healthz",
                                process, log)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answers = await asyncio.gather(*(client.get("/healthz") for _ in range(20)))
        assert {a.status_code for a in answers} == {200}
        # uvicorn's supervisor spawns one process per worker (and a resource tracker).
        spawned = [pid for pid, command in children(process.pid).items()
                   if "spawn_main" in command]
        assert len(spawned) == 2, spawned
    finally:
        code = await asyncio.to_thread(stop, process)
    text = log.read_text()
    assert "with 2 process(es)" in text
    assert "outbox worker" not in text  # production: not inside the web processes
    assert code == 0, text
