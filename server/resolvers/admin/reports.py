"""The staff reports (admins): applications per week by kind, median and 90th-percentile time
to decision, the backlog by kind and age, each reviewer's throughput, SLA breaches, and
payments and refunds per day reconciled against the gateway's verified callbacks.

Every figure is aggregated in the database: one GROUP BY query per section (window functions
for the percentiles), so the cost does not grow with the rows and there is no N+1. SQLite and
PostgreSQL spell date arithmetic differently, hence two texts of a few expressions. Days and
weeks are the Kingdom's (UTC+3). The SQL texts interpolate only constants of this module, the
ApplicationKind names and integers (hence the `noqa: S608`); every value is a bound parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise import connections

from server import clock
from server.domain.applications import ApplicationKind
from server.domain.registry import KINGDOM_TIME
from server.resolvers.kernel import settings
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller

OPEN_STATUSES = ("SUBMITTED", "IN_REVIEW")
DECIDED_STATUSES = ("APPROVED", "REJECTED", "RETURNED")
AGE_BANDS = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))  # days waiting, both included
MAX_WEEKS = 52
MAX_DAYS = 92


@dataclass
class Report:
    start: dt.date
    end: dt.date
    weeks: list[dt.date]  # the first day of each week
    per_week: dict[str, list[int]]  # kind → count per week
    decision_times: list[dict]  # kind, decided, median_days, p90_days
    backlog: dict[str, list[int]]  # kind → count per AGE_BANDS
    reviewers: list[dict]  # reviewer id, email, name, approved, rejected, returned, total
    sla: list[dict]  # kind, target_days, late_decisions, overdue_open
    days: list[dt.date] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)  # per day: paid, refunded, gateway
    totals: dict = field(default_factory=dict)


class _Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def p(self, n: int) -> str:
        return f"${n}" if self.postgres else f"?{n}"

    def day(self, column: str) -> str:
        """The Kingdom's calendar day of an instant column, as a date (PG) or text (SQLite)."""
        if self.postgres:
            return f"(({column} AT TIME ZONE 'UTC') + interval '3 hours')::date"
        return f"date({column}, '+3 hours')"

    def days_since(self, column: str, n: int) -> str:
        """Whole days from the date parameter $n to the Kingdom's day of `column`."""
        if self.postgres:
            return f"({self.day(column)} - {self.p(n)}::date)"
        return f"CAST(julianday({self.day(column)}) - julianday({self.p(n)}) AS INTEGER)"

    def seconds(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def instant(self, value: dt.datetime):
        return value if self.postgres else value.astimezone(dt.UTC).isoformat(sep=" ")

    def date(self, value: dt.date):
        return value if self.postgres else value.isoformat()


def _kingdom_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=KINGDOM_TIME).astimezone(dt.UTC)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def _rows(sql: str, values: list) -> list[dict]:
    return await connections.get("default").execute_query_dict(sql, values)


def _kinds() -> list[str]:
    return list(ApplicationKind.__members__)


async def _per_week(q: _Sql, start: dt.date, weeks: int) -> dict[str, list[int]]:
    sql = (f"SELECT kind, {q.days_since('submitted_at', 1)} / 7 AS week, COUNT(*) AS n "  # noqa: S608
           f"FROM application WHERE submitted_at >= {q.p(2)} GROUP BY kind, week")
    found = {k: [0] * weeks for k in _kinds()}
    for r in await _rows(sql, [q.date(start), q.instant(_kingdom_midnight(start))]):
        week = int(r["week"])
        if r["kind"] in found and 0 <= week < weeks:
            found[r["kind"]][week] += int(r["n"])
    return found


