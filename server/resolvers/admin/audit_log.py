"""Admin: the audit log, newest first, filtered, in keyset pages (the id only grows)."""

from __future__ import annotations

import datetime as dt

from server.domain.errors import DomainError, Problems
from server.domain.registry import KINGDOM_TIME
from server.i18n import N_
from server.models.accounts import Account
from server.models.audit import AuditEntry
from server.resolvers.admin.console import parse_uuid, require_admin
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.inputs import parse_date


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=KINGDOM_TIME)


async def audit_log(ctx: Caller, first: int, after: int | None = None, action_prefix: str = "",
                    actor_id: str = "", target_id: str = "", date_from=None,
                    date_to=None) -> tuple[list[AuditEntry], dict, bool]:
    """(entries, actor id → {email, name}, more?). The actor is an account id or an email
    address. Dates are whole days in the Kingdom (UTC+3), both included."""
    require_admin(ctx)
    problems = Problems()
    query = AuditEntry.all()
    if action_prefix.strip():
        query = query.filter(action__startswith=action_prefix.strip())
    if "@" in actor_id:
        actor = await Account.get_or_none(email=actor_id.strip().lower())
        query = query.filter(actor_id=actor.id if actor else None) if actor else query.filter(
            id=-1)
    elif actor_id.strip():
        try:
            query = query.filter(actor_id=parse_uuid(actor_id.strip(), "actorId"))
        except DomainError:
            problems.add("INVALID", "actorId", N_(
                "Give the actor's email address or account id."))
    if target_id.strip():
        query = query.filter(target_id=target_id.strip())
    start = parse_date(date_from, "from", problems) if date_from else None
    end = parse_date(date_to, "to", problems) if date_to else None
    if start and end and start > end:
        problems.add("INVALID", "to", N_("The end date must not be before the start date."))
    problems.raise_if_any()
    if start:
        query = query.filter(at__gte=_day_start(start))
    if end:
        query = query.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
    if after is not None:
        query = query.filter(id__lt=after)
    rows = await query.order_by("-id").limit(first + 1)
    more = len(rows) > first
    rows = rows[:first]
    actor_ids = list({r.actor_id for r in rows if r.actor_id})
    actors = {a["id"]: {"email": a["email"], "name": f"{a['first_name'] or ''} "
                                                     f"{a['family_name'] or ''}".strip()}
              for a in await Account.filter(id__in=actor_ids).values(
                  "id", "email", "first_name", "family_name")} if actor_ids else {}
    return rows, actors, more
