"""The admin console's GraphQL types, inputs and payloads (the root fields are in
server/schema/admin/schema.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain import fees
from server.models.accounts import Account as AccountModel
from server.models.audit import AuditEntry as AuditModel
from server.models.outbox import OutboxMessage as OutboxModel
from server.models.payments import Payment as PaymentModel
from server.models.practitioners import Registration as RegistrationModel
from server.resolvers.admin import records
from server.schema.base import (
    Money,
    UserError,
)
from server.schema.payments import PaymentStatus

if TYPE_CHECKING:
    from server.schema.admin.approvals import ApprovalRequest

# ------------------------------------------------------------------ types


@strawberry.type
class FeeItem:
    key: str
    amount: Money
    default_amount: Money


def fee_items(schedule) -> list[FeeItem]:
    return [FeeItem(key=key, amount=Money.sar(schedule[key]),
                    default_amount=Money.sar(default))
            for key, default in fees.DEFAULT_SCHEDULE.items()]


@strawberry.type
class AdminRenewalQuestion:
    code: str
    text_ar: str
    text_en: str
    risk_answer: str | None = strawberry.field(description="YES or NO: the answer that "
                                                           "sends a renewal to a reviewer.")
    requires_document: str | None = strawberry.field(description="A document kind needed "
                                                                 "on a YES.")


def admin_questions(found) -> list[AdminRenewalQuestion]:
    return [AdminRenewalQuestion(code=q.code, text_ar=q.text_ar, text_en=q.text_en,
                                 risk_answer=q.risk_answer,
                                 requires_document=q.requires_document) for q in found]


@strawberry.type
class ReviewTarget:
    kind: str
    days: int


def targets(found: dict[str, int]) -> list[ReviewTarget]:
    return [ReviewTarget(kind=k, days=v) for k, v in found.items()]


@strawberry.type
class StaffAccount:
    id: strawberry.ID
    email: str
    first_name: str
    family_name: str
    roles: list[str]
    status: str
    created_at: dt.datetime

    @classmethod
    def of(cls, row: AccountModel) -> StaffAccount:
        return cls(id=strawberry.ID(str(row.id)), email=row.email, first_name=row.first_name,
                   family_name=row.family_name, roles=row.role_list, status=row.status,
                   created_at=row.created_at)


@strawberry.type
class AdminRegistration:
    number: str
    practitioner_name_ar: str
    practitioner_name_en: str
    valid_from: dt.date
    valid_until: dt.date
    suspended: bool
    suspended_reason: str | None

    @classmethod
    def of(cls, row: RegistrationModel) -> AdminRegistration:
        p = row.practitioner
        return cls(number=row.number,
                   practitioner_name_ar=f"{p.first_name_ar} {p.family_name_ar}",
                   practitioner_name_en=f"{p.first_name_en} {p.family_name_en}",
                   valid_from=row.valid_from, valid_until=row.valid_until,
                   suspended=row.suspended, suspended_reason=row.suspended_reason or None)


@strawberry.type
class DeadMessage:
    id: strawberry.ID
    channel: str
    recipient: str = strawberry.field(description="Masked: s***@example.com, or a mobile's "
                                                  "last 4 digits.")
    last_error: str
    attempts: int
    created_at: dt.datetime
    status: str

    @classmethod
    def of(cls, row: OutboxModel) -> DeadMessage:
        return cls(id=strawberry.ID(str(row.id)), channel=row.channel,
                   recipient=records.mask_recipient(row.channel, row.recipient),
                   last_error=(row.last_error or "")[:500], attempts=row.attempts,
                   created_at=row.created_at, status=row.status)


@strawberry.type
class PaymentCallback:
    event_id: str
    received_at: dt.datetime
    verified: bool
    outcome: str


@strawberry.type
class AdminPayment:
    id: strawberry.ID
    application_id: strawberry.ID
    provider: str
    method: str
    status: PaymentStatus
    amount: Money
    refunded_amount: Money
    refund_status: str | None
    refund_requested_at: dt.datetime | None
    created_at: dt.datetime
    paid_at: dt.datetime | None
    callbacks: list[PaymentCallback]
    refund_reason: str | None = None
    application_kind: str | None = strawberry.field(
        default=None, description="Set where the list loaded the application (payments, "
                                  "refund requests).")
    application_status: str | None = None
    applicant_name: str | None = None
    applicant_email: str | None = None

    @classmethod
    def of(cls, row: PaymentModel, events=()) -> AdminPayment:
        application = row.__dict__.get("_application")  # only when the query joined it
        applicant = application.__dict__.get("_applicant") if application else None
        return cls(id=strawberry.ID(str(row.id)),
                   refund_reason=row.refund_reason or None,
                   application_kind=application.kind if application else None,
                   application_status=application.status if application else None,
                   applicant_name=f"{applicant.first_name} {applicant.family_name}".strip()
                   if applicant else None,
                   applicant_email=applicant.email if applicant else None,
                   application_id=strawberry.ID(str(row.application_id)),
                   provider=row.provider, method=row.method, status=PaymentStatus(row.status),
                   amount=Money.sar(Decimal(row.amount)),
                   refunded_amount=Money.sar(Decimal(row.refunded_amount or 0)),
                   refund_status=row.refund_status or None,
                   refund_requested_at=row.refund_requested_at, created_at=row.created_at,
                   paid_at=row.paid_at, callbacks=[
                       PaymentCallback(event_id=e.event_id, received_at=e.received_at,
                                       verified=e.verified, outcome=e.outcome)
                       for e in events])


@strawberry.type
class AuditDetail:
    key: str
    value: str


@strawberry.type
class AuditLogEntry:
    id: strawberry.ID
    at: dt.datetime
    actor_id: strawberry.ID | None
    actor_email: str | None
    action: str
    target_type: str
    target_id: str
    ip: str
    details: str = strawberry.field(description="The entry's details as JSON text.")
    actor_name: str | None = None
    detail_items: list[AuditDetail] = strawberry.field(
        default_factory=list, description="The details one by one, values as text.")

    @classmethod
    def of(cls, row: AuditModel, actors: dict) -> AuditLogEntry:
        actor = actors.get(row.actor_id) or {}
        details = row.details if isinstance(row.details, dict) else {}
        return cls(id=strawberry.ID(str(row.id)), at=row.at,
                   actor_id=strawberry.ID(str(row.actor_id)) if row.actor_id else None,
                   actor_email=actor.get("email"), actor_name=actor.get("name") or None,
                   action=row.action, target_type=row.target_type, target_id=row.target_id,
                   ip=row.ip, details=json.dumps(row.details, ensure_ascii=False,
                                                 sort_keys=True),
                   detail_items=[AuditDetail(key=k, value=_detail_text(v))
                                 for k, v in sorted(details.items())])


def _detail_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_detail_text(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------ inputs and payloads

@strawberry.input
class FeeAmountInput:
    key: str
    amount: str = strawberry.field(description="SAR as a decimal string, like \"250.00\".")


@strawberry.input
class UpdateFeeScheduleInput:
    items: list[FeeAmountInput] | None = None


@strawberry.type
class FeeSchedulePayload:
    errors: list[UserError]
    items: list[FeeItem] | None = None


@strawberry.input
class RenewalQuestionInput:
    code: str | None = None
    text_ar: str | None = None
    text_en: str | None = None
    risk_answer: str | None = None
    requires_document: str | None = None


@strawberry.input
class UpdateRenewalQuestionsInput:
    questions: list[RenewalQuestionInput] | None = None


@strawberry.type
class RenewalQuestionsPayload:
    errors: list[UserError]
    questions: list[AdminRenewalQuestion] | None = None


@strawberry.input
class ReviewTargetInput:
    kind: str
    days: int


@strawberry.input
class UpdateReviewTargetsInput:
    items: list[ReviewTargetInput] | None = None


@strawberry.type
class ReviewTargetsPayload:
    errors: list[UserError]
    targets: list[ReviewTarget] | None = None


@strawberry.type(description="How renewals are decided.")
class RenewalPolicy:
    auto_approve: bool = strawberry.field(description=(
        "A renewal that meets every rule, with no answer that needs a reviewer, is approved "
        "the moment it is paid. Off: every renewal goes to a reviewer."))


@strawberry.input
class UpdateRenewalPolicyInput:
    auto_approve: bool | None = None


@strawberry.type
class RenewalPolicyPayload:
    errors: list[UserError]
    policy: RenewalPolicy | None = None


@strawberry.input
class CreateStaffAccountInput:
    email: str | None = None
    role: str | None = strawberry.field(default=None, description="reviewer, supervisor or "
                                                                  "admin")
    password: str | None = strawberry.field(default=None, description=(
        "Deprecated: leave it out and the server makes one (temporaryPassword). Either way "
        "the person must change it at first sign-in."))
    first_name: str | None = None
    family_name: str | None = None


@strawberry.input
class StaffAccountIdInput:
    account_id: strawberry.ID | None = None


@strawberry.type
class StaffAccountPayload:
    errors: list[UserError]
    account: StaffAccount | None = None
    otpauth_uri: str | None = strawberry.field(default=None, description=(
        "Shown once: the authenticator app's enrolment URI."))
    otpauth_qr_svg: str | None = strawberry.field(default=None, description=(
        "Shown once: the same URI as an inline SVG QR code, to scan."))
    temporary_password: str | None = strawberry.field(default=None, description=(
        "Shown once, when the server made the password (none was given): the person "
        "must change it at first sign-in."))


@strawberry.input
class RegistrationStatusInput:
    registration_number: str | None = None
    reason: str | None = None


@strawberry.type
class AdminRegistrationPayload:
    errors: list[UserError]
    registration: AdminRegistration | None = None
    approval_request: Annotated[ApprovalRequest, strawberry.lazy(
        "server.schema.admin.approvals")] | None = strawberry.field(default=None, description=(
        "Four eyes: a suspension's confirmation, or the reinstatement waiting for a second "
        "admin."))


@strawberry.input
class ExtendRegistrationsInput:
    expiring_from: dt.date | None = None
    expiring_to: dt.date | None = None
    months: int | None = None


@strawberry.type
class ExtendRegistrationsPayload:
    errors: list[UserError]
    extended: int | None = strawberry.field(default=None, description=(
        "Always null now: the extension waits for a second admin (approvalRequest)."))
    approval_request: Annotated[ApprovalRequest, strawberry.lazy(
        "server.schema.admin.approvals")] | None = None


@strawberry.input
class RetryOutboxMessageInput:
    id: strawberry.ID | None = None


@strawberry.type
class OutboxMessagePayload:
    errors: list[UserError]
    message: DeadMessage | None = None


@strawberry.input
class DecideRefundInput:
    payment_id: strawberry.ID | None = None
    approve: bool = False
    reason: str | None = None


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    reason: str = strawberry.field(description="Why it is refunded (kept in the audit log).")


@strawberry.type
class AdminPaymentPayload:
    errors: list[UserError]
    payment: AdminPayment | None = None
    approval_request: Annotated[ApprovalRequest, strawberry.lazy(
        "server.schema.admin.approvals")] | None = strawberry.field(default=None, description=(
        "Set when the refund is above the four-eyes amount: it waits for a second admin."))
