"""An application's paid fee and its refund, as the applicant sees them."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from server.schema.base import Money


@strawberry.enum(description="Where a refund of a paid fee is.")
class RefundStatus(enum.Enum):
    NOT_REQUESTED = "NOT_REQUESTED"
    REQUESTED = "REQUESTED"
    PROCESSING = "PROCESSING"
    REFUNDED = "REFUNDED"
    DECLINED = "DECLINED"


@strawberry.type(description="What was paid for an application, and its refund.")
class ApplicationRefund:
    paid: Money
    paid_at: dt.datetime | None
    status: RefundStatus
    requested_at: dt.datetime | None
    decided_at: dt.datetime | None
    reason: str | None = strawberry.field(description="The administrator's reason: why a "
                                          "refund was refused, or a note with a refund.")
    refunded: Money
    can_request: bool = strawberry.field(description="A refund can be asked for now: the "
                                         "application was cancelled before review and no "
                                         "refund was asked for yet.")
    refundable_if_cancelled: bool = strawberry.field(description="Cancelling now would "
                                                     "allow a refund (no reviewer has taken "
                                                     "the application up).")

    @classmethod
    def of(cls, data: dict) -> ApplicationRefund:
        return cls(paid=Money.sar(data["paid"]), paid_at=data["paid_at"],
                   status=RefundStatus(data["status"]), requested_at=data["requested_at"],
                   decided_at=data["decided_at"], reason=data["reason"],
                   refunded=Money.sar(data["refunded"]), can_request=data["can_request"],
                   refundable_if_cancelled=data["refundable_if_cancelled"])
