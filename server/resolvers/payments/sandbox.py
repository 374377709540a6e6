"""The development gateway's hosted page (never in production): the payment it shows, and the
payer's choice, which the sandbox answers with a signed callback to our webhook through the
outbox, as a real gateway would call us."""

from __future__ import annotations

from server.config import Settings
from server.domain import fees
from server.domain.errors import DomainError
from server.integrations.payments import gateway_for
from server.models.payments import Payment
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.outbox import enqueue_webhook

OUTCOMES = ("paid", "failed")


async def _payment(settings: Settings, payment_id: str) -> Payment:
    wanted = as_uuid(payment_id)
    found = None if settings.production or wanted is None else \
        await Payment.get_or_none(id=wanted, provider="sandbox")
    if found is None:
        raise DomainError("NOT_FOUND", "paymentId")
    return found


async def hosted_page(settings: Settings, payment_id: str) -> dict:
    """What the hosted page shows of the payment."""
    payment = await _payment(settings, payment_id)
    return {"id": str(payment.id), "amount": payment.amount, "method": payment.method,
            "status": payment.status}


async def complete(settings: Settings, payment_id: str, outcome: str) -> dict:
    """Sends the signed callback for `outcome` (paid or failed); returns the payment's ids."""
    payment = await _payment(settings, payment_id)
    if outcome not in OUTCOMES:
        raise DomainError("INVALID", "outcome")
    raw, headers = gateway_for(settings, "sandbox").callback(
        payment.provider_payment_id, outcome, fees.to_halalas(payment.amount),
        payment.currency, {"payment_id": str(payment.id)})
    await enqueue_webhook(f"{settings.base_url}/payments/webhook/sandbox", raw, headers)
    return {"id": str(payment.id), "applicationId": str(payment.application_id)}
