"""The review workflow around the queue: supervisors assign cases to a reviewer or a team,
reassign them and force-release a claim; staff keep internal notes on an application that
its applicant never sees; admins keep the holiday list the working days are counted with.

A supervisor account holds the roles REVIEWER and SUPERVISOR (it reviews as well); admins
may do what supervisors do."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from server import clock
from server.domain.errors import DomainError, Problems
from server.domain.working_days import Holiday, parse_holiday_entries, parse_holidays
from server.i18n import N_
from server.models.accounts import Account
from server.models.applications import Application, ApplicationEvent
from server.models.settings import Setting
from server.models.workflow import ApplicationNote
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_role, require_staff
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.review import decisions

HOLIDAYS = "holidays"
MAX_NOTE = 2000
MAX_TEAM = 60
MAX_HOLIDAYS = 200
MAX_HOLIDAY_NAME = 80
PAST_HOLIDAY_DAYS = 366
OPEN = ("SUBMITTED", "IN_REVIEW")


def require_supervisor(ctx: Caller) -> Account:
    return require_role(ctx, "SUPERVISOR", "ADMIN")


async def _application(application_id) -> Application:
    wanted = as_uuid(application_id)
    found = await Application.get_or_none(id=wanted) if wanted else None
    if found is None:
        raise DomainError("NOT_FOUND", "applicationId", N_("There is no such application."))
    return found


# ------------------------------------------------------------------ assignment

async def assign(ctx: Caller, application_id, reviewer_id=None, team: str | None = None
                 ) -> Application:
    """To one reviewer, to a team, or (neither) back to everyone. A running claim of
    someone other than the new assignee is released, so the case is theirs to open."""
    supervisor = require_supervisor(ctx)
    problems = Problems()
    team = " ".join(str(team or "").split())
    if len(team) > MAX_TEAM:
        problems.add("INVALID", "team", N_("At most 60 characters."))
    reviewer = None
    if reviewer_id:
        wanted = as_uuid(reviewer_id)
        reviewer = await Account.get_or_none(id=wanted, status="ACTIVE") if wanted else None
        if reviewer is None or "REVIEWER" not in reviewer.role_list:
            problems.add("NOT_FOUND", "reviewerId", N_("There is no active reviewer with "
                                                      "this account."))
    problems.raise_if_any()
    application = await _application(application_id)
    if application.status not in OPEN:
        raise DomainError("INVALID_STATE", "applicationId", N_(
            "Only an application waiting for a decision can be assigned."))
    if decisions.is_held(application):
        raise DomainError("INVALID_STATE", "applicationId", decisions.AWAITING)
    release_claim = application.status == "IN_REVIEW" and application.claimed_by_id and (
        reviewer is None or application.claimed_by_id != reviewer.id)
    async with in_transaction():
        changes = {"assigned_to_id": reviewer.id if reviewer else None, "assigned_team": team}
        if release_claim:
            changes.update(status="SUBMITTED", claimed_by_id=None, claimed_until=None)
        moved = await Application.filter(id=application.id, status=application.status,
                                         claimed_by_id=application.claimed_by_id
                                         ).update(**changes)
        if moved != 1:
            raise DomainError("INVALID_STATE", None, N_(
                "This application was changed meanwhile. Open it again."))
        if release_claim:
            await ApplicationEvent.create(application_id=application.id,
                                          actor_id=supervisor.id, from_status="IN_REVIEW",
                                          to_status="SUBMITTED")
        await audit.record("application.assigned", actor=supervisor, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           reviewer=str(reviewer.id) if reviewer else None, team=team,
                           claim_released=str(application.claimed_by_id)
                           if release_claim else None)
    for name, value in changes.items():
        setattr(application, name, value)
    return application


async def force_release(ctx: Caller, application_id, reason: str) -> Application:
    """A supervisor takes a claim away from its holder (away, ill, stuck): the application
    goes back to the queue, with the reason in its history."""
    supervisor = require_supervisor(ctx)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError("REQUIRED", "reason", N_("Give the reason: the reviewer who held "
                                                   "it sees it in the history."))
    if len(reason) > 500:
        raise DomainError("INVALID", "reason", N_("At most 500 characters."))
    application = await _application(application_id)
    if application.status != "IN_REVIEW":
        raise DomainError("INVALID_STATE", "applicationId", N_(
            "Only an application in review can be released."))
    if decisions.is_held(application):
        raise DomainError("INVALID_STATE", "applicationId", decisions.AWAITING)
    async with in_transaction():
        moved = await Application.filter(
            id=application.id, status="IN_REVIEW", claimed_by_id=application.claimed_by_id
        ).update(status="SUBMITTED", claimed_by_id=None, claimed_until=None)
        if moved != 1:
            raise DomainError("INVALID_STATE", None, N_(
                "This application was changed meanwhile. Open it again."))
        await ApplicationEvent.create(application_id=application.id, actor_id=supervisor.id,
                                      from_status="IN_REVIEW", to_status="SUBMITTED",
                                      reason=reason)
        await audit.record("application.force_released", actor=supervisor, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           claim_of=str(application.claimed_by_id)
                           if application.claimed_by_id else None, reason=reason)
    application.status, application.claimed_by_id, application.claimed_until = \
        "SUBMITTED", None, None
    return application


async def reviewers(ctx: Caller) -> list[Account]:
    """Active reviewers, for the supervisor's "assign to" list."""
    require_supervisor(ctx)
    return await Account.filter(roles__contains="REVIEWER", status="ACTIVE"
                                ).order_by("first_name", "email").limit(500)


