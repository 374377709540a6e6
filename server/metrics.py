"""/metrics in Prometheus's text format (docs/contract/README.md): HTTP requests by route
template, GraphQL operations by name, with latency histograms, counted in the process; the
outbox backlog and failures and the payments by status, read from the database at scrape.

Several worker processes: with PROMETHEUS_MULTIPROC_DIR set (an empty directory, emptied
before the processes start; `sijil serve --workers N` is run with it), every process writes
its counts there and a scrape of any of them adds all of them up. Without it, each process
reports its own counts. The database gauges are the database's, the same from every process
and host: aggregate them with `max`, not `sum`.

Per request the cost is a dictionary look-up, a counter and a histogram (a few µs; the
labelled series are kept, since labels() costs more than both): the public look-up is the
hot path."""

from __future__ import annotations

import hmac
import os
import re
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from tortoise.functions import Count

from server.models.outbox import OutboxMessage
from server.models.payments import Payment

REGISTRY = CollectorRegistry()
# Latencies from 5 ms (a cached look-up) to 10 s (a PDF on a busy host).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_REQUESTS = Counter("sijil_http_requests", "HTTP requests answered, by route template, "
                        "method and status code.", ["route", "method", "status"],
                        registry=REGISTRY)
HTTP_LATENCY = Histogram("sijil_http_request_duration_seconds", "Time to answer an HTTP "
                         "request, by route template and method.", ["route", "method"],
                         buckets=BUCKETS, registry=REGISTRY)
GRAPHQL_OPERATIONS = Counter("sijil_graphql_operations", "GraphQL operations run on "
                             "/graphql, by operation name and outcome.",
                             ["operation", "outcome"], registry=REGISTRY)
GRAPHQL_LATENCY = Histogram("sijil_graphql_operation_duration_seconds", "Time to run a "
                            "GraphQL operation on /graphql, by operation name.", ["operation"],
                            buckets=BUCKETS, registry=REGISTRY)

# Operation names come from the caller: past this many distinct ones a process counts the
# rest as "other", so a client cannot grow the series without bound.
MAX_OPERATION_NAMES = 200
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_operation_names: set[str] = set()
UNMATCHED = "unmatched"  # no route: 404s of any path count as one series
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}  # else "OTHER"
# (route, method, status) → its counter and histogram: labels() costs more than counting.
_series: dict[tuple[str, str, str], tuple] = {}
BACKLOG_STATUSES = ("PENDING", "SENDING")


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _operation_names:
        return name
    if len(_operation_names) < MAX_OPERATION_NAMES and OPERATION_NAME.fullmatch(name):
        _operation_names.add(name)
        return name
    return "other"


def observe_graphql(name: str | None, seconds: float, failed: bool) -> None:
    label = operation_label(name)
    GRAPHQL_OPERATIONS.labels(label, "error" if failed else "ok").inc()
    GRAPHQL_LATENCY.labels(label).observe(seconds)


class MetricsMiddleware:
    """Counts and times every HTTP response under the template of the route that answered
    (`/verify/{number}`, never the number itself)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            key = (template, method, str(status))
            series = _series.get(key)
            if series is None:
                series = _series[key] = (HTTP_REQUESTS.labels(*key),
                                         HTTP_LATENCY.labels(template, method))
            series[0].inc()
            series[1].observe(time.perf_counter() - started)


class _Snapshot:
    """Metric families computed before the scrape (a collector's collect() cannot await)."""

    def __init__(self, families) -> None:
        self.families = families

    def collect(self):
        return self.families


async def _database_families() -> list[GaugeMetricFamily]:
    backlog = GaugeMetricFamily("sijil_outbox_backlog_messages", "Outbox messages waiting "
                                "to be delivered or being delivered, by channel.",
                                labels=["channel"])
    dead = GaugeMetricFamily("sijil_outbox_dead_messages", "Outbox messages given up after "
                             "their last attempt, by channel.", labels=["channel"])
    waiting: dict[str, int] = {}
    given_up: dict[str, int] = {}
    rows = await OutboxMessage.filter(status__in=[*BACKLOG_STATUSES, "DEAD"]) \
        .annotate(n=Count("id")).group_by("channel", "status").values("channel", "status", "n")
    for row in rows:
        into = given_up if row["status"] == "DEAD" else waiting
        into[row["channel"]] = into.get(row["channel"], 0) + row["n"]
    for channel in ("email", "sms", "webhook"):
        backlog.add_metric([channel], waiting.get(channel, 0))
        dead.add_metric([channel], given_up.get(channel, 0))
    payments = GaugeMetricFamily("sijil_payments", "Payments by status (PAID, FAILED, …).",
                                 labels=["status"])
    for row in await Payment.annotate(n=Count("id")).group_by("status").values("status", "n"):
        payments.add_metric([row["status"]], row["n"])
    return [backlog, dead, payments]


def _authorised(request: Request) -> bool:
    settings = request.app.state.settings
    if not settings.production:
        return True
    if not settings.metrics_token:
        raise HTTPException(404)
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode())


async def metrics(request: Request) -> Response:
    if not _authorised(request):
        return Response("Unauthorized\n", status_code=401, media_type="text/plain",
                        headers={"www-authenticate": "Bearer"})
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(_Snapshot(await _database_families()))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
