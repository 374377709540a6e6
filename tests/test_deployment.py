"""Sijil deployed as docs/operations.md says: Debian's nginx, with the configuration the
document shows (docs/deploy/nginx.conf), in front of two app hosts (`sijil serve`, in
production mode, each with its own port and its own DATA_DIR) and one `sijil worker`; one
PostgreSQL schema; documents in an S3 server (moto); email to a real SMTP server.

Clients come from two local addresses, 127.0.0.2 and 127.0.0.3, so the rate limit can be
seen to follow the address nginx saw."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from tortoise import connections

from server.models.accounts import RateCounter
from server.models.audit import AuditEntry
from server.models.outbox import OutboxMessage
from tests.conftest import ROOT_CONTRACT, NoCookies, free_port, wait_for
from tests.kernel.test_documents import make_account, pdf_bytes
from tests.processes import SIJIL, production_env, start, stop, wait_until_answers

pytestmark = pytest.mark.postgres

TEMPLATE = Path(__file__).resolve().parent.parent / "docs" / "deploy" / "nginx.conf"
LOGIN = ROOT_CONTRACT.operation("Login")
RESET = """mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { done errors { code } } }"""


def nginx_config(directory: Path, http_port: int, https_port: int, hosts: list[int]) -> Path:
    """docs/deploy/nginx.conf with its placeholders filled, inside the smallest main
    configuration that runs nginx as a foreground process of this test."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=sijil.example", "-keyout", str(directory / "key.pem"),
                    "-out", str(directory / "cert.pem")], check=True, capture_output=True)
    site = TEMPLATE.read_text()
    for name, value in {
        "@SERVER_NAME@": "sijil.example", "@LISTEN_HTTP@": f"127.0.0.1:{http_port}",
        "@LISTEN_HTTPS@": f"127.0.0.1:{https_port}",
        "@CERTIFICATE@": str(directory / "cert.pem"),
        "@CERTIFICATE_KEY@": str(directory / "key.pem"),
        "@APP_SERVERS@": " ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
                                  for port in hosts),
    }.items():
        site = site.replace(name, value)
    assert "@" not in site.replace("$request_id", "")
    (directory / "sijil.conf").write_text(site)
    temp = "\n".join(f"  {kind}_temp_path {directory / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = directory / "nginx.conf"
    main.write_text(f"""pid {directory / 'nginx.pid'};
error_log {directory / 'error.log'} warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
  access_log {directory / 'access.log'};
{temp}
  include {directory / 'sijil.conf'};
}}
""")
    return main


def from_address(address: str, base: str) -> httpx.AsyncClient:
    """A client app (bearer tokens, no cookies) whose connections leave from `address`
    (any of 127.0.0.0/8 is local)."""
    transport = httpx.AsyncHTTPTransport(local_address=address, verify=False)
    return httpx.AsyncClient(transport=transport, base_url=base, timeout=30, cookies=NoCookies())


async def database_time() -> float:
    [row] = await connections.get("default").execute_query_dict(
        "SELECT extract(epoch FROM clock_timestamp()) AS now")
    return float(row["now"])


async def login(client: httpx.AsyncClient, **headers: str) -> list[str]:
    answer = await client.post("/graphql", headers={"accept-language": "en", **headers}, json={
        "query": LOGIN,
        "variables": {"input": {"identifier": "nobody@example.com", "password": "wrong 12"}}})
    assert answer.status_code == 200, answer.text
    return [e["code"] for e in answer.json()["data"]["login"]["errors"]]


async def test_two_app_hosts_and_a_worker_behind_nginx(
        settings, clean_db, s3_server, smtp_server, sms_gateway, tmp_path, clock):
    # The app hosts run on the real clock: so does this test (sessions it opens, windows it
    # fills), moved to the time the database, which all of them share, says it is.
    clock.move_to(dt.datetime.fromtimestamp(await database_time(), dt.UTC))
    bucket = s3_server.bucket()
    ports = [free_port(), free_port()]
    http_port, https_port = free_port(), free_port()
    processes: list[subprocess.Popen] = []

    def env_for(name: str) -> dict[str, str]:
        (tmp_path / name).mkdir()
        return production_env(database_url=settings.database_url, data_dir=tmp_path / name,
                              smtp_url=smtp_server.url, sms_url=sms_gateway.url,
                              STORAGE_URL=f"s3://{bucket}/documents",
                              FORWARDED_ALLOW_IPS="127.0.0.1", **s3_server.env)

    try:
        hosts = []
        for name, port in zip(("a", "b"), ports, strict=True):
            log = tmp_path / f"{name}.log"
            process = start([SIJIL, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env_for(name), log)
            processes.append(process)
            hosts.append((process, log, f"http://127.0.0.1:{port}"))
        worker_log = tmp_path / "worker.log"
        processes.append(start([SIJIL, "worker"], env_for("worker"), worker_log))
        nginx_dir = tmp_path / "nginx"
        nginx_dir.mkdir()
        conf = nginx_config(nginx_dir, http_port, https_port, ports)
        nginx = start(["nginx", "-p", str(nginx_dir), "-c", str(conf), "-g", "daemon off;"],
                      {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, nginx_dir / "stdout.log")
        processes.append(nginx)
        edge = f"https://127.0.0.1:{https_port}"
        for process, log, url in hosts:
            await asyncio.to_thread(wait_until_answers, f"{url}/healthz", process, log)
        await asyncio.to_thread(wait_until_answers, f"{edge}/healthz", nginx,
                                nginx_dir / "error.log")
        await _exercise(hosts, edge, http_port, bucket, tmp_path, s3_server, smtp_server,
                        worker_log)
    finally:
        codes = [await asyncio.to_thread(stop, process) for process in reversed(processes)]
    assert codes[1] == 0, worker_log.read_text()  # the worker stops cleanly on SIGTERM
    assert re.search(r"outbox worker \S+ stopped", worker_log.read_text())


async def _exercise(hosts, edge, http_port, bucket, tmp_path, s3_server, smtp_server,
                    worker_log):
    _, token = await make_account("sara@example.com", language="en")
    bearer = {"authorization": f"Bearer {token}"}
    (host_a, log_a, url_a), (host_b, log_b, url_b) = hosts

    # Plain HTTP is sent to HTTPS.
    async with from_address("127.0.0.2", f"http://127.0.0.1:{http_port}") as plain:
        moved = await plain.get("/verify/1000000008")
        assert moved.status_code == 301
        assert moved.headers["location"] == "https://sijil.example/verify/1000000008"

    # A document uploaded through host A is downloaded through host B: it is in the bucket,
    # on neither host's disk.
    content = pdf_bytes(2 * 1024 * 1024)
    async with httpx.AsyncClient(base_url=url_a) as a, httpx.AsyncClient(base_url=url_b) as b:
        uploaded = await a.post("/api/documents", headers=bearer, data={"kind": "OTHER"},
                                files={"file": ("licence.pdf", content, "application/pdf")})
        assert uploaded.status_code == 201, uploaded.text
        document_id = uploaded.json()["id"]
        downloaded = await b.get(f"/documents/{document_id}", headers=bearer)
        assert downloaded.status_code == 200 and downloaded.content == content
        listing = (await a.get(f"{s3_server.endpoint}/{bucket}?list-type=2")).text
    assert listing.count("<Key>documents/") == 1
    assert not [p for p in tmp_path.glob("[ab]/**/*") if p.is_file()]

    # The rate limit follows the address nginx saw: 127.0.0.2 is being slowed down;
    # 127.0.0.3, behind the same nginx, is not, even claiming to be 127.0.0.2.
    # The hosts' clock, not this process's (tests may move theirs): the database's.
    window = 300
    moment = await database_time()
    if window - moment % window < 3:
        await asyncio.sleep(window - moment % window + 0.1)  # not across a window's end
        moment = await database_time()
    start = dt.datetime.fromtimestamp(math.floor(moment / window) * window, dt.UTC)
    # Past its free allowance, and its last admitted attempt so recent that the next must
    # wait (an address is slowed down, never locked out: server/resolvers/kernel/limits.py).
    await RateCounter.create(key="login:ip:127.0.0.2", window_start=start, count=100)
    await RateCounter.create(key="pace:login:ip:127.0.0.2", count=0,
                             window_start=dt.datetime.fromtimestamp(moment + 60, dt.UTC))
    async with from_address("127.0.0.2", edge) as two, from_address("127.0.0.3", edge) as three:
        assert await login(two) == ["RATE_LIMITED"]
        assert await login(three) == ["INVALID"]
        assert await login(three, **{"x-forwarded-for": "127.0.0.2"}) == ["INVALID"]
        traced = await three.get("/healthz")
    assert (await RateCounter.get(key="login:ip:127.0.0.3")).count == 2
    assert not await RateCounter.filter(key="login:ip:127.0.0.1").exists()
    assert {row.ip for row in await AuditEntry.filter(action="signin.failed")} == {"127.0.0.3"}
    # The request log has the client's address and nginx's request id (32 hex digits).
    request_id = traced.headers["x-request-id"]
    assert len(request_id) == 32
    logged = [json.loads(line) for log in (log_a, log_b) for line in log.read_text().splitlines()
              if line.startswith("{") and '"request_id"' in line]
    [line] = [entry for entry in logged if entry["request_id"] == request_id]
    assert line["client"] == "127.0.0.3"

    # An email from the outbox goes out once: from the worker, not from the web processes.
    async with from_address("127.0.0.2", edge) as two:
        reset = await two.post("/graphql", json={
            "query": RESET, "variables": {"input": {"email": "sara@example.com"}}})
        assert reset.json()["data"]["requestPasswordReset"]["errors"] == [], reset.text
    await wait_for(lambda: len(smtp_server.messages()) == 1, timeout=15)
    await asyncio.sleep(2.5)  # the worker polls every second: a second copy would show
    assert len(smtp_server.messages()) == 1
    [message] = await OutboxMessage.all()
    assert message.status == "SENT" and message.attempts == 1
    for log in (log_a, log_b):
        assert "outbox worker" not in log.read_text()
    assert "runs the scheduled sweep" in worker_log.read_text()

    # Host A stops while requests keep coming; nginx sends them to host B, and none goes
    # unanswered: the restart of docs/operations.md, one host at a time.
    async with from_address("127.0.0.2", edge) as two:
        statuses: list[int] = []
        stopped = asyncio.Event()

        async def keep_asking() -> None:
            while not stopped.is_set():
                answers = await asyncio.gather(*(two.get("/healthz") for _ in range(4)))
                statuses.extend(a.status_code for a in answers)

        asking = asyncio.create_task(keep_asking())
        await asyncio.sleep(0.3)
        # uvicorn ends on SIGTERM by re-raising it once it has shut down cleanly.
        assert await asyncio.to_thread(stop, host_a) in (0, -signal.SIGTERM)
        await asyncio.sleep(0.5)
        stopped.set()
        await asking
        assert len(statuses) > 20 and set(statuses) == {200}, statuses
        again = await two.get(f"/documents/{document_id}", headers=bearer)
        assert again.status_code == 200 and again.content == content
    assert "Finished server process" in log_a.read_text()
    assert host_b.poll() is None
