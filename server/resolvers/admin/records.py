"""Admin: messages the outbox gave up on (dead), payments with their gateway callbacks, and
refund requests."""

from __future__ import annotations

from decimal import Decimal

from tortoise.transactions import in_transaction

from server import clock
from server.domain import fees
from server.domain.errors import DomainError
from server.i18n import N_
from server.integrations.payments import CallbackRejected, GatewayError, gateway_for
from server.models.accounts import Account
from server.models.applications import Application
from server.models.outbox import OutboxMessage
from server.models.payments import Payment, PaymentEvent
from server.resolvers.admin import approvals
from server.resolvers.admin.console import parse_uuid, require_admin
from server.resolvers.kernel import audit, notify
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

PAYMENT_STATUSES = ("INITIATED", "PAID", "FAILED", "EXPIRED", "REFUNDED")


def mask_recipient(channel: str, recipient: str) -> str:
    """s***@example.com for an email, the last 4 digits of a mobile, the host of a URL."""
    recipient = recipient or ""
    if channel == "email":
        local, at, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}" if at else "***"
    if channel == "sms":
        return "•••" + recipient[-4:]
    if channel == "webhook":
        from urllib.parse import urlsplit

        return urlsplit(recipient).hostname or "***"
    return "***"


# ------------------------------------------------------------------ outbox

async def dead_messages(ctx: Caller, first: int = 100) -> list[OutboxMessage]:
    require_admin(ctx)
    return await OutboxMessage.filter(status="DEAD").order_by("-id").limit(first)


async def retry_message(ctx: Caller, message_id) -> OutboxMessage:
    admin = require_admin(ctx)
    try:
        key = int(str(message_id))
    except ValueError:
        raise DomainError("NOT_FOUND", "id") from None
    async with in_transaction():
        changed = await OutboxMessage.filter(id=key, status="DEAD").update(
            status="PENDING", attempts=0, next_attempt_at=clock.now(),
            locked_until=None)
        if changed != 1:
            if await OutboxMessage.exists(id=key):
                raise DomainError("INVALID_STATE", "id", N_(
                    "Only a message that failed for good can be retried."))
            raise DomainError("NOT_FOUND", "id")
        await audit.record("admin.outbox_retried", actor=admin, target_type="outbox_message",
                           target_id=key, ip=ctx.ip)
    return await OutboxMessage.get(id=key)


# ------------------------------------------------------------------ payments

async def payments(ctx: Caller, first: int, after_id: str | None = None,
                   status: str | None = None) -> tuple[list[Payment], dict, bool]:
    """Newest first (keyset on created_at, id); with each payment's callbacks, one query."""
    require_admin(ctx)
    query = Payment.all()
    if status:
        if status not in PAYMENT_STATUSES:
            raise DomainError("INVALID", "status")
        query = query.filter(status=status)
    if after_id:
        anchor = await Payment.get_or_none(id=after_id)
        if anchor is not None:
            from tortoise.expressions import Q

            query = query.filter(Q(created_at__lt=anchor.created_at) | Q(
                created_at=anchor.created_at, id__lt=anchor.id))
    rows = await query.order_by("-created_at", "-id").limit(first + 1).select_related(
        "application__applicant")
    more = len(rows) > first
    rows = rows[:first]
    return rows, await events_of(rows), more


async def events_of(rows: list[Payment]) -> dict:
    found: dict = {row.id: [] for row in rows}
    if rows:
        for event in await PaymentEvent.filter(payment_id__in=list(found)).order_by(
                "received_at", "id"):
            found[event.payment_id].append(event)
    return found


async def refund_requests(ctx: Caller) -> tuple[list[Payment], dict]:
    require_admin(ctx)
    rows = await Payment.filter(refund_status="REQUESTED").order_by(
        "refund_requested_at", "id").limit(200).select_related("application__applicant")
    return rows, await events_of(rows)


