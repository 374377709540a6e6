"""Applications as the applicant sees them: the same type for every service."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from server.domain import application_details as details
from server.domain import applications as rules
from server.domain import codes
from server.domain.cpd import ACTIVITY_TYPE_LABELS
from server.domain.errors import DomainError
from server.i18n import gettext
from server.models.applications import Application as ApplicationModel
from server.models.applications import ApplicationDocument as AttachedModel
from server.models.applications import ApplicationEvent as EventModel
from server.models.payments import Payment as PaymentModel
from server.resolvers.kernel import corrections
from server.resolvers.kernel import lifecycle as use_cases
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.corrections import EDITABLE
from server.resolvers.kernel.settings import review_targets
from server.resolvers.services import refunds
from server.schema.base import (
    Connection,
    Edge,
    Money,
    PageInfo,
    decode_time_cursor,
    encode_cursor,
    page_size,
)
from server.schema.refunds import ApplicationRefund

if TYPE_CHECKING:
    from server.schema.payments import Payment

# The domain's enums, as GraphQL enums: one list of kinds and statuses in the code.
ApplicationKind = strawberry.enum(rules.ApplicationKind, name="ApplicationKind")
ApplicationStatus = strawberry.enum(rules.Status, name="ApplicationStatus")


def _held(row: ApplicationModel, status: str) -> bool:
    return status == "IN_REVIEW" and bool((row.data or {}).get("held"))


@strawberry.type
class CorrectableField:
    field: str
    value: str


@strawberry.type
class Application:
    model: strawberry.Private[ApplicationModel]
    id: strawberry.ID
    reference: str = strawberry.field(description=(
        "What people quote: \"A-2026-000123\" (the year the application was opened and a "
        "number that never repeats). Shown in pages, emails and SMS; `id` stays internal."))
    kind: ApplicationKind
    status: ApplicationStatus
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str | None
    fee: Money | None

    @classmethod
    def of(cls, row: ApplicationModel) -> Application:
        return cls(model=row, id=strawberry.ID(str(row.id)), reference=row.reference,
                   kind=ApplicationKind(row.kind),
                   status=ApplicationStatus(row.status), created_at=row.created_at,
                   submitted_at=row.submitted_at, decided_at=row.decided_at,
                   decision_reason=row.decision_reason or None,
                   fee=Money.sar(row.fee) if row.fee is not None else None)

    @strawberry.field(description="Every status change, oldest first; what the system "
                                  "wrote is in the request's language.")
    async def events(self, info: Info) -> list[ApplicationEvent]:
        rows = await EventModel.filter(application_id=self.model.id).order_by("at", "id")
        return [ApplicationEvent(at=r.at, to_status=ApplicationStatus(r.to_status),
                                 from_status=ApplicationStatus(r.from_status)
                                 if r.from_status else None,
                                 reason=event_reason(r.reason, info.context.lang))
                for r in rows]

    @strawberry.field(description="The latest return for correction, answered or not; "
                                  "null when it was never returned.")
    def correction(self) -> Correction | None:
        rounds = corrections.corrections_of(self.model.data)
        return correction_of(rounds[-1]) if rounds else None

    @strawberry.field(description="Details of the application itself the applicant may "
                                  "change when correcting it (ResubmitApplication's "
                                  "`changes`), with their values now.")
    def correctable_fields(self) -> list[CorrectableField]:
        return [CorrectableField(field=name, value=str((self.model.data or {}).get(key) or ""))
                for name, key in EDITABLE.get(self.model.kind, {}).items()]

    @strawberry.field(description="What was paid for this application and its refund; "
                      "null when nothing was paid.")
    async def refund(self) -> ApplicationRefund | None:
        found = await refunds.refund_of(self.model)
        return ApplicationRefund.of(found) if found else None

    @strawberry.field(description="What happens next, in the request's language.")
    def next_step(self, info: Info) -> str:
        if _held(self.model, self.status.value):
            return gettext(info.context.lang, use_cases.AWAITING_SECOND_APPROVAL)
        return gettext(info.context.lang, use_cases.NEXT_STEP[self.status.value])

    @strawberry.field(description="True while a reviewer's approval waits for a second "
                                  "approval by an admin (four eyes: a change of identity "
                                  "number or birth date, a Consultant rank); the status "
                                  "stays IN_REVIEW meanwhile.")
    def awaiting_second_approval(self) -> bool:
        return _held(self.model, self.status.value)

    @strawberry.field(description="Days within which an application of this kind is "
                                  "usually decided once submitted (the regulator's target).")
    async def usual_decision_days(self) -> int:
        return (await review_targets())[self.model.kind]

    @strawberry.field(description="What the applicant asked for (the rank proposed, the "
                                  "name asked for, the period…), labelled in the request's "
                                  "language.")
    def requested(self, info: Info) -> list[RequestedItem]:
        lang = info.context.lang
        return [_requested_item(label, value, shown, code_kind, lang) for label, value, shown,
                code_kind in details.asked_for(self.model.kind, self.model.data,
                                               self.model.years)]

    @strawberry.field(description="The reviewer's reason, one point per line of it.")
    def decision_points(self) -> list[str]:
        return details.reason_points(self.model.decision_reason)

    @strawberry.field(description="The files the applicant attached, oldest first; GET "
                                  "/documents/{id} downloads one.")
    async def submitted_documents(self) -> list[SubmittedDocument]:
        rows = await AttachedModel.filter(application_id=self.model.id) \
            .select_related("document").order_by("id")
        return [SubmittedDocument(id=strawberry.ID(str(r.document.id)),
                                  name=r.document.original_name or r.kind,
                                  kind=r.kind, content_type=r.document.content_type)
                for r in rows]

    @strawberry.field(description="The SADAD bill to pay at the bank while the application "
                                  "awaits payment; null once paid, or when there is none.")
    async def sadad_bill(self) -> Annotated[
            "Payment", strawberry.lazy("server.schema.payments")] | None:  # noqa: UP037
        if self.model.status != "AWAITING_PAYMENT":
            return None
        row = await PaymentModel.filter(application_id=self.model.id, method="SADAD",
                                        status="INITIATED").order_by("-created_at").first()
        if row is None or not row.sadad_bill_number:
            return None
        from server.schema.payments import Payment

        return Payment.of(row)


@strawberry.type(description="One thing asked for: `value` is shown in the request's "
                             "language; `code` is the coded value where there is one; "
                             "`date` is set when the value is a date.")
class RequestedItem:
    label: str
    value: str
    code: str | None = None
    date: dt.date | None = None


@strawberry.type
class SubmittedDocument:
    id: strawberry.ID
    name: str
    kind: str
    content_type: str


def event_reason(reason: str, lang: str) -> str:
    return gettext(lang, reason) if reason in details.SYSTEM_REASONS else reason


def _requested_item(label: str, value: str, shown: str, code_kind: str | None,
                    lang: str) -> RequestedItem:
    title = gettext(lang, label)
    if shown == "code" and code_kind:
        return RequestedItem(label=title, value=codes.label(code_kind, value, lang) or value,
                             code=value)
    if shown == "level" and value in details.LEVEL_LABELS:
        return RequestedItem(label=title, value=gettext(lang, details.LEVEL_LABELS[value]),
                             code=value)
    if shown == "cpd_type" and value in ACTIVITY_TYPE_LABELS:
        return RequestedItem(label=title, value=gettext(lang, ACTIVITY_TYPE_LABELS[value]),
                             code=value)
    if shown == "date":
        try:
            return RequestedItem(label=title, value=value, date=dt.date.fromisoformat(value))
        except ValueError:
            return RequestedItem(label=title, value=value)
    return RequestedItem(label=title, value=value)


@strawberry.type(description="A return for correction: the reviewer's points and, once "
                             "the applicant answered, their answers.")
class Correction:
    returned_at: dt.datetime
    reason: str
    points: list[str]
    answers: list[str] | None = strawberry.field(description="Null until resubmitted.")
    resubmitted_at: dt.datetime | None
    added_document_ids: list[strawberry.ID]


def correction_of(row: dict | None) -> Correction | None:
    if not row:
        return None
    return Correction(
        returned_at=dt.datetime.fromisoformat(row["returned_at"]),
        reason=str(row.get("reason") or ""), points=[str(p) for p in row.get("points") or []],
        answers=[str(a) for a in row["answers"]] if row.get("answers") is not None else None,
        resubmitted_at=dt.datetime.fromisoformat(row["resubmitted_at"])
        if row.get("resubmitted_at") else None,
        added_document_ids=[strawberry.ID(str(d)) for d in row.get("added_documents") or []])


@strawberry.type
class ApplicationEvent:
    at: dt.datetime
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    reason: str


ApplicationConnection = Connection[Application]


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account's applications, newest first.")
    async def my_applications(self, info: Info, first: int | None = None,
                              after: str | None = None) -> Connection[Application]:
        account = require_account(info.context)
        size = page_size(first)
        cursor = decode_time_cursor(after)
        rows, more = await use_cases.page_of_mine(account.id, size, cursor)
        edges = [Edge(node=Application.of(r),
                      cursor=encode_cursor(r.created_at.isoformat(), r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Days within which an application of `kind` is usually "
                                  "decided once submitted (the regulator's target).")
    async def usual_decision_days(self, info: Info, kind: ApplicationKind) -> int:
        require_account(info.context)
        return (await review_targets())[kind.value]

    @strawberry.field(description="One of the signed-in account's applications.")
    async def my_application(self, info: Info, id: strawberry.ID) -> Application | None:
        account = require_account(info.context)
        try:
            row = await use_cases.mine(account.id, str(id))
        except DomainError:  # unknown or not yours: the same null
            return None
        return Application.of(row)
