"""The reviewers' console: the queue (oldest first, with its age against a target per kind),
"take the next one" (a claim two reviewers can never both win, also across app processes),
releasing a claim, one application with everything a reviewer needs, and the decision.

A claim is a lease: IN_REVIEW with claimed_by_id and claimed_until (now + 30 minutes). A
lapsed claim is not a stuck application: "take the next one" treats it as waiting, first
putting it back to SUBMITTED (recorded in its history) and then claiming it again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from tortoise import connections
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server import clock
from server.domain.applications import ApplicationKind, check_transition
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.accounts import Account
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.payments import Payment
from server.models.practitioners import CpdActivity, Practitioner
from server.resolvers.kernel import audit, corrections, lifecycle
from server.resolvers.kernel.access import require_staff
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.review import decisions

QUEUE_STATUSES = ("SUBMITTED", "IN_REVIEW")
# Days within which each kind should be decided; past it, the queue flags it as overdue.
# A constant for now: an admin console may make it editable.
TARGET_DAYS: dict[str, int] = {
    "RENEWAL": 3,
    "CPD_RECOGNITION": 5,
    "PERSONAL_DATA_CHANGE": 5,
}
DEFAULT_TARGET_DAYS = 10
CLAIM_FOR = dt.timedelta(minutes=30)
CLAIM_ATTEMPTS = 20  # candidates tried before "take the next one" gives up for this call
MAX_REASON_CHARS = 2000

NOT_IN_REVIEW = N_("This application is %(status)s: only an application in review can be "
                   "released.")
NOT_YOUR_CLAIM = N_("Another reviewer holds this application: only they or an admin can "
                    "release it.")


# ------------------------------------------------------------------ age and claims

def target_days(kind: str, targets: dict[str, int] | None = None) -> int:
    """`targets`: the admin's (server.resolvers.settings.review_targets), else defaults."""
    return (targets or TARGET_DAYS).get(kind, DEFAULT_TARGET_DAYS)


def _waiting_since(application: Application) -> dt.datetime:
    return application.submitted_at or application.created_at


def age_days(application: Application, moment: dt.datetime | None = None) -> int:
    """Whole days since it was submitted."""
    return max(((moment or clock.now()) - _waiting_since(application)).days, 0)


def is_overdue(application: Application, moment: dt.datetime | None = None,
               targets: dict[str, int] | None = None) -> bool:
    """Waiting longer than its kind's target, and not decided yet."""
    return application.status in QUEUE_STATUSES and \
        (moment or clock.now()) - _waiting_since(application) > \
        dt.timedelta(days=target_days(application.kind, targets))


def claim_holder(application: Application, moment: dt.datetime | None = None):
    """The reviewer whose claim on it is still running, else None."""
    if application.status != "IN_REVIEW" or application.claimed_by_id is None \
            or application.claimed_until is None:
        return None
    return application.claimed_by_id if application.claimed_until > (moment or clock.now()) \
        else None


def _claimable(moment: dt.datetime) -> Q:
    """Waiting for a reviewer: SUBMITTED, or IN_REVIEW with no running claim."""
    return Q(status="SUBMITTED") | Q(status="IN_REVIEW", claimed_until__isnull=True) | \
        Q(status="IN_REVIEW", claimed_until__lt=moment)


def _kind(kind: str | None) -> str | None:
    if kind and kind not in ApplicationKind.__members__:
        raise DomainError("INVALID", "kind")
    return kind or None


# ------------------------------------------------------------------ the queue

async def queue(ctx: Caller, first: int, after: tuple[str, str] | None, kind: str | None,
                status: str | None = None, older_than_days: int | None = None
                ) -> tuple[list[Application], bool]:
    """Keyset-paginated on (submitted_at, id): page 500 costs what page 1 costs. One range
    scan of the (status, submitted_at, id) index per status, merged: an IN over two
    statuses cannot come out of that index in order, and would sort every waiting row."""
    require_staff(ctx)
    if status and status not in QUEUE_STATUSES:
        raise DomainError("INVALID", "status")
    base = Application.all()
    if _kind(kind):
        base = base.filter(kind=kind)
    if older_than_days is not None:
        if older_than_days < 0 or older_than_days > 3650:
            raise DomainError("INVALID", "olderThanDays")
        base = base.filter(submitted_at__lte=clock.now() - dt.timedelta(days=older_than_days))
    if after is not None:
        try:
            at, last_id = dt.datetime.fromisoformat(after[0]), uuid.UUID(after[1])
        except ValueError as error:
            raise DomainError("INVALID", "after") from error
        if at.tzinfo is None:  # this server writes UTC offsets; take a bare time as UTC
            at = at.replace(tzinfo=dt.UTC)
        # The range bound the index seeks to, then the tie-break on id.
        base = base.filter(submitted_at__gte=at) \
            .filter(Q(submitted_at__gt=at) | Q(id__gt=last_id))
    rows: list[Application] = []
    for wanted in ([status] if status else QUEUE_STATUSES):
        rows += await base.filter(status=wanted).order_by("submitted_at", "id") \
            .limit(first + 1)
    last = dt.datetime.max.replace(tzinfo=dt.UTC)  # no submitted_at: last, as in SQL
    rows.sort(key=lambda a: (a.submitted_at or last, str(a.id)))
    return rows[:first], len(rows) > first


