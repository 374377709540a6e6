"""Paying an application's fee. A payment is confirmed only by the gateway (a verified
callback, re-checked) and moves its application exactly once: the callback's event id is
unique, the payment's status changes by a conditional update, and the application changes
in the same transaction."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import clock
from server.config import Settings
from server.domain import application_details as details
from server.domain import fees
from server.domain.errors import DomainError
from server.i18n import N_
from server.integrations.payments import (
    CallbackEvent,
    CallbackRejected,
    GatewayError,
    GatewayPayment,
    NewPayment,
    gateway_for,
)
from server.models.applications import Application
from server.models.payments import Payment, PaymentEvent
from server.resolvers.kernel import audit, lifecycle, notify
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.status_notices import notify_payment_failed
from server.resolvers.review import decisions

log = logging.getLogger("sijil.payments")
METHODS = ("MADA", "CARD", "APPLE_PAY", "SADAD")
# A card payment not completed within this time is treated as abandoned.
CARD_PAYMENT_LIFETIME = dt.timedelta(hours=1)


async def mine(ctx: Caller, payment_id: str) -> Payment:
    """The caller's own payment (with its application), else NOT_FOUND."""
    account = require_account(ctx)
    wanted = as_uuid(payment_id)
    found = await Payment.get_or_none(id=wanted, application__applicant_id=account.id) \
        .select_related("application") if wanted else None
    if found is None:
        raise DomainError("NOT_FOUND", "id")
    return found


async def pay_application(ctx: Caller, application_id: str, method: str) -> Payment:
    account = require_account(ctx)
    if method not in METHODS:
        raise DomainError("INVALID", "method", N_("Choose a way to pay."))
    if method == "SADAD" and ctx.settings.payment_provider == "moyasar":
        raise DomainError("NOT_ALLOWED", "method", N_(
            "SADAD is not available with this payment provider. Choose a card or Apple Pay."))
    application = await lifecycle.mine(account.id, application_id)
    if application.status != "AWAITING_PAYMENT" or not application.fee:
        raise DomainError("INVALID_STATE", "applicationId", N_(
            "This application is not waiting for a payment."))
    payment_id = uuid.uuid4()
    key = f"sijil-{payment_id}"
    async with in_transaction():
        # The conditional write holds the application row's lock until the commit, so
        # payApplication sent several times at once leaves one open payment, not several.
        locked = await Application.filter(id=application.id, status="AWAITING_PAYMENT") \
            .update(updated_at=clock.now())
        if locked != 1:
            raise DomainError("INVALID_STATE", "applicationId", N_(
                "This application is not waiting for a payment."))
        if await Payment.exists(application_id=application.id, status="PAID"):
            raise DomainError("INVALID_STATE", "applicationId", N_(
                "This application is already paid."))
        # A payment still open with another method is set aside: paying again replaces it.
        # If the gateway later confirms it anyway, the callback handler sees to it.
        await Payment.filter(application_id=application.id, status="INITIATED") \
            .update(status="EXPIRED")
        payment = await Payment.create(
            id=payment_id, application=application, provider=ctx.settings.payment_provider,
            method=method, amount=application.fee, idempotency_key=key)
    gateway = gateway_for(ctx.settings)
    base = ctx.settings.base_url
    try:
        created = await gateway.create(NewPayment(
            payment_id=str(payment.id), idempotency_key=key,
            amount_halalas=fees.to_halalas(application.fee), currency="SAR", method=method,
            description=f"Sijil {application.kind} {application.id}",
            callback_url=f"{base}/payments/webhook/{gateway.name}",
            return_url=f"{base}/applications/{application.id}/payment/{payment.id}",
            metadata={"payment_id": str(payment.id), "application_id": str(application.id)}))
    except GatewayError as error:
        await Payment.filter(id=payment.id).update(status="FAILED")
        log.warning("gateway refused payment %s: %s", payment.id, error)
        raise DomainError("PAYMENT_FAILED", "method", N_(
            "The payment service did not answer. Nothing was charged; try again.")) from error
    payment.provider_payment_id = created.provider_payment_id
    payment.redirect_url = created.redirect_url or ""
    payment.sadad_bill_number = created.sadad_bill_number or ""
    payment.expires_at = created.expires_at or clock.now() + CARD_PAYMENT_LIFETIME
    await payment.save(update_fields=["provider_payment_id", "redirect_url",
                                      "sadad_bill_number", "expires_at"])
    await audit.record("payment.started", actor=account, target_type="payment",
                       target_id=payment.id, ip=ctx.ip, method=method,
                       amount=str(payment.amount))
    return payment