async def _decision_times(q: _Sql, since: dt.datetime) -> list[dict]:
    """Nearest-rank median and 90th percentile per kind, in one query: each decided row
    numbered within its kind by its time to decision."""
    span = q.seconds("decided_at", "submitted_at")
    statuses = ", ".join(f"'{s}'" for s in DECIDED_STATUSES)
    sql = (f"WITH d AS (SELECT kind, {span} AS s, "  # noqa: S608
           f"ROW_NUMBER() OVER (PARTITION BY kind ORDER BY {span}) AS rn, "
           f"COUNT(*) OVER (PARTITION BY kind) AS n FROM application "
           f"WHERE status IN ({statuses}) AND decided_at IS NOT NULL "
           f"AND submitted_at IS NOT NULL AND decided_at >= {q.p(1)}) "
           f"SELECT kind, n, MAX(CASE WHEN rn = (n + 1) / 2 THEN s END) AS median, "
           f"MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN s END) AS p90 FROM d GROUP BY kind, n")
    rows = {r["kind"]: r for r in await _rows(sql, [q.instant(since)])}
    return [{"kind": k, "decided": int(rows[k]["n"]),
             "median_days": round(float(rows[k]["median"]) / 86400, 1),
             "p90_days": round(float(rows[k]["p90"]) / 86400, 1)}
            for k in _kinds() if k in rows]


async def _backlog(q: _Sql, today: dt.date) -> dict[str, list[int]]:
    age = f"(0 - {q.days_since('submitted_at', 1)})"
    bands = ", ".join(
        f"SUM(CASE WHEN {age} >= {low}" + (f" AND {age} <= {high}" if high is not None else "")
        + f" THEN 1 ELSE 0 END) AS b{i}" for i, (low, high) in enumerate(AGE_BANDS))
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    sql = (f"SELECT kind, {bands} FROM application WHERE status IN ({statuses}) "  # noqa: S608
           f"AND submitted_at IS NOT NULL GROUP BY kind")
    found = {k: [0] * len(AGE_BANDS) for k in _kinds()}
    for r in await _rows(sql, [q.date(today)]):
        if r["kind"] in found:
            found[r["kind"]] = [int(r[f"b{i}"] or 0) for i in range(len(AGE_BANDS))]
    return found


async def _reviewers(q: _Sql, since: dt.datetime) -> list[dict]:
    counts = ", ".join(f"SUM(CASE WHEN a.status = '{s}' THEN 1 ELSE 0 END) AS {s.lower()}"
                       for s in DECIDED_STATUSES)
    statuses = ", ".join(f"'{s}'" for s in DECIDED_STATUSES)
    sql = (f"SELECT a.decided_by_id AS reviewer, s.email AS email, s.first_name AS first_name, "  # noqa: S608
           f"s.family_name AS family_name, COUNT(*) AS total, {counts} "
           f"FROM application a JOIN account s ON s.id = a.decided_by_id "
           f"WHERE a.status IN ({statuses}) AND a.decided_at >= {q.p(1)} "
           f"GROUP BY a.decided_by_id, s.email, s.first_name, s.family_name "
           f"ORDER BY total DESC, email")
    return [{"reviewer": str(r["reviewer"]), "email": r["email"],
             "name": f"{r['first_name'] or ''} {r['family_name'] or ''}".strip(),
             "total": int(r["total"]),
             **{s.lower(): int(r[s.lower()] or 0) for s in DECIDED_STATUSES}}
            for r in await _rows(sql, [q.instant(since)])]


async def _sla(q: _Sql, since: dt.datetime, now: dt.datetime) -> list[dict]:
    targets = await settings.review_targets()
    kinds = [k for k in _kinds() if k in targets]
    target = "CASE kind " + " ".join(
        f"WHEN '{k}' THEN {int(targets[k])}" for k in kinds) + " ELSE 0 END" if kinds else "0"
    decided = ", ".join(f"'{s}'" for s in DECIDED_STATUSES)
    open_ = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    sql = (f"SELECT kind, "  # noqa: S608
           f"SUM(CASE WHEN status IN ({decided}) AND decided_at >= {q.p(1)} AND "
           f"{q.seconds('decided_at', 'submitted_at')} > ({target}) * 86400 THEN 1 ELSE 0 END)"
           f" AS late, "
           f"SUM(CASE WHEN status IN ({open_}) AND "
           f"{q.seconds(q.p(2), 'submitted_at')} > ({target}) * 86400 THEN 1 ELSE 0 END)"
           f" AS overdue FROM application WHERE submitted_at IS NOT NULL GROUP BY kind")
    if q.postgres:
        sql = sql.replace("$2", "$2::timestamptz")
    rows = {r["kind"]: r for r in await _rows(sql, [q.instant(since), q.instant(now)])}
    return [{"kind": k, "target_days": int(targets[k]),
             "late_decisions": int((rows.get(k) or {}).get("late") or 0),
             "overdue_open": int((rows.get(k) or {}).get("overdue") or 0)} for k in kinds]