async def decide_refund(ctx: Caller, payment_id, approve: bool, reason: str,
                        approved: bool = False):
    """Approve: the gateway refunds first; only then the payment is REFUNDED (a gateway
    error changes nothing). Decline: a reason is required. The applicant is told either
    way. Approving more than the four-eyes amount asks a second admin instead (unless
    `approved`): returns (payment, the approval request or None)."""
    admin = require_admin(ctx)
    reason = " ".join(str(reason or "").split())
    if not approve and not reason:
        raise DomainError("REQUIRED", "reason", N_("Give the reason: the applicant sees it."))
    if len(reason) > 500:
        raise DomainError("INVALID", "reason", N_("At most 500 characters."))
    payment = await Payment.get_or_none(id=parse_uuid(payment_id, "paymentId"))
    if payment is None:
        raise DomainError("NOT_FOUND", "paymentId")
    if payment.refund_status != "REQUESTED":
        raise DomainError("INVALID_STATE", "paymentId", N_("No refund is waiting on this "
                                                           "payment."))
    if approve and not approved:
        request = await _ask_second_admin(ctx, payment, reason)
        if request is not None:
            return payment, request
    if approve:
        # Claimed first, so two admins approving at once cannot refund twice.
        claimed = await Payment.filter(id=payment.id, refund_status="REQUESTED").update(
            refund_status="PROCESSING")
        if claimed != 1:
            raise DomainError("INVALID_STATE", "paymentId", N_(
                "This refund was decided meanwhile."))
        amount = Decimal(payment.amount) - Decimal(payment.refunded_amount or 0)
        try:
            await gateway_for(ctx.settings, payment.provider).refund(
                payment.provider_payment_id or "", fees.to_halalas(amount))
        except (GatewayError, CallbackRejected, ValueError):
            await Payment.filter(id=payment.id, refund_status="PROCESSING").update(
                refund_status="REQUESTED")
            raise DomainError("PAYMENT_FAILED", None, N_(
                "The payment gateway did not refund it. Nothing changed: try again later."
            )) from None
        outcome, values = "REFUNDED", {"status": "REFUNDED", "refund_status": "REFUNDED",
                                       "refunded_amount": payment.amount,
                                       "refunded_at": clock.now(), "refund_reason": reason}
        expected = "PROCESSING"
    else:
        outcome, values, expected = "DECLINED", {"refund_status": "DECLINED"}, "REQUESTED"
    values.update(refund_decided_at=clock.now(), refund_reason=reason)
    async with in_transaction():
        changed = await Payment.filter(id=payment.id, refund_status=expected).update(**values)
        if changed != 1:
            raise DomainError("INVALID_STATE", "paymentId", N_(
                "This refund was decided meanwhile."))
        await audit.record(f"admin.refund_{outcome.lower()}", actor=admin, target_type="payment",
                           target_id=payment.id, ip=ctx.ip, reason=reason,
                           amount=fees.amount_string(Decimal(payment.amount)))
        application = await Application.get(id=payment.application_id)
        applicant = await Account.get_or_none(id=application.applicant_id)
        if applicant is not None:
            await notify.email(ctx.settings, applicant.email, applicant.language,
                               "refund_decided", dedupe_key=f"refund:{payment.id}",
                               name=applicant.first_name, outcome=outcome, reason=reason,
                               amount=fees.amount_string(Decimal(payment.amount)),
                               application_id=str(application.id))
    return await Payment.get(id=payment.id), None


async def _ask_second_admin(ctx: Caller, payment: Payment, reason: str):
    """Four eyes above the admin's amount (approvals.py); None when one admin suffices."""
    amount = Decimal(payment.amount) - Decimal(payment.refunded_amount or 0)
    if amount <= await approvals.refund_limit():
        return None
    if await approvals.pending_for(approvals.REFUND, str(payment.id)):
        raise DomainError("INVALID_STATE", "paymentId", N_(
            "This refund is already waiting for a second admin."))
    async with in_transaction():
        return await approvals.ask(ctx, approvals.REFUND, {
            "payment_id": str(payment.id), "amount": fees.amount_string(amount),
            "reason": reason}, f"{fees.amount_string(amount)} SAR", target=str(payment.id))