async def handle_callback(settings: Settings, provider: str, headers: dict[str, str],
                          raw_body: bytes) -> str:
    """Verify, de-duplicate, re-check and apply one gateway callback. Returns what happened;
    raises CallbackRejected (a 4xx, or 503 to be retried) for anything that is not a
    genuine, matching callback that can be applied now."""
    gateway = gateway_for(settings, provider)
    event = gateway.verify_callback(headers, raw_body)
    if await PaymentEvent.exists(provider=provider, event_id=event.event_id):
        return "duplicate"  # seen and applied before: its effect is already there
    payment = await Payment.get_or_none(
        provider=provider, provider_payment_id=event.payment.provider_payment_id)
    if payment is None:
        await _remember(provider, event, None, "unknown payment")
        raise CallbackRejected(404, "unknown payment")
    try:
        confirmed = await _confirmed_state(gateway, event)
    except GatewayError as error:
        # Not confirmed yet, and nothing recorded: the gateway's retry is processed anew.
        raise CallbackRejected(503, "could not confirm with the gateway; retry later") \
            from error
    if confirmed.amount_halalas != fees.to_halalas(payment.amount) \
            or confirmed.currency != payment.currency:
        await _remember(provider, event, payment, "amount or currency does not match")
        log.error("payment %s: callback amount %s %s does not match %s %s", payment.id,
                  confirmed.amount_halalas, confirmed.currency, payment.amount,
                  payment.currency)
        raise CallbackRejected(422, "amount or currency does not match")
    # The event is recorded in the same transaction that applies it: a crash in between
    # rolls both back, so the gateway's retry is applied instead of taken for a duplicate.
    # Identical callbacks at once meet on the event's unique id: one applies, the others
    # wait for it and are told "duplicate".
    try:
        async with in_transaction():
            record = await PaymentEvent.create(provider=provider, event_id=event.event_id,
                                               payload=event.payload, verified=True,
                                               payment=payment)
            outcome = await apply(settings, payment, confirmed.status)
            await _outcome(record, outcome)
    except IntegrityError as error:
        if "event_id" not in str(error):
            raise  # not the event's id: a 500, rolled back, and the gateway retries
        return "duplicate"
    return outcome


async def _remember(provider: str, event: CallbackEvent, payment, outcome: str) -> None:
    """A callback refused is kept too (admins see every callback), once."""
    try:
        await PaymentEvent.create(provider=provider, event_id=event.event_id,
                                  payload=event.payload, verified=True, payment=payment,
                                  outcome=outcome[:200])
    except IntegrityError:
        pass


async def _confirmed_state(gateway, event: CallbackEvent) -> GatewayPayment:
    """Gateways that can be asked are asked: the callback alone is not the final word."""
    try:
        return await gateway.fetch(event.payment.provider_payment_id)
    except NotImplementedError:
        return event.payment


async def _outcome(record: PaymentEvent, outcome: str) -> None:
    await PaymentEvent.filter(id=record.id).update(outcome=outcome[:200])


EXPIRY_BATCH = 500


async def expire_overdue(settings: Settings, moment: dt.datetime | None = None) -> int:
    """INITIATED payments past their expiry (a card session, a hosted page, a SADAD bill)
    become EXPIRED, and the payer is told to pay again; their application still awaits
    payment. Run by the worker's janitor. A gateway that confirms one later still applies
    it (EXPIRED → PAID is allowed). Returns how many expired."""
    moment = moment or clock.now()
    overdue = await Payment.filter(status="INITIATED", expires_at__lt=moment) \
        .order_by("expires_at").limit(EXPIRY_BATCH).values_list("id", flat=True)
    done = 0
    for payment_id in overdue:
        async with in_transaction():
            if not await Payment.filter(id=payment_id, status="INITIATED").update(
                    status="EXPIRED"):
                continue  # paid or retried meanwhile
            payment = await Payment.get(id=payment_id)
            application = await Application.get(id=payment.application_id)
            if application.status == "AWAITING_PAYMENT":
                await notify_payment_failed(settings, application, payment.id)
            done += 1
    return done


async def apply(settings: Settings, payment: Payment, status: str) -> str:
    """The gateway's confirmed state applied to our payment and its application, once."""
    if status == "PAID":
        return await _apply_paid(settings, payment)
    if status in ("FAILED", "EXPIRED"):
        async with in_transaction():
            changed = await Payment.filter(id=payment.id, status="INITIATED") \
                .update(status=status)
            if changed:
                application = await Application.get(id=payment.application_id)
                await notify_payment_failed(settings, application, payment.id)
        return f"payment {status.lower()}" if changed else "no change"
    return "no change"


async def _apply_paid(settings: Settings, payment: Payment) -> str:
    async with in_transaction():
        moved = await Payment.filter(id=payment.id, status__in=("INITIATED", "EXPIRED",
                                                                "FAILED")) \
            .update(status="PAID", paid_at=clock.now())
        if moved != 1:
            return "already applied"
        application = await Application.get(id=payment.application_id) \
            .select_related("applicant")
        if application.status != "AWAITING_PAYMENT":
            # Paid twice (two methods), or after cancelling: an admin refunds it.
            await audit.record("payment.needs_refund", target_type="payment",
                               target_id=payment.id, application=str(application.id),
                               status=application.status)
            return "paid, but the application no longer awaits payment: refund needed"
        await lifecycle.transition(application, "SUBMITTED", actor_kind="SYSTEM",
                                      reason=details.PAYMENT_CONFIRMED)
        await notify.email(settings, application.applicant.email,
                           application.applicant.language, "payment_receipt",
                           dedupe_key=f"receipt:{payment.id}",
                           name=application.applicant.first_name, amount=str(payment.amount),
                           method=payment.method, application_id=str(application.id),
                           reference=application.reference,
                           kind=application.kind, paid_at=clock.now())
        await audit.record("payment.paid", target_type="payment", target_id=payment.id,
                           application=str(application.id), amount=str(payment.amount))
        await decisions.after_payment(settings, application)
    return "applied"
