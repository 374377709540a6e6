"""The admin console over GraphQL (ADMIN role only; anyone else gets a FORBIDDEN top-level
error): fee schedule, renewal questions, review targets, staff accounts, suspending and
reinstating registrations, extending registrations in bulk, dead outbox messages, payments
and refunds, and the audit log."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import strawberry
from strawberry import Info

from server.domain import fees
from server.models.accounts import Account as AccountModel
from server.models.audit import AuditEntry as AuditModel
from server.models.outbox import OutboxMessage as OutboxModel
from server.models.payments import Payment as PaymentModel
from server.models.practitioners import Registration as RegistrationModel
from server.resolvers import admin, admin_audit, admin_money, settings
from server.schema.base import (
    Connection,
    Edge,
    Money,
    PageInfo,
    UserError,
    decode_cursor,
    encode_cursor,
    mutation_payload,
    page_size,
)
from server.schema.renewals import PaymentStatus

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
                   recipient=admin_money.mask_recipient(row.channel, row.recipient),
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

    @classmethod
    def of(cls, row: PaymentModel, events=()) -> AdminPayment:
        return cls(id=strawberry.ID(str(row.id)),
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

    @classmethod
    def of(cls, row: AuditModel, emails: dict) -> AuditLogEntry:
        return cls(id=strawberry.ID(str(row.id)), at=row.at,
                   actor_id=strawberry.ID(str(row.actor_id)) if row.actor_id else None,
                   actor_email=emails.get(row.actor_id), action=row.action,
                   target_type=row.target_type, target_id=row.target_id, ip=row.ip,
                   details=json.dumps(row.details, ensure_ascii=False, sort_keys=True))


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


@strawberry.input
class CreateStaffAccountInput:
    email: str | None = None
    role: str | None = strawberry.field(default=None, description="reviewer or admin")
    password: str | None = strawberry.field(default=None, description="A temporary "
                                                                      "password.")
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


@strawberry.input
class RegistrationStatusInput:
    registration_number: str | None = None
    reason: str | None = None


@strawberry.type
class AdminRegistrationPayload:
    errors: list[UserError]
    registration: AdminRegistration | None = None


@strawberry.input
class ExtendRegistrationsInput:
    expiring_from: dt.date | None = None
    expiring_to: dt.date | None = None
    months: int | None = None


@strawberry.type
class ExtendRegistrationsPayload:
    errors: list[UserError]
    extended: int | None = None


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


@strawberry.type
class AdminPaymentPayload:
    errors: list[UserError]
    payment: AdminPayment | None = None


# ------------------------------------------------------------------ root fields

@strawberry.type
class Query:
    @strawberry.field(description="The fee schedule in force, item by item (admins).")
    async def fee_schedule(self, info: Info) -> list[FeeItem]:
        admin.require_admin(info.context)
        return fee_items(await settings.fee_schedule())

    @strawberry.field(description="The renewal eligibility questions in force (admins).")
    async def renewal_question_set(self, info: Info) -> list[AdminRenewalQuestion]:
        admin.require_admin(info.context)
        return admin_questions(await settings.renewal_questions())

    @strawberry.field(description="Days within which each kind of application should be "
                                  "decided (admins).")
    async def review_targets(self, info: Info) -> list[ReviewTarget]:
        admin.require_admin(info.context)
        return targets(await settings.review_targets())

    @strawberry.field(description="Reviewers and admins (admins).")
    async def staff_accounts(self, info: Info) -> list[StaffAccount]:
        return [StaffAccount.of(a) for a in await admin.list_staff(info.context)]

    @strawberry.field(description="A registration by number, for suspension (admins).")
    async def admin_registration(self, info: Info,
                                 registration_number: str) -> AdminRegistration | None:
        row = await admin.registration_by_number(info.context, registration_number)
        return AdminRegistration.of(row) if row else None

    @strawberry.field(description="Messages the outbox gave up on, newest first (admins).")
    async def dead_outbox_messages(self, info: Info,
                                   first: int | None = None) -> list[DeadMessage]:
        rows = await admin_money.dead_messages(info.context, page_size(first, 100))
        return [DeadMessage.of(r) for r in rows]

    @strawberry.field(description="Payments newest first, with their gateway callbacks "
                                  "(admins).")
    async def admin_payments(self, info: Info, first: int | None = None,
                             after: str | None = None, status: PaymentStatus | None = None,
                             ) -> Connection[AdminPayment]:
        size = page_size(first)
        cursor = decode_cursor(after, 1)
        rows, events, more = await admin_money.payments(
            info.context, size, _uuid_or_none(cursor[0]) if cursor else None,
            status.value if status else None)
        edges = [Edge(node=AdminPayment.of(r, events.get(r.id, ())),
                      cursor=encode_cursor(r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Refunds asked for and not yet decided, oldest first "
                                  "(admins).")
    async def refund_requests(self, info: Info) -> list[AdminPayment]:
        rows, events = await admin_money.refund_requests(info.context)
        return [AdminPayment.of(r, events.get(r.id, ())) for r in rows]

    @strawberry.field(description="The audit log, newest first (admins). Dates are UTC "
                                  "days, both included.")
    async def audit_log(self, info: Info, first: int | None = None, after: str | None = None,
                        action_prefix: str | None = None, actor_id: str | None = None,
                        target_id: str | None = None, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> Connection[AuditLogEntry]:
        from server.domain.errors import DomainError

        admin.require_admin(info.context)
        size = page_size(first)
        cursor = decode_cursor(after, 1)
        if cursor and not cursor[0].isdigit():
            raise DomainError("INVALID", "after")
        rows, emails, more = await admin_audit.audit_log(
            info.context, size, int(cursor[0]) if cursor else None, action_prefix or "",
            actor_id or "", target_id or "", date_from, date_to)
        edges = [Edge(node=AuditLogEntry.of(r, emails), cursor=encode_cursor(r.id))
                 for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


def _uuid_or_none(value: str):
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Changes amounts of the fee schedule (admins); applies "
                                     "to applications submitted from now on.")
    async def update_fee_schedule(self, info: Info,
                                  input: UpdateFeeScheduleInput) -> FeeSchedulePayload:
        async def run():
            schedule = await settings.update_fee_schedule(info.context, [
                {"key": i.key, "amount": i.amount} for i in input.items or []])
            return {"items": fee_items(schedule)}
        return await mutation_payload(info, FeeSchedulePayload, run)

    @strawberry.mutation(description="Replaces the renewal eligibility questions (admins).")
    async def update_renewal_questions(self, info: Info, input: UpdateRenewalQuestionsInput
                                       ) -> RenewalQuestionsPayload:
        async def run():
            found = await settings.update_renewal_questions(info.context, [
                {"code": q.code, "textAr": q.text_ar, "textEn": q.text_en,
                 "riskAnswer": q.risk_answer, "requiresDocument": q.requires_document}
                for q in input.questions or []])
            return {"questions": admin_questions(found)}
        return await mutation_payload(info, RenewalQuestionsPayload, run)

    @strawberry.mutation(description="Sets review time targets, in days, per kind (admins).")
    async def update_review_targets(self, info: Info,
                                    input: UpdateReviewTargetsInput) -> ReviewTargetsPayload:
        async def run():
            found = await settings.update_review_targets(info.context, [
                {"kind": i.kind, "days": i.days} for i in input.items or []])
            return {"targets": targets(found)}
        return await mutation_payload(info, ReviewTargetsPayload, run)

    @strawberry.mutation(description="Creates a reviewer or admin; returns the "
                                     "authenticator URI once (admins).")
    async def create_staff_account(self, info: Info,
                                   input: CreateStaffAccountInput) -> StaffAccountPayload:
        async def run():
            account, uri = await admin.create_staff(
                info.context, input.email or "", input.role or "", input.password or "",
                input.first_name or "", input.family_name or "")
            return {"account": StaffAccount.of(account), "otpauth_uri": uri}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Disables a staff account and ends its sessions "
                                     "(admins).")
    async def disable_staff_account(self, info: Info,
                                    input: StaffAccountIdInput) -> StaffAccountPayload:
        async def run():
            account = await admin.disable_staff(info.context, input.account_id)
            return {"account": StaffAccount.of(account)}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Gives a staff account a new authenticator secret "
                                     "(URI returned once) and ends its sessions (admins).")
    async def reset_staff_authenticator(self, info: Info,
                                        input: StaffAccountIdInput) -> StaffAccountPayload:
        async def run():
            account, uri = await admin.reset_authenticator(info.context, input.account_id)
            return {"account": StaffAccount.of(account), "otpauth_uri": uri}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Suspends a registration; the public register shows "
                                     "it SUSPENDED (admins).")
    async def suspend_registration(self, info: Info, input: RegistrationStatusInput
                                   ) -> AdminRegistrationPayload:
        async def run():
            row = await admin.set_suspended(info.context, input.registration_number or "",
                                            input.reason or "", True)
            return {"registration": AdminRegistration.of(row)}
        return await mutation_payload(info, AdminRegistrationPayload, run)

    @strawberry.mutation(description="Lifts a suspension (admins).")
    async def reinstate_registration(self, info: Info, input: RegistrationStatusInput
                                     ) -> AdminRegistrationPayload:
        async def run():
            row = await admin.set_suspended(info.context, input.registration_number or "",
                                            input.reason or "", False)
            return {"registration": AdminRegistration.of(row)}
        return await mutation_payload(info, AdminRegistrationPayload, run)

    @strawberry.mutation(description="Extends every registration expiring in a window by "
                                     "1 to 24 months; returns how many (admins).")
    async def extend_registrations(self, info: Info, input: ExtendRegistrationsInput
                                   ) -> ExtendRegistrationsPayload:
        async def run():
            count = await admin.extend_registrations(
                info.context, input.expiring_from, input.expiring_to, input.months)
            return {"extended": count}
        return await mutation_payload(info, ExtendRegistrationsPayload, run)

    @strawberry.mutation(description="Queues a dead outbox message again (admins).")
    async def retry_outbox_message(self, info: Info,
                                   input: RetryOutboxMessageInput) -> OutboxMessagePayload:
        async def run():
            row = await admin_money.retry_message(info.context, input.id)
            return {"message": DeadMessage.of(row)}
        return await mutation_payload(info, OutboxMessagePayload, run)

    @strawberry.mutation(description="Approves (the gateway refunds) or declines a refund "
                                     "request (admins).")
    async def decide_refund(self, info: Info, input: DecideRefundInput) -> AdminPaymentPayload:
        async def run():
            row = await admin_money.decide_refund(info.context, input.payment_id,
                                                  bool(input.approve), input.reason or "")
            events = await admin_money.events_of([row])
            return {"payment": AdminPayment.of(row, events.get(row.id, ()))}
        return await mutation_payload(info, AdminPaymentPayload, run)
