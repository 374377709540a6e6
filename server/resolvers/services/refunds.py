"""What the applicant sees of their money: what was paid for an application, whether it can
still be refunded, and the refund's course (asked, then paid out or refused, and why)."""

from __future__ import annotations

from decimal import Decimal

from server.models.applications import Application, ApplicationEvent
from server.models.payments import Payment

# Once a reviewer has taken an application up, its fee is not refunded.
REVIEWED = ("IN_REVIEW", "RETURNED")
CANCELLABLE = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "RETURNED")


async def reviewed(application: Application) -> bool:
    return await ApplicationEvent.exists(application_id=application.id,
                                         to_status__in=REVIEWED)


async def refund_of(application: Application) -> dict | None:
    """The paid fee and its refund, or None when nothing was paid."""
    payment = await Payment.filter(application_id=application.id,
                                   status__in=("PAID", "REFUNDED")).order_by("-paid_at").first()
    if payment is None:
        return None
    taken_up = await reviewed(application)
    status = payment.refund_status or "NOT_REQUESTED"
    return {
        "paid": Decimal(payment.amount), "paid_at": payment.paid_at, "status": status,
        "requested_at": payment.refund_requested_at,
        "decided_at": payment.refund_decided_at, "reason": payment.refund_reason or None,
        "refunded": Decimal(payment.refunded_amount or 0),
        "can_request": application.status == "CANCELLED" and not taken_up
        and status == "NOT_REQUESTED",
        "refundable_if_cancelled": application.status in CANCELLABLE and not taken_up,
    }
