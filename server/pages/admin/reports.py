"""GET /admin/reports: the staff reports as server-rendered charts (inline SVG with a
<title> and <desc>, each followed by the table of its numbers, so they read without
JavaScript and with a screen reader), and links to the CSV exports. Admins only. In Arabic
the time axis runs from right to left, as the page does."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.routing import Route

from server.i18n import N_
from server.pages.admin.console import admin_only
from server.pages.labels import KIND_NAMES
from server.pages.plumbing import execute, render

WEEK_CHOICES = (4, 8, 12, 26, 52)
DAY_CHOICES = (7, 14, 30, 60, 90)
CHART_WIDTH, CHART_HEIGHT, AXIS = 640, 220, 28
EXPORTS = (
    ("applications", N_("Applications")), ("payments", N_("Payments")),
    ("refunds", N_("Refunds")), ("audit-log", N_("Audit log")), ("register", N_("Register")),
)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    text: str  # what a tooltip (the bar's <title>) says


def bars(labels: list[str], values: list[float], rtl: bool,
         texts: list[str] | None = None) -> dict:
    """Geometry of a bar chart in a CHART_WIDTH × CHART_HEIGHT box: one bar per value,
    the first at the start of the reading direction (the right in Arabic)."""
    count = max(len(values), 1)
    top = max(values, default=0) or 1
    slot = CHART_WIDTH / count
    width = max(slot * 0.7, 1)
    plot = CHART_HEIGHT - AXIS
    found = []
    for i, value in enumerate(values):
        position = count - 1 - i if rtl else i
        height = plot * (value / top)
        found.append(Bar(x=round(position * slot + (slot - width) / 2, 1),
                         y=round(plot - height, 1), width=round(width, 1),
                         height=round(height, 1), label=labels[i], value=value,
                         text=(texts or [])[i] if texts else str(value)))
    return {"bars": found, "top": top, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "plot": plot, "label_every": max(1, count // 8)}


def _choice(value: str | None, choices: tuple[int, ...], default: int) -> int:
    return int(value) if value and value.isdigit() and int(value) in choices else default


async def reports_page(request: Request):
    ctx = await admin_only(request)
    weeks = _choice(request.query_params.get("weeks"), WEEK_CHOICES, 12)
    days = _choice(request.query_params.get("days"), DAY_CHOICES, 30)
    report = (await execute(ctx, "AdminStaffReport", {"weeks": weeks, "days": days})
              ).data["staffReport"]
    rtl = ctx.lang == "ar"
    per_week = report["applicationsPerWeek"]
    week_totals = [sum(s["counts"][i] for s in per_week) for i in range(len(report["weeks"]))]
    backlog = report["backlog"]
    band_totals = [sum(s["counts"][i] for s in backlog) for i in range(len(report["ageBands"]))]
    paid = [float(d["paid"]["amount"]) for d in report["money"]]
    return render(request, ctx, "admin/reports.html", {
        "report": report, "kinds": KIND_NAMES, "weeks": weeks, "days": days,
        "week_choices": WEEK_CHOICES, "day_choices": DAY_CHOICES, "exports": EXPORTS,
        "week_chart": bars([w[5:] for w in report["weeks"]], week_totals, rtl),
        "week_totals": week_totals,
        "backlog_chart": bars(report["ageBands"], band_totals, rtl), "band_totals": band_totals,
        "money_chart": bars([d["day"][5:] for d in report["money"]], paid, rtl,
                            [d["paid"]["amount"] for d in report["money"]]),
        "active_weeks": [s for s in per_week if any(s["counts"])],
        "active_backlog": [s for s in backlog if any(s["counts"])],
    })


ROUTES = [Route("/admin/reports", reports_page, methods=["GET"])]
