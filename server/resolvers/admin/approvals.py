"""Four eyes: a sensitive admin action is a request that a second admin approves or
refuses; the requester can never decide their own. Mass extensions, reinstatements,
refunds above an amount (an admin setting), an admin's own refund of a payment above that
amount, and a reviewer's approval that changes an identity number or a birth date or that
grants the Consultant rank wait for the approval; a suspension protects patients, so it is
done at once and confirmed afterwards (refused, it is lifted). Each request and each
decision is audited. What an approval does is in four_eyes.py."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from server.domain.errors import DomainError
from server.i18n import N_
from server.models.settings import Setting
from server.models.workflow import ApprovalRequest
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.approval_requests import (  # noqa: F401 (the names admins use)
    ACTIONS,
    CONFIRM_SUSPENSION,
    CONSULTANT_RANK,
    EXTEND_REGISTRATIONS,
    HELD_DECISIONS,
    PERSONAL_DATA_CHANGE,
    REFUND,
    REFUND_PAYMENT,
    REINSTATE_REGISTRATION,
    ask,
    pending_for,
)
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

STATUSES = ("PENDING", "APPROVED", "REFUSED", "UNDONE")

REFUND_LIMIT = "four_eyes_refund_above"
DEFAULT_REFUND_LIMIT = Decimal("1000.00")
MAX_REFUND_LIMIT = Decimal("1000000")


async def listing(ctx: Caller, status: str | None = "PENDING") -> list[ApprovalRequest]:
    require_role(ctx, "ADMIN")
    if status and status not in STATUSES:
        raise DomainError("INVALID", "status")
    query = ApprovalRequest.all().select_related("requested_by")
    if status:
        query = query.filter(status=status)
    return await query.order_by("-requested_at", "id").limit(200)


async def one(ctx: Caller, request_id) -> ApprovalRequest | None:
    require_role(ctx, "ADMIN")
    wanted = as_uuid(request_id)
    return await ApprovalRequest.get_or_none(id=wanted).select_related("requested_by") \
        if wanted else None


async def refund_limit() -> Decimal:
    row = await Setting.get_or_none(key=REFUND_LIMIT)
    try:
        return Decimal(str(row.value)) if row is not None else DEFAULT_REFUND_LIMIT
    except (InvalidOperation, ValueError):
        return DEFAULT_REFUND_LIMIT


async def set_refund_limit(ctx: Caller, amount) -> Decimal:
    admin = require_role(ctx, "ADMIN")
    try:
        value = Decimal(str(amount or "").strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > MAX_REFUND_LIMIT:
        raise DomainError("INVALID", "amount", N_("Enter an amount in riyals, from 0 to "
                                                  "1,000,000."))
    value = value.quantize(Decimal("0.01"))
    async with in_transaction():
        if not await Setting.filter(key=REFUND_LIMIT).update(value=str(value),
                                                            updated_by_id=admin.id):
            await Setting.create(key=REFUND_LIMIT, value=str(value), updated_by_id=admin.id)
        await audit.record("settings.four_eyes_refund_above", actor=admin, ip=ctx.ip,
                           target_type="setting", target_id=REFUND_LIMIT, value=str(value))
    return value
