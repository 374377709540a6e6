"""The staff reports over GraphQL (admins): `staffReport`, every figure aggregated in the
database by server/resolvers/admin/reports.py."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.resolvers.admin import reports
from server.schema.applications import ApplicationKind
from server.schema.base import Money


@strawberry.type
class KindSeries:
    kind: ApplicationKind
    counts: list[int]


@strawberry.type
class DecisionTime:
    kind: ApplicationKind
    decided: int
    median_days: float
    p90_days: float


@strawberry.type
class ReviewerThroughput:
    reviewer_id: strawberry.ID
    email: str
    name: str
    approved: int
    rejected: int
    returned: int
    total: int


@strawberry.type
class SlaBreaches:
    kind: ApplicationKind
    target_days: int
    late_decisions: int = strawberry.field(
        description="Decided in the period, later than the kind's target.")
    overdue_open: int = strawberry.field(description="Waiting now, past the kind's target.")


@strawberry.type
class MoneyDay:
    day: dt.date
    paid_count: int
    paid: Money
    gateway_count: int = strawberry.field(
        description="Of those, payments with a verified gateway callback that confirmed them.")
    gateway: Money
    refund_count: int
    refunded: Money


@strawberry.type
class MoneyTotals:
    paid_count: int
    paid: Money
    gateway_count: int
    gateway: Money
    refund_count: int
    refunded: Money
    difference: Money = strawberry.field(
        description="Paid here minus confirmed by the gateway: zero when they reconcile.")
    net: Money


@strawberry.type
class StaffReport:
    start: dt.date
    end: dt.date
    weeks: list[dt.date] = strawberry.field(description="The first day of each week.")
    applications_per_week: list[KindSeries]
    decision_times: list[DecisionTime]
    age_bands: list[str] = strawberry.field(description="Days waiting: 0-2, 3-7, … 31+.")
    backlog: list[KindSeries] = strawberry.field(description="Counts per age band.")
    reviewers: list[ReviewerThroughput]
    sla: list[SlaBreaches]
    money: list[MoneyDay]
    money_totals: MoneyTotals

    @classmethod
    def of(cls, r: reports.Report) -> StaffReport:
        def money(values: dict) -> dict:
            return {k: Money.sar(v) if k in ("paid", "gateway", "refunded", "difference", "net")
                    else v for k, v in values.items()}

        return cls(
            start=r.start, end=r.end, weeks=r.weeks,
            applications_per_week=[KindSeries(kind=ApplicationKind(k), counts=v)
                                   for k, v in r.per_week.items()],
            decision_times=[DecisionTime(kind=ApplicationKind(d["kind"]), decided=d["decided"],
                                         median_days=d["median_days"], p90_days=d["p90_days"])
                            for d in r.decision_times],
            age_bands=[f"{low}-{high}" if high is not None else f"{low}+"
                       for low, high in reports.AGE_BANDS],
            backlog=[KindSeries(kind=ApplicationKind(k), counts=v)
                     for k, v in r.backlog.items()],
            reviewers=[ReviewerThroughput(reviewer_id=strawberry.ID(x["reviewer"]),
                                          email=x["email"], name=x["name"],
                                          approved=x["approved"], rejected=x["rejected"],
                                          returned=x["returned"], total=x["total"])
                       for x in r.reviewers],
            sla=[SlaBreaches(kind=ApplicationKind(s["kind"]), target_days=s["target_days"],
                             late_decisions=s["late_decisions"], overdue_open=s["overdue_open"])
                 for s in r.sla],
            money=[MoneyDay(**money(d)) for d in r.money],
            money_totals=MoneyTotals(**money(r.totals)))


@strawberry.type
class Query:
    @strawberry.field(description="Staff reports (admins): applications per week by kind, "
                                  "time to decision, backlog, reviewers' throughput, SLA "
                                  "breaches, payments and refunds per day reconciled with "
                                  "the gateway. `weeks` 1–52, `days` 1–92.")
    async def staff_report(self, info: Info, weeks: int = 12, days: int = 30) -> StaffReport:
        return StaffReport.of(await reports.staff_report(info.context, weeks, days))