GATEWAY_CONFIRMED = ("applied", "already applied",
                     "paid, but the application no longer awaits payment: refund needed")


async def _money(q: _Sql, start: dt.date, days: int) -> tuple[list[dict], dict]:
    """Per day: what Sijil counts as paid, what the gateway's verified callbacks confirm
    (payments with such a callback), and refunds. A difference is a payment to look at."""
    since = q.instant(_kingdom_midnight(start))
    outcomes = ", ".join(f"'{o}'" for o in GATEWAY_CONFIRMED)
    confirmed = (f"EXISTS (SELECT 1 FROM payment_event e WHERE e.payment_id = p.id "  # noqa: S608
                 f"AND e.verified AND e.outcome IN ({outcomes}))")
    if not q.postgres:
        confirmed = confirmed.replace("e.verified", "e.verified = 1")
    paid_sql = (f"SELECT {q.day('p.paid_at')} AS day, COUNT(*) AS n, SUM(p.amount) AS total, "  # noqa: S608
                f"SUM(CASE WHEN {confirmed} THEN 1 ELSE 0 END) AS gateway_n, "
                f"SUM(CASE WHEN {confirmed} THEN p.amount ELSE 0 END) AS gateway_total "
                f"FROM payment p WHERE p.paid_at >= {q.p(1)} "
                f"AND p.status IN ('PAID', 'REFUNDED') GROUP BY day")
    refund_sql = (f"SELECT {q.day('p.refunded_at')} AS day, COUNT(*) AS n, "  # noqa: S608
                  f"SUM(p.refunded_amount) AS total FROM payment p "
                  f"WHERE p.refunded_at >= {q.p(1)} GROUP BY day")
    paid = {_as_date(r["day"]): r for r in await _rows(paid_sql, [since])}
    refunded = {_as_date(r["day"]): r for r in await _rows(refund_sql, [since])}
    rows = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        p, r = paid.get(day) or {}, refunded.get(day) or {}
        rows.append({"day": day, "paid_count": int(p.get("n") or 0),
                     "paid": Decimal(str(p.get("total") or 0)).quantize(Decimal("0.01")),
                     "gateway_count": int(p.get("gateway_n") or 0),
                     "gateway": Decimal(str(p.get("gateway_total") or 0)).quantize(
                         Decimal("0.01")),
                     "refund_count": int(r.get("n") or 0),
                     "refunded": Decimal(str(r.get("total") or 0)).quantize(Decimal("0.01"))})
    totals = {key: sum((row[key] for row in rows), Decimal("0.00") if key in (
        "paid", "gateway", "refunded") else 0) for key in (
        "paid_count", "paid", "gateway_count", "gateway", "refund_count", "refunded")}
    totals["difference"] = totals["paid"] - totals["gateway"]
    totals["net"] = totals["paid"] - totals["refunded"]
    return rows, totals


async def staff_report(ctx: Caller, weeks: int = 12, days: int = 30) -> Report:
    require_role(ctx, "ADMIN")
    weeks = max(1, min(int(weeks), MAX_WEEKS))
    days = max(1, min(int(days), MAX_DAYS))
    q = _Sql(connections.get("default").capabilities.dialect == "postgres")
    now, today = clock.now(), clock.today()
    start = today - dt.timedelta(days=7 * weeks - 1)
    since = _kingdom_midnight(start)
    money_start = today - dt.timedelta(days=days - 1)
    money, totals = await _money(q, money_start, days)
    return Report(
        start=start, end=today,
        weeks=[start + dt.timedelta(days=7 * i) for i in range(weeks)],
        per_week=await _per_week(q, start, weeks),
        decision_times=await _decision_times(q, since),
        backlog=await _backlog(q, today), reviewers=await _reviewers(q, since),
        sla=await _sla(q, since, now),
        days=[money_start + dt.timedelta(days=i) for i in range(days)], money=money,
        totals=totals)
