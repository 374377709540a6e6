"""Reviewers: the queue, taking the next application, one application with everything a
reviewer needs, and the decision. Staff only (REVIEWER or ADMIN): anyone else gets a
FORBIDDEN top-level error."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import Info

from server.domain import cpd as cpd_rules
from server.resolvers.kernel import corrections
from server.resolvers.kernel.settings import review_targets
from server.resolvers.kernel.snapshot import compare_entries, freeze
from server.resolvers.review import comparison
from server.resolvers.review import queue as review
from server.schema.applications import Application, ApplicationKind, ApplicationStatus
from server.schema.base import (
    Connection,
    Edge,
    Money,
    PageInfo,
    UserError,
    decode_time_cursor,
    encode_cursor,
    mutation_payload,
    page_size,
)
from server.schema.record.types import CpdActivity, Practitioner, registrations_of
from server.schema.review_record import RecordEntryComparison, entry_rows


@strawberry.enum
class Decision(Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    RETURN = "RETURN"


# ------------------------------------------------------------------ types

@strawberry.type
class ReviewApplicant:
    id: strawberry.ID
    email: str
    first_name: str
    family_name: str
    language: str


@strawberry.type(description="One field of the record: as frozen at submission and now.")
class RecordComparison:
    field: str = strawberry.field(description="fullNameAr, fullNameEn, dateOfBirth, "
                                              "category, specialty, rank, registrationNumber, "
                                              "registrationValidFrom, registrationValidUntil")
    snapshot: str | None = strawberry.field(description="Null without a snapshot.")
    current: str | None
    changed: bool


@strawberry.type(description="What the applicant changed since the application was returned: "
                             "the record (frozen at the return, and again at "
                             "resubmission), the details of the application, and the "
                             "documents added.")
class ChangesSinceReturn:
    record: list[RecordComparison]
    entries: list[RecordEntryComparison] = strawberry.field(
        description="Only the entries added or gone.")
    details: list[RequestedChange] = strawberry.field(
        description="`before` as returned, `requested` as resubmitted.")
    added_documents: list[strawberry.ID]


@strawberry.type(description="A personal-data change or a (re)classification: one field "
                             "as it was when asked, as it is now, and as requested (for a "
                             "classification, the category, rank and specialty proposed).")
class RequestedChange:
    field: str
    before: str | None
    current: str | None
    requested: str


@strawberry.type
class ReviewAnswer:
    code: str
    question: str | None = strawberry.field(description="The question in the request's "
                                                        "language, where there is one.")
    answer: str | None


@strawberry.type
class ReviewDocument:
    id: strawberry.ID = strawberry.field(description="GET /documents/{id} downloads it; "
                                                     "?inline=1 shows it in the browser.")
    kind: str
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


GENERIC_DOCUMENT_KINDS = ("EVIDENCE", "OTHER", "")


def _real_kind(row) -> str:
    """What the document is: attached as generic evidence, a BLS or experience certificate
    keeps the kind it was uploaded as."""
    if row.kind in GENERIC_DOCUMENT_KINDS and row.document.kind not in GENERIC_DOCUMENT_KINDS:
        return row.document.kind
    return row.kind


@strawberry.type
class ReviewPayment:
    id: strawberry.ID
    status: str
    method: str
    provider: str
    amount: Money
    created_at: dt.datetime
    paid_at: dt.datetime | None


@strawberry.type
class ReviewEvent:
    at: dt.datetime
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    reason: str
    actor: str | None = strawberry.field(description="The email of who did it; null for "
                                                     "the system.")
    by_applicant: bool


def _loader(info: Info, batch):
    return info.context.loaders.get(batch)


async def _review_targets(keys: list) -> list[dict[str, int]]:
    """The admin's review targets, read once per request whatever the page's length."""
    targets = await review_targets()
    return [targets for _ in keys]


@strawberry.type(description="An application as a reviewer sees it.")
class ApplicationForReview(Application):
    @strawberry.field(description="Whole days since it was submitted.")
    def age_days(self) -> int:
        return review.age_days(self.model)

    @strawberry.field(description="Days within which this kind should be decided.")
    async def target_days(self, info: Info) -> int:
        return review.target_days(self.model.kind, await _loader(info, _review_targets).load(0))

    @strawberry.field(description="Waiting longer than its kind's target.")
    async def overdue(self, info: Info) -> bool:
        targets = await _loader(info, _review_targets).load(0)
        return review.is_overdue(self.model, targets=targets)

    @strawberry.field(description="The email of the reviewer whose claim is running, else "
                                  "null.")
    async def claimed_by(self, info: Info) -> str | None:
        holder = review.claim_holder(self.model)
        if holder is None:
            return None
        account = await _loader(info, review.accounts_by_id).load(holder)
        return account.email if account else None

    @strawberry.field(description="When the running claim lapses, else null.")
    def claimed_until(self) -> dt.datetime | None:
        return self.model.claimed_until if review.claim_holder(self.model) else None

    @strawberry.field
    def claimed_by_me(self, info: Info) -> bool:
        holder = review.claim_holder(self.model)
        return holder is not None and info.context.account is not None \
            and holder == info.context.account.id

    @strawberry.field(description="The email of the reviewer a supervisor assigned it to.")
    async def assigned_to(self, info: Info) -> str | None:
        if self.model.assigned_to_id is None:
            return None
        account = await _loader(info, review.accounts_by_id).load(self.model.assigned_to_id)
        return account.email if account else None

    @strawberry.field(description="The team a supervisor assigned it to, else null.")
    def assigned_team(self) -> str | None:
        return self.model.assigned_team or None

    @strawberry.field
    async def applicant(self, info: Info) -> ReviewApplicant | None:
        account = await _loader(info, review.accounts_by_id).load(self.model.applicant_id)
        if account is None:
            return None
        return ReviewApplicant(id=strawberry.ID(str(account.id)), email=account.email,
                               first_name=account.first_name,
                               family_name=account.family_name, language=account.language)

    async def _practitioner(self, info: Info):
        if self.model.practitioner_id is None:
            return None
        return await _loader(info, review.practitioners_by_id).load(self.model.practitioner_id)

    async def _registration(self, info: Info):
        if self.model.practitioner_id is None:
            return None
        return await _loader(info, registrations_of).load(self.model.practitioner_id)

    @strawberry.field(description="The applicant's record as it is now.")
    async def practitioner(self, info: Info) -> Practitioner | None:
        row = await self._practitioner(info)
        return Practitioner.of(row) if row else None

    @strawberry.field(description="What the applicant asked for and answered (kind-specific).")
    def data(self) -> strawberry.scalars.JSON:
        return self.model.data or {}

    @strawberry.field(description="The record and answers frozen at submission; null when "
                                  "this kind freezes none.")
    def snapshot(self) -> strawberry.scalars.JSON | None:
        return self.model.snapshot

    @strawberry.field(description="The snapshot's record beside the current one, field by "
                                  "field.")
    async def record_comparison(self, info: Info) -> list[RecordComparison]:
        rows = comparison.comparison(self.model.snapshot, await self._practitioner(info),
                                 await self._registration(info), info.context.lang)
        return [RecordComparison(**row) for row in rows]

    @strawberry.field(description="The record's qualifications, experience, licences and "
                                  "CPD activities: frozen at submission against now.")
    async def record_entries(self, info: Info) -> list[RecordEntryComparison]:
        practitioner = await self._practitioner(info)
        if practitioner is None:
            return []
        now = await freeze(practitioner, await self._registration(info))
        return entry_rows(compare_entries(self.model.snapshot, now))

    @strawberry.field(description="Resubmitted after a return: what changed since; null "
                                  "otherwise.")
    async def changes_since_return(self, info: Info) -> ChangesSinceReturn | None:
        answered = corrections.latest_answered(self.model.data)
        if answered is None or self.model.status in ("RETURNED",):
            return None
        then, now = answered.get("record") or {}, self.model.snapshot or {}
        rows = comparison.comparison_of_snapshots(then, now, info.context.lang)
        changed = answered.get("changed") or {}
        return ChangesSinceReturn(
            record=[RecordComparison(**r) for r in rows if r["changed"]],
            entries=[e for e in entry_rows(compare_entries(then, now))
                     if e.before is not True or not e.after],
            details=[RequestedChange(field=k, before=str(v.get("before") or ""),
                                     current=str(v.get("after") or ""),
                                     requested=str(v.get("after") or ""))
                     for k, v in changed.items() if isinstance(v, dict)],
            added_documents=[strawberry.ID(d) for d in answered.get("added_documents") or []])

    @strawberry.field(description="A personal-data change, field by field; empty for other "
                                  "kinds.")
    async def requested_changes(self, info: Info) -> list[RequestedChange]:
        rows = comparison.requested_changes(self.model, await self._practitioner(info))
        return [RequestedChange(**row) for row in rows]

    @strawberry.field(description="The applicant's answers: a renewal's questions, or the "
                                  "other kinds' plain values.")
    async def answers(self, info: Info) -> list[ReviewAnswer]:
        return [ReviewAnswer(**row) for row in await comparison.answers(
            self.model.kind, self.model.data, info.context.lang)]

    @strawberry.field(description="The activity of a CPD recognition; null for other kinds.")
    async def cpd_activity(self, info: Info) -> CpdActivity | None:
        if self.model.kind != "CPD_RECOGNITION":
            return None
        row = await _loader(info, review.cpd_activity_of).load(self.model.id)
        if row is None:
            return None
        registration = await self._registration(info)
        period = cpd_rules.current_period(registration.valid_from, registration.valid_until) \
            if registration else None
        return CpdActivity.of(row, period)

    @strawberry.field
    async def documents(self, info: Info) -> list[ReviewDocument]:
        rows = await _loader(info, review.documents_of).load(self.model.id)
        return [ReviewDocument(id=strawberry.ID(str(r.document.id)), kind=_real_kind(r),
                               name=r.document.original_name,
                               content_type=r.document.content_type, size=r.document.size,
                               uploaded_at=r.document.created_at) for r in rows]

    @strawberry.field
    async def payments(self, info: Info) -> list[ReviewPayment]:
        rows = await _loader(info, review.payments_of).load(self.model.id)
        return [ReviewPayment(id=strawberry.ID(str(p.id)), status=p.status, method=p.method,
                              provider=p.provider,
                              amount=Money(amount=f"{p.amount:.2f}", currency=p.currency),
                              created_at=p.created_at, paid_at=p.paid_at) for p in rows]

    @strawberry.field(description="Every status change with who made it, oldest first.")
    async def history(self, info: Info) -> list[ReviewEvent]:
        rows = await _loader(info, review.events_of).load(self.model.id)
        actors = await _loader(info, review.accounts_by_id).load_many(
            [r.actor_id for r in rows if r.actor_id])
        emails = {a.id: a.email for a in actors if a is not None}
        return [ReviewEvent(at=r.at, to_status=ApplicationStatus(r.to_status),
                            from_status=ApplicationStatus(r.from_status)
                            if r.from_status else None, reason=r.reason,
                            actor=emails.get(r.actor_id),
                            by_applicant=r.actor_id == self.model.applicant_id)
                for r in rows]


# ------------------------------------------------------------------ inputs and payloads

@strawberry.input
class DecideApplicationInput:
    application_id: strawberry.ID | None = None
    decision: Decision | None = None
    reason: str | None = strawberry.field(default=None, description="Required to reject or "
                                                                    "return; the applicant "
                                                                    "sees it.")
    recognised_hours: float | None = strawberry.field(
        default=None, description="CPD recognition: fewer hours than claimed, if so.")
    what_to_fix: str | None = strawberry.field(
        default=None, description="Returning: what the applicant should correct; it "
                                  "follows the reason.")


@strawberry.type
class DecideApplicationPayload:
    errors: list[UserError]
    application: Application | None = None


@strawberry.input
class ClaimNextApplicationInput:
    kind: ApplicationKind | None = strawberry.field(
        default=None, description="Only this kind; any kind when null.")


@strawberry.type
class ClaimNextApplicationPayload:
    errors: list[UserError]
    application: ApplicationForReview | None = strawberry.field(
        default=None, description="The application now claimed for 30 minutes; null when "
                                  "nothing is waiting.")


@strawberry.input
class ClaimApplicationInput:
    application_id: strawberry.ID | None = None


@strawberry.type
class ClaimApplicationPayload:
    errors: list[UserError]
    application: ApplicationForReview | None = strawberry.field(
        default=None, description="Claimed for the caller, unless decided, their own, or "
                                  "held by another reviewer (see claimedBy).")


@strawberry.input
class ReleaseApplicationInput:
    application_id: strawberry.ID | None = None


@strawberry.type
class ReleaseApplicationPayload:
    errors: list[UserError]
    application: ApplicationForReview | None = None


# ------------------------------------------------------------------ root fields

@strawberry.type
class Query:
    @strawberry.field(description="Submitted applications (SUBMITTED, IN_REVIEW), oldest "
                                  "first (staff).")
    async def review_queue(self, info: Info, first: int | None = None,
                           after: str | None = None, kind: ApplicationKind | None = None,
                           status: ApplicationStatus | None = None,
                           older_than_days: int | None = None,
                           ) -> Connection[ApplicationForReview]:
        size = page_size(first)
        cursor = decode_time_cursor(after)
        rows, more = await review.queue(
            info.context, size, cursor,
            kind.value if kind else None, status.value if status else None,
            older_than_days)
        edges = [Edge(node=ApplicationForReview.of(r),
                      cursor=encode_cursor(r.submitted_at.isoformat(), r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Any application, with the record, documents, payments "
                                  "and history (staff); null for an unknown id.")
    async def review_application(self, info: Info,
                                 id: strawberry.ID) -> ApplicationForReview | None:
        row = await review.for_review(info.context, str(id))
        return ApplicationForReview.of(row) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Approve, reject or return an application (staff).")
    async def decide_application(self, info: Info, input: DecideApplicationInput
                                 ) -> DecideApplicationPayload:
        async def run():
            row = await review.decide(
                info.context, str(input.application_id or ""),
                input.decision.value if input.decision else "", input.reason or "",
                input.recognised_hours, input.what_to_fix or "")
            return {"application": Application.of(row)}
        return await mutation_payload(info, DecideApplicationPayload, run)

    @strawberry.mutation(description="Take the next one: claims the oldest waiting "
                                     "application for the caller for 30 minutes (staff).")
    async def claim_next_application(self, info: Info, input: ClaimNextApplicationInput
                                     ) -> ClaimNextApplicationPayload:
        async def run():
            row = await review.claim_next(info.context,
                                          input.kind.value if input.kind else None)
            return {"application": ApplicationForReview.of(row) if row else None}
        return await mutation_payload(info, ClaimNextApplicationPayload, run)

    @strawberry.mutation(description="Opening an application to decide it: claims it for "
                                     "the caller for 30 minutes (unless another reviewer "
                                     "holds it) and gives back the others they hold "
                                     "(staff).")
    async def claim_application(self, info: Info, input: ClaimApplicationInput
                                ) -> ClaimApplicationPayload:
        async def run():
            row = await review.claim(info.context, str(input.application_id or ""))
            return {"application": ApplicationForReview.of(row)}
        return await mutation_payload(info, ClaimApplicationPayload, run)

    @strawberry.mutation(description="Gives a claimed application back to the queue "
                                     "(staff).")
    async def release_application(self, info: Info, input: ReleaseApplicationInput
                                  ) -> ReleaseApplicationPayload:
        async def run():
            row = await review.release(info.context, str(input.application_id or ""))
            return {"application": ApplicationForReview.of(row)}
        return await mutation_payload(info, ReleaseApplicationPayload, run)
