"""The admin console over GraphQL (ADMIN role only; anyone else gets a FORBIDDEN top-level
error): fee schedule, renewal questions, review targets, staff accounts, suspending and
reinstating registrations, extending registrations in bulk, dead outbox messages, payments
and refunds, and the audit log."""

from __future__ import annotations

import datetime as dt

import segno
import strawberry
from strawberry import Info

from server.resolvers.admin import audit_log as admin_audit
from server.resolvers.admin import console as admin
from server.resolvers.admin import records
from server.resolvers.kernel import settings
from server.resolvers.kernel.ids import as_uuid
from server.schema.admin.approvals import ApprovalRequest
from server.schema.admin.types import (
    AdminPayment,
    AdminPaymentPayload,
    AdminRegistration,
    AdminRegistrationPayload,
    AdminRenewalQuestion,
    AuditLogEntry,
    CreateStaffAccountInput,
    DeadMessage,
    DecideRefundInput,
    ExtendRegistrationsInput,
    ExtendRegistrationsPayload,
    FeeItem,
    FeeSchedulePayload,
    OutboxMessagePayload,
    RefundPaymentInput,
    RegistrationStatusInput,
    RenewalPolicy,
    RenewalPolicyPayload,
    RenewalQuestionsPayload,
    RetryOutboxMessageInput,
    ReviewTarget,
    ReviewTargetsPayload,
    StaffAccount,
    StaffAccountIdInput,
    StaffAccountPayload,
    UpdateFeeScheduleInput,
    UpdateRenewalPolicyInput,
    UpdateRenewalQuestionsInput,
    UpdateReviewTargetsInput,
    admin_questions,
    fee_items,
    targets,
)
from server.schema.base import (
    Connection,
    Edge,
    PageInfo,
    decode_cursor,
    encode_cursor,
    mutation_payload,
    page_size,
)
from server.schema.payments import PaymentStatus


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#0b2e2b")


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

    @strawberry.field(description="How renewals are decided (admins).")
    async def renewal_policy(self, info: Info) -> RenewalPolicy:
        admin.require_admin(info.context)
        return RenewalPolicy(auto_approve=await settings.auto_approve_renewals())

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
        rows = await records.dead_messages(info.context, page_size(first, 100))
        return [DeadMessage.of(r) for r in rows]

    @strawberry.field(description="Payments newest first, with their gateway callbacks "
                                  "(admins).")
    async def admin_payments(self, info: Info, first: int | None = None,
                             after: str | None = None, status: PaymentStatus | None = None,
                             ) -> Connection[AdminPayment]:
        size = page_size(first)
        cursor = decode_cursor(after, 1)
        rows, events, more = await records.payments(
            info.context, size, _cursor_id(cursor),
            status.value if status else None)
        edges = [Edge(node=AdminPayment.of(r, events.get(r.id, ())),
                      cursor=encode_cursor(r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="One payment with its application, applicant and gateway "
                                  "callbacks (admins); null when there is none.")
    async def admin_payment(self, info: Info, id: strawberry.ID) -> AdminPayment | None:
        row, events = await records.payment_by_id(info.context, id)
        return AdminPayment.of(row, events.get(row.id, ())) if row else None

    @strawberry.field(description="Refunds asked for and not yet decided, oldest first "
                                  "(admins).")
    async def refund_requests(self, info: Info) -> list[AdminPayment]:
        rows, events = await records.refund_requests(info.context)
        return [AdminPayment.of(r, events.get(r.id, ())) for r in rows]

    @strawberry.field(description="The audit log, newest first (admins). Dates are days in "
                                  "the Kingdom (UTC+3), both included; `actorId` takes an "
                                  "account id or an email address.")
    async def audit_log(self, info: Info, first: int | None = None, after: str | None = None,
                        action_prefix: str | None = None, actor_id: str | None = None,
                        target_id: str | None = None, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> Connection[AuditLogEntry]:
        admin.require_admin(info.context)
        size = page_size(first)
        cursor = decode_cursor(after, 1)
        if cursor and not cursor[0].isdigit():
            cursor = None  # not one of ours: the first page
        rows, emails, more = await admin_audit.audit_log(
            info.context, size, int(cursor[0]) if cursor else None, action_prefix or "",
            actor_id or "", target_id or "", date_from, date_to)
        edges = [Edge(node=AuditLogEntry.of(r, emails), cursor=encode_cursor(r.id))
                 for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


def _cursor_id(cursor: tuple | None) -> str | None:
    found = as_uuid(cursor[0]) if cursor else None
    return str(found) if found else None


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

    @strawberry.mutation(description="Turns approval at payment of renewals that meet "
                                      "every rule on or off (admins; audited).")
    async def update_renewal_policy(self, info: Info,
                                    input: UpdateRenewalPolicyInput) -> RenewalPolicyPayload:
        async def run():
            found = await settings.update_renewal_policy(info.context, input.auto_approve)
            return {"policy": RenewalPolicy(auto_approve=found)}
        return await mutation_payload(info, RenewalPolicyPayload, run)

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
            account, uri, made = await admin.create_staff(
                info.context, input.email or "", input.role or "", input.password or "",
                input.first_name or "", input.family_name or "")
            return {"account": StaffAccount.of(account), "otpauth_uri": uri,
                    "otpauth_qr_svg": qr_svg(uri), "temporary_password": made}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Disables a staff account and ends its sessions "
                                     "(admins).")
    async def disable_staff_account(self, info: Info,
                                    input: StaffAccountIdInput) -> StaffAccountPayload:
        async def run():
            account = await admin.disable_staff(info.context, input.account_id)
            return {"account": StaffAccount.of(account)}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Lets a disabled staff account sign in again "
                                     "(admins).")
    async def enable_staff_account(self, info: Info,
                                   input: StaffAccountIdInput) -> StaffAccountPayload:
        async def run():
            account = await admin.enable_staff(info.context, input.account_id)
            return {"account": StaffAccount.of(account)}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Gives a staff account a new authenticator secret "
                                     "(URI returned once) and ends its sessions (admins).")
    async def reset_staff_authenticator(self, info: Info,
                                        input: StaffAccountIdInput) -> StaffAccountPayload:
        async def run():
            account, uri = await admin.reset_authenticator(info.context, input.account_id)
            return {"account": StaffAccount.of(account), "otpauth_uri": uri,
                    "otpauth_qr_svg": qr_svg(uri)}
        return await mutation_payload(info, StaffAccountPayload, run)

    @strawberry.mutation(description="Suspends a registration; the public register shows "
                                     "it SUSPENDED (admins).")
    async def suspend_registration(self, info: Info, input: RegistrationStatusInput
                                   ) -> AdminRegistrationPayload:
        async def run():
            row, request = await admin.set_suspended(
                info.context, input.registration_number or "", input.reason or "", True)
            return {"registration": AdminRegistration.of(row),
                    "approval_request": ApprovalRequest.of(request)}
        return await mutation_payload(info, AdminRegistrationPayload, run)

    @strawberry.mutation(description="Asks a second admin to lift a suspension: the "
                                     "registration stays suspended until approved (admins).")
    async def reinstate_registration(self, info: Info, input: RegistrationStatusInput
                                     ) -> AdminRegistrationPayload:
        async def run():
            row, request = await admin.set_suspended(
                info.context, input.registration_number or "", input.reason or "", False)
            return {"registration": AdminRegistration.of(row),
                    "approval_request": ApprovalRequest.of(request)}
        return await mutation_payload(info, AdminRegistrationPayload, run)

    @strawberry.mutation(description="Asks a second admin to extend every registration "
                                     "expiring in a window by 1 to 24 months (four eyes); "
                                     "`extended` stays null until approved (admins).")
    async def extend_registrations(self, info: Info, input: ExtendRegistrationsInput
                                   ) -> ExtendRegistrationsPayload:
        async def run():
            request = await admin.extend_registrations(
                info.context, input.expiring_from, input.expiring_to, input.months)
            await request.fetch_related("requested_by")
            return {"approval_request": ApprovalRequest.of(request)}
        return await mutation_payload(info, ExtendRegistrationsPayload, run)

    @strawberry.mutation(description="Queues a dead outbox message again (admins).")
    async def retry_outbox_message(self, info: Info,
                                   input: RetryOutboxMessageInput) -> OutboxMessagePayload:
        async def run():
            row = await records.retry_message(info.context, input.id)
            return {"message": DeadMessage.of(row)}
        return await mutation_payload(info, OutboxMessagePayload, run)

    @strawberry.mutation(description="Approves (the gateway refunds) or declines a refund "
                                     "request (admins).")
    async def decide_refund(self, info: Info, input: DecideRefundInput) -> AdminPaymentPayload:
        async def run():
            row, request = await records.decide_refund(info.context, input.payment_id,
                                                       bool(input.approve), input.reason or "")
            events = await records.events_of([row])
            return {"payment": AdminPayment.of(row, events.get(row.id, ())),
                    "approval_request": ApprovalRequest.of(request) if request else None}
        return await mutation_payload(info, AdminPaymentPayload, run)

    @strawberry.mutation(description="Refunds a paid payment nobody asked about (a duplicate, "
                                     "a gateway error), with the reason (admins). Audited. "
                                     "More than the four-eyes amount waits for a second "
                                     "admin (approvalRequest).")
    async def refund_payment(self, info: Info, input: RefundPaymentInput) -> AdminPaymentPayload:
        async def run():
            row, request = await records.refund_payment(info.context, input.payment_id,
                                                        input.reason)
            events = await records.events_of([row])
            return {"payment": AdminPayment.of(row, events.get(row.id, ())),
                    "approval_request": ApprovalRequest.of(request) if request else None}
        return await mutation_payload(info, AdminPaymentPayload, run)
