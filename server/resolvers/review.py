"""The reviewers' queue: submitted applications, oldest first."""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q

from server.models.applications import Application
from server.resolvers.auth import require_role

QUEUE_STATUSES = ("SUBMITTED", "IN_REVIEW")


async def queue(ctx, first: int, after: tuple[str, str] | None, kind: str | None
                ) -> tuple[list[Application], bool]:
    """Keyset-paginated on (submitted_at, id): page 500 costs what page 1 costs."""
    require_role(ctx, "REVIEWER", "ADMIN")
    query = Application.filter(status__in=QUEUE_STATUSES)
    if kind:
        query = query.filter(kind=kind)
    if after is not None:
        at, last_id = dt.datetime.fromisoformat(after[0]), after[1]
        query = query.filter(Q(submitted_at__gt=at) | Q(submitted_at=at, id__gt=last_id))
    rows = await query.order_by("submitted_at", "id").limit(first + 1)
    return rows[:first], len(rows) > first