# ------------------------------------------------------------------ take the next one

class _Lost(Exception):
    """Another reviewer took the candidate first: roll back and try the next one."""


def _is_postgres(conn) -> bool:
    return conn.capabilities.dialect == "postgres"


_OLDEST_CLAIMABLE_PG = """
    SELECT id FROM application
     WHERE applicant_id <> $1
       AND (status = 'SUBMITTED'
            OR (status = 'IN_REVIEW' AND (claimed_until IS NULL OR claimed_until < $2)))
       AND ($3::text IS NULL OR kind = $3::text)
     ORDER BY submitted_at, id
     LIMIT 1
     FOR UPDATE SKIP LOCKED
"""
SQLITE_CANDIDATES = 10


async def _release_lapsed(application: Application, moment: dt.datetime) -> None:
    """IN_REVIEW with no running claim → SUBMITTED, only if nobody claimed it meanwhile."""
    check_transition("IN_REVIEW", "SUBMITTED", "REVIEWER")
    moved = await Application.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
        id=application.id, status="IN_REVIEW",
    ).update(status="SUBMITTED", claimed_by_id=None, claimed_until=None)
    if moved != 1:
        raise _Lost
    await ApplicationEvent.create(application_id=application.id, actor_id=None,
                                  from_status="IN_REVIEW", to_status="SUBMITTED")
    application.status, application.claimed_by_id, application.claimed_until = \
        "SUBMITTED", None, None


async def _take(ctx: Caller, reviewer, application: Application, moment: dt.datetime) -> None:
    """Inside the caller's transaction: a lapsed claim goes back to SUBMITTED first (in its
    history), then SUBMITTED → IN_REVIEW with the caller's claim. Both updates are
    conditional, so of two claimers exactly one gets it; the other gets _Lost."""
    lapsed_from = application.claimed_by_id if application.status == "IN_REVIEW" else None
    if application.status == "IN_REVIEW":
        await _release_lapsed(application, moment)
    try:
        await lifecycle.transition(
            application, "IN_REVIEW", actor_id=reviewer.id, actor_kind="REVIEWER",
            claimed_by_id=reviewer.id, claimed_until=moment + CLAIM_FOR)
    except DomainError as error:
        raise _Lost from error
    await audit.record("application.claimed", actor=reviewer, ip=ctx.ip,
                       target_type="application", target_id=application.id,
                       kind=application.kind,
                       lapsed_claim_of=str(lapsed_from) if lapsed_from else None)
    if lapsed_from is None:  # the applicant hears once, not at every lapse
        await decisions.notify_status(ctx.settings, application)


async def claim_next(ctx: Caller, kind: str | None = None) -> Application | None:
    """Claims the oldest waiting application (of `kind`, if given; never the caller's own)
    for the caller for 30 minutes and moves it to IN_REVIEW; None when nothing is waiting.

    PostgreSQL (several app processes): the candidate row is locked with
    `FOR UPDATE SKIP LOCKED` in the claiming transaction, so concurrent claimers each get
    another row without waiting. SQLite: the oldest few candidates are read, then claimed
    with conditional updates, each in its own short transaction; a lost race moves on to
    the next candidate."""
    reviewer = require_staff(ctx)
    kind = _kind(kind)
    postgres = _is_postgres(connections.get("default"))
    for _ in range(CLAIM_ATTEMPTS):
        moment = clock.now()
        if postgres:
            try:
                async with in_transaction() as conn:
                    rows = await conn.execute_query_dict(_OLDEST_CLAIMABLE_PG,
                                                         [reviewer.id, moment, kind])
                    if not rows:
                        return None
                    application = await Application.get(id=rows[0]["id"])
                    await _take(ctx, reviewer, application, moment)
            except _Lost:
                continue
            return application
        query = Application.filter(_claimable(moment)).exclude(applicant_id=reviewer.id)
        if kind:
            query = query.filter(kind=kind)
        candidates = await query.order_by("submitted_at", "id").limit(SQLITE_CANDIDATES)
        if not candidates:
            return None
        for application in candidates:
            try:
                async with in_transaction():
                    await _take(ctx, reviewer, application, moment)
            except _Lost:
                continue
            return application
    return None


async def _get(application_id) -> Application:
    wanted = as_uuid(application_id)
    application = await Application.get_or_none(id=wanted) if wanted else None
    if application is None:
        raise DomainError("NOT_FOUND", "applicationId")
    return application