# ------------------------------------------------------------------ internal notes

async def add_note(ctx: Caller, application_id, body: str) -> ApplicationNote:
    author = require_staff(ctx)
    body = str(body or "").strip()
    if not body:
        raise DomainError("REQUIRED", "body", N_("Write the note."))
    if len(body) > MAX_NOTE:
        raise DomainError("INVALID", "body", N_("At most 2,000 characters."))
    application = await _application(application_id)
    async with in_transaction():
        note = await ApplicationNote.create(application_id=application.id, author=author,
                                            body=body)
        await audit.record("application.note_added", actor=author, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           note=note.id)
    return note


async def notes(ctx: Caller, application_id) -> list[ApplicationNote]:
    """Oldest first, with their authors (one query). Staff only: the applicant's own
    application views never read this table."""
    require_staff(ctx)
    wanted = as_uuid(application_id)
    if wanted is None:
        return []
    return await ApplicationNote.filter(application_id=wanted).select_related(
        "author").order_by("created_at", "id").limit(500)


# ------------------------------------------------------------------ holidays

async def holiday_entries() -> list[Holiday]:
    row = await Setting.get_or_none(key=HOLIDAYS)
    try:
        return parse_holiday_entries(row.value if row is not None else [])
    except (ValueError, TypeError):
        return []


async def holidays() -> list[dt.date]:
    return [h.day for h in await holiday_entries()]


async def holiday_list(ctx: Caller) -> list[dt.date]:
    require_role(ctx, "ADMIN", "SUPERVISOR")
    return await holidays()


async def named_holidays(ctx: Caller) -> list[Holiday]:
    require_role(ctx, "ADMIN", "SUPERVISOR")
    return await holiday_entries()


async def _save_holidays(ctx: Caller, admin: Account, entries: list[Holiday], action: str,
                         **details) -> None:
    value = [h.stored() for h in entries]
    if not await Setting.filter(key=HOLIDAYS).update(value=value, updated_by_id=admin.id):
        await Setting.create(key=HOLIDAYS, value=value, updated_by_id=admin.id)
    await audit.record(action, actor=admin, ip=ctx.ip, target_type="setting",
                       target_id=HOLIDAYS, **details)


async def set_holidays(ctx: Caller, dates) -> list[dt.date]:
    """Replaces the list of days; a day already on it keeps its names."""
    admin = require_role(ctx, "ADMIN")
    try:
        days = parse_holidays(dates)
    except (ValueError, TypeError):
        raise DomainError("INVALID", "dates", N_("Enter each holiday as a date.")) from None
    if len(days) > MAX_HOLIDAYS:
        raise DomainError("INVALID", "dates", N_("At most 200 holidays."))
    async with in_transaction():
        named = {h.day: h for h in await holiday_entries()}
        entries = [named.get(d, Holiday(d)) for d in days]
        await _save_holidays(ctx, admin, entries, "settings.holidays",
                             value=[d.isoformat() for d in days])
    return days


async def add_holiday(ctx: Caller, day, name_ar: str, name_en: str) -> list[Holiday]:
    """One holiday more, named in Arabic and English. A day in the past year is allowed (it
    still changes how old the cases open across it are); older days count for no open case
    worth correcting, and days more than five years ahead are a typing mistake."""
    admin = require_role(ctx, "ADMIN")
    problems = Problems()
    name_ar, name_en = " ".join(str(name_ar or "").split()), " ".join(str(name_en or "").split())
    today = clock.today()
    if not isinstance(day, dt.date):
        problems.add("REQUIRED", "date", N_("Enter the holiday's date."))
    elif day < today - dt.timedelta(days=PAST_HOLIDAY_DAYS):
        problems.add("INVALID", "date", N_(
            "Enter a date from the past year or later: older holidays change no open case."))
    elif day > today.replace(year=today.year + 5, day=min(today.day, 28)):
        problems.add("INVALID", "date", N_("Enter a date within the next five years."))
    for field, name in (("nameAr", name_ar), ("nameEn", name_en)):
        if not name:
            problems.add("REQUIRED", field, N_("Enter the holiday's name in Arabic.")
                         if field == "nameAr" else N_("Enter the holiday's name in English."))
        elif len(name) > MAX_HOLIDAY_NAME:
            problems.add("INVALID", field, N_("At most 80 characters."))
    problems.raise_if_any()
    async with in_transaction():
        entries = await holiday_entries()
        if any(h.day == day for h in entries):
            raise DomainError("TAKEN", "date", N_("This date is already on the holiday list."))
        if len(entries) >= MAX_HOLIDAYS:
            raise DomainError("INVALID", "date", N_("At most 200 holidays."))
        entries = sorted([*entries, Holiday(day, name_ar, name_en)], key=lambda h: h.day)
        await _save_holidays(ctx, admin, entries, "settings.holiday_added",
                             date=day.isoformat(), name_ar=name_ar, name_en=name_en)
    return entries


async def remove_holiday(ctx: Caller, day) -> list[Holiday]:
    admin = require_role(ctx, "ADMIN")
    async with in_transaction():
        entries = await holiday_entries()
        kept = [h for h in entries if h.day != day]
        if len(kept) == len(entries):
            raise DomainError("NOT_FOUND", "date", N_("This date is not on the holiday list."))
        await _save_holidays(ctx, admin, kept, "settings.holiday_removed",
                             date=day.isoformat())
    return kept
