"""/metrics: Prometheus's text format, parsed with prometheus_client's own parser; requests
by route template (never the raw path) and GraphQL operation name, latency histograms,
the outbox backlog and failures and the payments by status read from the database; in
production only with the bearer token, and 404 when none is set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.models.outbox import OutboxMessage
from server.models.payments import Payment
from tests.conftest import NoCookies
from tests.review.test_review import submitted
from tests.test_packaging import free_port


async def scrape(client: httpx.AsyncClient, **headers) -> dict:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def value(families: dict, family: str, sample: str, **labels) -> float:
    found = [s.value for s in families[family].samples
             if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())]
    return sum(found)


async def test_requests_are_counted_by_route_template_and_graphql_operation(client):
    before = await scrape(client)
    route = {"route": "/verify/{number}", "method": "GET", "status": "404"}
    counted = value(before, "sijil_http_requests", "sijil_http_requests_total", **route)
    for _ in range(2):
        assert (await client.get("/verify/99-R-0000001")).status_code == 404
    await client.post("/graphql", json={"query": "query MetricsProbe { __typename }",
                                        "operationName": "MetricsProbe"})
    await client.get("/no/such/page/12345")

    after = await scrape(client)
    assert value(after, "sijil_http_requests", "sijil_http_requests_total",
                 **route) == counted + 2
    assert after["sijil_http_requests"].type == "counter"
    histogram = after["sijil_http_request_duration_seconds"]
    assert histogram.type == "histogram"
    assert value(after, "sijil_http_request_duration_seconds",
                 "sijil_http_request_duration_seconds_count",
                 route="/verify/{number}", method="GET") >= counted + 2
    assert value(after, "sijil_http_request_duration_seconds",
                 "sijil_http_request_duration_seconds_bucket", route="/verify/{number}",
                 method="GET", le="+Inf") >= counted + 2
    assert value(after, "sijil_graphql_operations", "sijil_graphql_operations_total",
                 operation="MetricsProbe", outcome="ok") >= 1
    assert value(after, "sijil_graphql_operation_duration_seconds",
                 "sijil_graphql_operation_duration_seconds_count", operation="MetricsProbe") >= 1
    # Only templates: neither a registration number nor an unknown path becomes a series.
    routes = {s.labels["route"] for s in after["sijil_http_requests"].samples}
    assert "unmatched" in routes
    assert not any("99-R" in r or "12345" in r for r in routes), routes


async def test_outbox_backlog_failures_and_payments_are_read_from_the_database(client):
    now = dt.datetime.now(dt.UTC)
    for status, channel in (("PENDING", "email"), ("PENDING", "email"), ("SENDING", "sms"),
                            ("DEAD", "email"), ("SENT", "email")):
        await OutboxMessage.create(channel=channel, recipient="x@sijil.example", payload={},
                                   status=status, next_attempt_at=now)
    application = await submitted("RENEWAL")
    for number, status in enumerate(("PAID", "PAID", "FAILED")):
        await Payment.create(application_id=application.id, provider="sandbox", method="MADA",
                             status=status, amount=160, idempotency_key=f"metrics-{number}")

    families = await scrape(client)
    backlog = "sijil_outbox_backlog_messages"
    assert families[backlog].type == "gauge"
    assert value(families, backlog, backlog, channel="email") == 2
    assert value(families, backlog, backlog, channel="sms") == 1
    assert value(families, backlog, backlog, channel="webhook") == 0
    dead = "sijil_outbox_dead_messages"
    assert value(families, dead, dead, channel="email") == 1
    assert value(families, "sijil_payments", "sijil_payments", status="PAID") == 2
    assert value(families, "sijil_payments", "sijil_payments", status="FAILED") == 1


async def test_in_production_metrics_need_the_token_and_are_absent_without_one(settings,
                                                                                clean_db):
    for token, headers, status in (
        ("", {"authorization": "Bearer anything"}, 404),
        ("s3cret-metrics-token", {}, 401),
        ("s3cret-metrics-token", {"authorization": "Bearer wrong"}, 401),
        ("s3cret-metrics-token", {"authorization": "Bearer s3cret-metrics-token"}, 200),
    ):
        production = dataclasses.replace(settings, env="production",
                                         base_url="https://sijil.example", metrics_token=token)
        transport = httpx.ASGITransport(app=create_app(production))
        async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example",
                                     cookies=NoCookies()) as c:
            response = await c.get("/metrics", headers=headers)
        assert response.status_code == status, (token, headers, response.text)
        if status == 200:
            assert "sijil_http_requests_total" in response.text


def test_several_processes_report_their_counts_together(tmp_path):
    """Two `sijil serve` processes sharing PROMETHEUS_MULTIPROC_DIR, as the workers of
    `sijil serve --workers N` do: a scrape of either one counts the requests of both."""
    database = tmp_path / "metrics.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIJIL_", "SMTP_"))}
    env.update({"DATABASE_URL": f"sqlite://{database}", "DATA_DIR": str(tmp_path / "data"),
                "SIJIL_ENV": "development", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")})
    (tmp_path / "prom").mkdir()
    cli = [sys.executable, "-m", "server.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    ports = [free_port(), free_port()]
    logs = [(tmp_path / f"serve-{port}.log").open("w") for port in ports]
    servers = [subprocess.Popen([*cli, "serve", "--no-worker", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
               for port, log in zip(ports, logs, strict=True)]
    try:
        for port, server in zip(ports, servers, strict=True):
            deadline = time.monotonic() + 180
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    assert server.poll() is None and time.monotonic() < deadline
                    time.sleep(0.2)
        for port, times in zip(ports, (3, 5), strict=True):
            for _ in range(times):
                httpx.get(f"http://127.0.0.1:{port}/verify/99-R-0000001", timeout=5)
        text = httpx.get(f"http://127.0.0.1:{ports[0]}/metrics", timeout=5).text
        families = {f.name: f for f in text_string_to_metric_families(text)}
        assert value(families, "sijil_http_requests", "sijil_http_requests_total",
                     route="/verify/{number}", status="404") == 8
        assert value(families, "sijil_http_requests", "sijil_http_requests_total",
                     route="/healthz") == 2
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        for log in logs:
            log.close()
