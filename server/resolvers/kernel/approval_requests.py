"""Four-eyes requests, as any use case asks for one (the admins' side, listing and deciding
them, is server/resolvers/admin/approvals.py and four_eyes.py): in the kernel, so that a
reviewer's decision (server/resolvers/review/decisions.py) can ask for one without the
review domain importing the admin one."""

from __future__ import annotations

from server.models.workflow import ApprovalRequest
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller

EXTEND_REGISTRATIONS = "EXTEND_REGISTRATIONS"
REINSTATE_REGISTRATION = "REINSTATE_REGISTRATION"
CONFIRM_SUSPENSION = "CONFIRM_SUSPENSION"
REFUND = "REFUND"
REFUND_PAYMENT = "REFUND_PAYMENT"  # an admin's refund nobody asked for (records.py)
# A reviewer's approval held for a second admin (server/resolvers/review/decisions.py).
PERSONAL_DATA_CHANGE = "PERSONAL_DATA_CHANGE"
CONSULTANT_RANK = "CONSULTANT_RANK"
ACTIONS = (EXTEND_REGISTRATIONS, REINSTATE_REGISTRATION, CONFIRM_SUSPENSION, REFUND,
           REFUND_PAYMENT, PERSONAL_DATA_CHANGE, CONSULTANT_RANK)
# Asked for by the reviewer who approved the application; decided by an admin.
HELD_DECISIONS = (PERSONAL_DATA_CHANGE, CONSULTANT_RANK)


async def ask(ctx: Caller, action: str, params: dict, summary: str, target: str = ""
              ) -> ApprovalRequest:
    """Call inside the caller's transaction, so the request commits with what caused it.
    Admins ask; a reviewer asks only for the approval of an application they decided."""
    admin = require_role(ctx, "REVIEWER", "ADMIN") if action in HELD_DECISIONS \
        else require_role(ctx, "ADMIN")
    request = await ApprovalRequest.create(action=action, params=params, target=target[:64],
                                           summary=summary[:300], requested_by=admin)
    await audit.record("approval.requested", actor=admin, ip=ctx.ip,
                       target_type="approval_request", target_id=request.id, asks=action,
                       summary=summary[:300])
    return request


async def pending_for(action: str, target: str) -> bool:
    return await ApprovalRequest.filter(action=action, status="PENDING",
                                        target=target[:64]).exists()