async def payment_by_id(ctx: Caller, payment_id) -> tuple[Payment | None, dict]:
    require_admin(ctx)
    found = as_uuid(payment_id)
    row = await Payment.get_or_none(id=found).select_related("application__applicant") \
        if found else None
    return row, await events_of([row] if row else [])


async def refund_payment(ctx: Caller, payment_id, reason: str, approved: bool = False):
    """An admin refunds a paid payment nobody asked about (paid twice, a gateway error), with
    the reason: claimed first (two admins cannot refund it twice), the gateway refunds, then
    the payment is REFUNDED. A gateway error changes nothing. Audited with the reason.
    More than the four-eyes amount asks a second admin instead (unless `approved`, when the
    second admin approves it): returns (payment, the approval request or None)."""
    admin = require_admin(ctx)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError("REQUIRED", "reason", N_(
            "Say why this payment is refunded: it is kept in the audit log."))
    if len(reason) > 500:
        raise DomainError("INVALID", "reason", N_("At most 500 characters."))
    payment = await Payment.get_or_none(id=parse_uuid(payment_id, "paymentId"))
    if payment is None:
        raise DomainError("NOT_FOUND", "paymentId")
    if payment.status != "PAID" or payment.refund_status not in ("", "DECLINED"):
        raise DomainError("INVALID_STATE", "paymentId", N_(
            "Only a paid payment with no refund under way can be refunded."))
    if not approved:
        request = await _ask_second_admin_to_refund(ctx, payment, reason)
        if request is not None:
            return payment, request
    claimed = await Payment.filter(id=payment.id, status="PAID",
                                   refund_status=payment.refund_status).update(
        refund_status="PROCESSING")
    if claimed != 1:
        raise DomainError("INVALID_STATE", "paymentId", N_(
            "This payment changed meanwhile: reload the page."))
    amount = Decimal(payment.amount) - Decimal(payment.refunded_amount or 0)
    try:
        await gateway_for(ctx.settings, payment.provider).refund(
            payment.provider_payment_id or "", fees.to_halalas(amount))
    except (GatewayError, CallbackRejected, ValueError):
        await Payment.filter(id=payment.id, refund_status="PROCESSING").update(
            refund_status=payment.refund_status)
        raise DomainError("PAYMENT_FAILED", None, N_(
            "The payment gateway did not refund it. Nothing changed: try again later."
        )) from None
    async with in_transaction():
        await Payment.filter(id=payment.id, refund_status="PROCESSING").update(
            status="REFUNDED", refund_status="REFUNDED", refunded_amount=payment.amount,
            refunded_at=clock.now(), refund_reason=reason)
        await audit.record("admin.payment_refunded", actor=admin, target_type="payment",
                           target_id=payment.id, ip=ctx.ip, reason=reason,
                           amount=fees.amount_string(Decimal(payment.amount)),
                           application=str(payment.application_id))
    return await Payment.get(id=payment.id), None


async def _ask_second_admin_to_refund(ctx: Caller, payment: Payment, reason: str):
    """refundPayment above the four-eyes amount; None when one admin suffices."""
    amount = Decimal(payment.amount) - Decimal(payment.refunded_amount or 0)
    if amount <= await approvals.refund_limit():
        return None
    if await approvals.pending_for(approvals.REFUND_PAYMENT, str(payment.id)):
        raise DomainError("INVALID_STATE", "paymentId", N_(
            "This refund is already waiting for a second admin."))
    application = await Application.get_or_none(id=payment.application_id)
    reference = application.reference if application is not None else ""
    async with in_transaction():
        return await approvals.ask(ctx, approvals.REFUND_PAYMENT, {
            "payment_id": str(payment.id), "amount": fees.amount_string(amount),
            "reason": reason, "reference": reference or ""},
            f"{fees.amount_string(amount)} SAR · {reference or payment.id}",
            target=str(payment.id))