async def release(ctx: Caller, application_id) -> Application:
    """Gives a claimed application back to the queue (SUBMITTED). The holder may, an admin
    may, and anyone may once the claim has lapsed."""
    reviewer = require_staff(ctx)
    application = await _get(application_id)
    if application.status != "IN_REVIEW":
        raise DomainError("INVALID_STATE", None, NOT_IN_REVIEW, status=application.status)
    if decisions.is_held(application):
        raise DomainError("INVALID_STATE", None, decisions.AWAITING)
    holder = claim_holder(application)
    if holder is not None and holder != reviewer.id and "ADMIN" not in reviewer.role_list:
        raise DomainError("NOT_ALLOWED", None, NOT_YOUR_CLAIM)
    check_transition("IN_REVIEW", "SUBMITTED", "REVIEWER")
    async with in_transaction():
        # Conditional on the holder too: a claim taken meanwhile is not released.
        query = Application.filter(id=application.id, status="IN_REVIEW")
        query = query.filter(claimed_by_id=application.claimed_by_id) \
            if application.claimed_by_id else query.filter(claimed_by_id__isnull=True)
        moved = await query.update(status="SUBMITTED", claimed_by_id=None, claimed_until=None)
        if moved != 1:
            current = await Application.get(id=application.id)
            raise DomainError("INVALID_STATE", None, N_(
                "This application was changed meanwhile: it is now %(status)s."),
                status=current.status)
        await ApplicationEvent.create(application_id=application.id, actor_id=reviewer.id,
                                      from_status="IN_REVIEW", to_status="SUBMITTED")
        await audit.record("application.released", actor=reviewer, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           claim_of=str(application.claimed_by_id)
                           if application.claimed_by_id else None)
    application.status, application.claimed_by_id, application.claimed_until = \
        "SUBMITTED", None, None
    return application


# ------------------------------------------------------------------ one application

async def for_review(ctx: Caller, application_id) -> Application | None:
    """Any application, for staff; None when there is no such application. Each look is
    in the audit trail: it shows a practitioner's personal data."""
    account = require_staff(ctx)
    wanted = as_uuid(application_id)
    application = await Application.get_or_none(id=wanted) if wanted else None
    if application is not None:
        await audit.record("application.viewed", actor=account, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           kind=application.kind)
    return application


async def claim(ctx: Caller, application_id) -> Application:
    """Opening an application to decide it claims it for the caller (30 minutes, renewed
    while they hold it) and gives back any other application the caller holds. Decided,
    the caller's own, or held by another reviewer: returned as it is, for the page to say
    so."""
    reviewer = require_staff(ctx)
    application = await _get(application_id)
    if application.applicant_id == reviewer.id or application.status not in QUEUE_STATUSES \
            or decisions.is_held(application):  # its claim lasts until the second admin's
        return application
    holder = claim_holder(application)
    if holder is not None and holder != reviewer.id:
        return application
    moment = clock.now()
    try:
        async with in_transaction():
            await _release_held(ctx, reviewer, but=application.id)
            if holder == reviewer.id:
                await Application.filter(id=application.id, status="IN_REVIEW",
                                         claimed_by_id=reviewer.id) \
                    .update(claimed_until=moment + CLAIM_FOR)
                application.claimed_until = moment + CLAIM_FOR
            else:
                await _take(ctx, reviewer, application, moment)
    except _Lost:  # another reviewer opened it the same moment: theirs
        return await Application.get(id=application.id)
    return application


async def _release_held(ctx: Caller, reviewer, but) -> None:
    """Back to the queue: every application the reviewer holds but `but`."""
    for held in await Application.filter(status="IN_REVIEW", claimed_by_id=reviewer.id) \
            .exclude(id=but):
        if decisions.is_held(held):
            continue  # waiting for a second admin: it stays the reviewer's
        moved = await Application.filter(id=held.id, status="IN_REVIEW",
                                         claimed_by_id=reviewer.id) \
            .update(status="SUBMITTED", claimed_by_id=None, claimed_until=None)
        if moved != 1:
            continue
        await ApplicationEvent.create(application_id=held.id, actor_id=reviewer.id,
                                      from_status="IN_REVIEW", to_status="SUBMITTED")
        await audit.record("application.released", actor=reviewer, ip=ctx.ip,
                           target_type="application", target_id=held.id,
                           claim_of=str(reviewer.id), opened_instead=str(but))


DECIDED_BY = {
    "APPROVED": N_("%(who)s approved this application meanwhile. What you wrote is kept "
                   "below, not saved."),
    "REJECTED": N_("%(who)s rejected this application meanwhile. What you wrote is kept "
                   "below, not saved."),
    "RETURNED": N_("%(who)s returned this application to the applicant meanwhile. What "
                   "you wrote is kept below, not saved."),
}
DECIDED_OTHERWISE = N_("This application is no longer waiting for a decision. What you "
                       "wrote is kept below, not saved.")
