"""The machinery every service shares: creating an application, moving it through its life
cycle exactly once per transition, and listing an applicant's applications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tortoise.expressions import Q

from server import clock
from server.domain.applications import InvalidTransition, check_transition
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.snapshot import freeze

# What the applicant is told happens next, per status.
NEXT_STEP = {
    "DRAFT": N_("Finish and submit your application."),
    "AWAITING_PAYMENT": N_("Pay the fee to send your application for review."),
    "SUBMITTED": N_("Your application is waiting for a reviewer."),
    "IN_REVIEW": N_("A reviewer is looking at your application."),
    "RETURNED": N_("Correct what the reviewer asked for and submit again."),
    "APPROVED": N_("Your application is approved."),
    "REJECTED": N_("Your application was not approved. The reason is shown."),
    "CANCELLED": N_("You cancelled this application."),
}
# IN_REVIEW, while a reviewer's approval waits for a second admin (review/decisions.py).
AWAITING_SECOND_APPROVAL = N_("The reviewer approved your application. Because it changes "
                              "your identity details or grants the Consultant rank, a "
                              "second approval is needed before it takes effect.")


async def lock_practitioner(practitioner_id) -> None:
    """Inside a transaction: writing the practitioner's row takes its lock (the whole
    database's, on SQLite) until the commit, so check-then-insert on their applications
    cannot race."""
    await Practitioner.filter(id=practitioner_id).update(updated_at=clock.now())


async def create(kind: str, applicant, practitioner, *, status: str = "DRAFT",
                 data: dict | None = None, fee: Decimal | None = None,
                 years: int | None = None, document_ids: list | None = None) -> Application:
    """Call inside the caller's transaction. An application sent at once (not a draft)
    freezes the record as it is, for the reviewer to compare with the record at review."""
    moment = clock.now()
    snapshot = None
    if status != "DRAFT" and practitioner is not None:
        registration = await Registration.get_or_none(practitioner_id=practitioner.id)
        snapshot = await freeze(practitioner, registration)
    application = await Application.create(
        kind=kind, status=status, applicant=applicant, practitioner=practitioner,
        data=data or {}, fee=fee, years=years, snapshot=snapshot,
        submitted_at=moment if status == "SUBMITTED" else None)
    await ApplicationEvent.create(application=application, actor_id=applicant.id,
                                  from_status="", to_status=status)
    for document_id, kind_ in document_ids or []:
        await ApplicationDocument.create(application=application, document_id=document_id,
                                         kind=kind_)
    return application


async def transition(application: Application, to: str, *, actor_id=None, actor_kind=None,
                     reason: str = "", **changes) -> Application:
    """Moves the application from its current status to `to`, or raises INVALID_STATE.
    A conditional update makes it happen once, even when two requests race."""
    try:
        check_transition(application.status, to, actor_kind)
    except InvalidTransition as error:
        raise DomainError("INVALID_STATE", None, N_(
            "This cannot be done while the application is %(status)s."),
            status=application.status) from error
    moment = clock.now()
    values = {"status": to, **changes}
    if to == "SUBMITTED" and application.submitted_at is None:
        values["submitted_at"] = moment
    moved = await Application.filter(id=application.id, status=application.status) \
        .update(**values)
    if moved != 1:
        current = await Application.get(id=application.id)
        raise DomainError("INVALID_STATE", None, N_(
            "This application was changed meanwhile: it is now %(status)s."),
            status=current.status)
    await ApplicationEvent.create(application=application, actor_id=actor_id,
                                  from_status=application.status, to_status=to, reason=reason)
    for name, value in values.items():
        setattr(application, name, value)
    return application


async def practitioner_of(application: Application) -> Practitioner:
    return await Practitioner.get(id=application.practitioner_id)


async def mine(account_id, application_id: str) -> Application:
    """The caller's own application, else NOT_FOUND (never "exists but not yours")."""
    wanted = as_uuid(application_id)
    found = await Application.get_or_none(id=wanted, applicant_id=account_id) \
        if wanted and account_id else None
    if found is None:
        raise DomainError("NOT_FOUND", "applicationId")
    return found


async def page_of_mine(account_id, first: int, after: tuple[str, str] | None
                       ) -> tuple[list[Application], bool]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = Application.filter(applicant_id=account_id)
    if after is not None:
        created, last_id = after
        at = dt.datetime.fromisoformat(created)
        query = query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id))
    rows = await query.order_by("-created_at", "-id").limit(first + 1)
    return rows[:first], len(rows) > first
