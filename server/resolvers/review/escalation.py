"""Overdue cases escalated to supervisors by email: an application still waiting for a
decision more working days (Sunday to Thursday, less the admin's holidays) than its kind's
target is listed once in an email to every active supervisor. The scheduled sweep
(server/worker.py) runs this once across hosts (server/schedule.py); an application is
escalated once (`escalated_at`), and the update that marks it is conditional, so two runs
never send the same case twice."""

from __future__ import annotations

import datetime as dt
import logging

from tortoise.transactions import in_transaction

from server import clock
from server.config import Settings
from server.domain.applications import KIND_NAMES
from server.domain.registry import kingdom_today
from server.domain.working_days import working_days_between
from server.i18n import gettext
from server.models.accounts import Account
from server.models.applications import Application
from server.resolvers.kernel import audit, notify
from server.resolvers.kernel.settings import review_targets
from server.resolvers.review.workflow import OPEN, holidays

log = logging.getLogger("sijil.escalation")
BATCH = 500


def overdue_working_days(submitted_at: dt.datetime, today: dt.date, target: int,
                         days_off) -> int | None:
    """Working days past the target, or None while it is within it."""
    waited = working_days_between(kingdom_today(submitted_at), today, days_off)
    return waited - target if waited > target else None


async def escalate_overdue(settings: Settings) -> int:
    """Returns how many applications were escalated."""
    moment, today = clock.now(), clock.today()
    targets, days_off = await review_targets(), set(await holidays())
    # Working days never outnumber calendar days: the shortest target bounds the scan.
    earliest = moment - dt.timedelta(days=min(targets.values(), default=1))
    rows = await Application.filter(status__in=OPEN, escalated_at__isnull=True,
                                    submitted_at__lte=earliest
                                    ).order_by("submitted_at").limit(BATCH)
    cases = []
    for row in rows:
        target = targets.get(row.kind, 10)
        late = overdue_working_days(row.submitted_at, today, target, days_off)
        if late is not None:
            cases.append({"id": str(row.id), "kind": row.kind, "target": target,
                          "waited": target + late,
                          "submitted_on": kingdom_today(row.submitted_at)})
    if not cases:
        return 0
    supervisors = await Account.filter(roles__contains="SUPERVISOR", status="ACTIVE"
                                       ).order_by("email")
    if not supervisors:
        log.warning("%d overdue applications and no active supervisor to tell", len(cases))
        return 0
    async with in_transaction():
        ids = [c["id"] for c in cases]
        marked = await Application.filter(id__in=ids, escalated_at__isnull=True
                                          ).update(escalated_at=moment)
        if marked != len(ids):
            return 0  # another run got there first: its transaction sends them
        for supervisor in supervisors:
            await notify.email(settings, supervisor.email, supervisor.language, "escalation",
                               dedupe_key=f"escalation:{supervisor.id}:{moment.isoformat()}",
                               name=supervisor.first_name, cases=[
                                   {**c, "kind_name": gettext(supervisor.language,
                                                              KIND_NAMES.get(c["kind"],
                                                                             c["kind"]))}
                                   for c in cases])
        await audit.record("application.escalated", target_type="application",
                           count=len(ids), supervisors=len(supervisors),
                           applications=ids[:50])
    return len(cases)