HELD_BY = N_("%(who)s is working on this application: only they can decide it until "
             "they give it back or their claim lapses. What you wrote is kept below, not "
             "saved.")


async def _hold_for_decision(reviewer, application_id) -> None:
    """Inside the deciding transaction: the caller's claim on the application, taken now
    when nobody's runs (a conditional write, so it is also the row's lock until the
    decision commits). Refused, with who decided what or who holds it."""
    moment = clock.now()
    held = await Application.filter(
        Q(claimed_by_id=reviewer.id) | Q(claimed_by_id__isnull=True)
        | Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
        id=application_id, status__in=QUEUE_STATUSES,
    ).update(claimed_by_id=reviewer.id, claimed_until=moment + CLAIM_FOR)
    if held == 1:
        return
    current = await Application.get_or_none(id=application_id)
    if current is None:
        return  # the decision says NOT_FOUND
    if current.status in QUEUE_STATUSES:
        holder = await Account.get_or_none(id=current.claimed_by_id)
        raise DomainError("NOT_ALLOWED", None, HELD_BY,
                          who=holder.email if holder else "?")
    if current.status in DECIDED_BY and current.decided_by_id:
        decider = await Account.get_or_none(id=current.decided_by_id)
        raise DomainError("INVALID_STATE", None, DECIDED_BY[current.status],
                          who=decider.email if decider else "?")
    raise DomainError("INVALID_STATE", None, DECIDED_OTHERWISE)


async def decide(ctx: Caller, application_id, decision: str, reason: str, recognised_hours=None,
                 what_to_fix: str = "") -> Application:
    """The decision (server/resolvers/review/decisions.py), refused while another reviewer's
    claim runs; an unclaimed application is claimed and decided in one transaction. What to
    fix, when given, follows the reason: the applicant reads both; returning, its lines are
    the points the applicant answers one by one (server/resolvers/services/resubmitting.py)."""
    reviewer = require_staff(ctx)
    reason, what_to_fix = (reason or "").strip(), (what_to_fix or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise DomainError("INVALID", "reason", N_("Use at most %(limit)s characters."),
                          limit=MAX_REASON_CHARS)
    if len(what_to_fix) > MAX_REASON_CHARS:
        raise DomainError("INVALID", "whatToFix", N_("Use at most %(limit)s characters."),
                          limit=MAX_REASON_CHARS)
    wanted = as_uuid(application_id)
    full_reason = f"{reason}\n\n{what_to_fix}" if reason and what_to_fix \
        else what_to_fix or reason
    async with in_transaction():
        if wanted is not None:
            await _hold_for_decision(reviewer, wanted)
        application = await decisions.apply_decision(
            ctx, str(application_id or ""), decision, full_reason, recognised_hours)
        if application.status == "RETURNED":
            await corrections.opened(application, reason, what_to_fix)
    return application


# ------------------------------------------------------------------ batch loaders
# One query per batch, whatever the page size (each is used through ctx.loaders).

async def accounts_by_id(ids: list) -> list[Account | None]:
    rows = {a.id: a for a in await Account.filter(id__in=list(set(ids)))}
    return [rows.get(i) for i in ids]


async def practitioners_by_id(ids: list) -> list[Practitioner | None]:
    rows = {p.id: p for p in await Practitioner.filter(id__in=list(set(ids)))}
    return [rows.get(i) for i in ids]


async def documents_of(application_ids: list) -> list[list[ApplicationDocument]]:
    """Each application's documents, with the Document joined in the same query."""
    groups: dict = defaultdict(list)
    for row in await ApplicationDocument.filter(application_id__in=list(set(application_ids))) \
            .select_related("document").order_by("id"):
        groups[row.application_id].append(row)
    return [groups.get(i, []) for i in application_ids]


async def payments_of(application_ids: list) -> list[list[Payment]]:
    groups: dict = defaultdict(list)
    for row in await Payment.filter(application_id__in=list(set(application_ids))) \
            .order_by("created_at", "id"):
        groups[row.application_id].append(row)
    return [groups.get(i, []) for i in application_ids]


async def events_of(application_ids: list) -> list[list[ApplicationEvent]]:
    groups: dict = defaultdict(list)
    for row in await ApplicationEvent.filter(application_id__in=list(set(application_ids))) \
            .order_by("at", "id"):
        groups[row.application_id].append(row)
    return [groups.get(i, []) for i in application_ids]


async def cpd_activity_of(application_ids: list) -> list[CpdActivity | None]:
    rows = {a.application_id: a for a in
            await CpdActivity.filter(application_id__in=list(set(application_ids)))}
    return [rows.get(i) for i in application_ids]
