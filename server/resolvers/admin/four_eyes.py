"""A second admin decides a four-eyes request (approvals.py): approving does the action
(or, for a suspension, confirms what was done); refusing does nothing (or lifts the
suspension, or gives a held application back to its reviewer: decisions.py). The
requester may not decide their own request; two admins deciding at once cannot both win
(a conditional update on PENDING)."""

from __future__ import annotations

from server import clock
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.workflow import ApprovalRequest
from server.resolvers.admin import approvals, console, records
from server.resolvers.kernel import audit
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.review import decisions

MAX_REASON = 500


async def _pending(request_id) -> ApprovalRequest:
    wanted = as_uuid(request_id)
    found = await ApprovalRequest.get_or_none(id=wanted) if wanted else None
    if found is None:
        raise DomainError("NOT_FOUND", "requestId", N_("There is no such request."))
    if found.status != "PENDING":
        raise DomainError("INVALID_STATE", "requestId", N_(
            "This request was already decided."))
    return found


async def _do(ctx: Caller, request: ApprovalRequest) -> dict:
    p = request.params
    if request.action == approvals.EXTEND_REGISTRATIONS:
        done = await console.apply_extension(ctx, request.requested_by_id, p["expiring_from"],
                                             p["expiring_to"], p["months"])
        return {"count": len(done), "done": done}
    if request.action == approvals.REINSTATE_REGISTRATION:
        await console.set_suspended(ctx, p["number"], p["reason"], suspend=False,
                                    approved=True)
        return {}
    if request.action == approvals.REFUND:
        await records.decide_refund(ctx, p["payment_id"], True, p.get("reason", ""),
                                    approved=True)
        return {}
    if request.action == approvals.REFUND_PAYMENT:
        await records.refund_payment(ctx, p["payment_id"], p.get("reason", ""), approved=True)
        return {}
    if request.action in approvals.HELD_DECISIONS:
        await decisions.complete_held(ctx, request)
        return {}
    return {}  # CONFIRM_SUSPENSION: it was done when asked for


async def _undo(ctx: Caller, request: ApprovalRequest, reason: str) -> dict:
    """What refusing does: a suspension is undone (it was in force meanwhile); a held
    approval goes back to the reviewer who asked (decisions.give_back_held)."""
    if request.action in approvals.HELD_DECISIONS:
        await decisions.give_back_held(ctx, request, reason)
        return {}
    if request.action == approvals.CONFIRM_SUSPENSION:
        registration = await console.registration_by_number(ctx, request.params["number"])
        if registration is not None and registration.suspended:
            await console.set_suspended(ctx, request.params["number"], reason,
                                        suspend=False, approved=True)
            return {"lifted": True}
    return {}


async def decide(ctx: Caller, request_id, approve: bool, reason: str) -> ApprovalRequest:
    admin = console.require_admin(ctx)
    reason = " ".join(str(reason or "").split())
    if len(reason) > MAX_REASON:
        raise DomainError("INVALID", "reason", N_("At most 500 characters."))
    request = await _pending(request_id)
    if request.requested_by_id == admin.id:
        raise DomainError("NOT_ALLOWED", "requestId", N_(
            "You asked for this yourself: a second admin must decide it."))
    if not approve and not reason:
        raise DomainError("REQUIRED", "reason", N_("Give the reason for refusing: the admin "
                                                   "who asked sees it."))
    # Taken first, so that two admins deciding at once cannot both act on it.
    taken = await ApprovalRequest.filter(id=request.id, status="PENDING").update(
        status="DECIDING", decided_by_id=admin.id, decided_at=clock.now())
    if taken != 1:
        raise DomainError("INVALID_STATE", "requestId", N_("This request was already decided."))
    try:
        result = await (_do(ctx, request) if approve else _undo(ctx, request, reason
                                                                 or request.summary))
    except Exception:
        await ApprovalRequest.filter(id=request.id, status="DECIDING").update(
            status="PENDING", decided_by_id=None, decided_at=None)
        raise
    status = "APPROVED" if approve else "REFUSED"
    await ApprovalRequest.filter(id=request.id).update(status=status, decision_reason=reason,
                                                       result=result)
    await audit.record(f"approval.{status.lower()}", actor=admin, ip=ctx.ip,
                       target_type="approval_request", target_id=request.id,
                       asks=request.action, requested_by=str(request.requested_by_id),
                       reason=reason, count=result.get("count"))
    return await ApprovalRequest.get(id=request.id).select_related("requested_by")


async def undo_extension(ctx: Caller, request_id) -> ApprovalRequest:
    """Puts an approved mass extension back (once)."""
    admin = console.require_admin(ctx)
    wanted = as_uuid(request_id)
    request = await ApprovalRequest.get_or_none(id=wanted) if wanted else None
    if request is None or request.action != approvals.EXTEND_REGISTRATIONS:
        raise DomainError("NOT_FOUND", "requestId", N_("There is no such extension."))
    if request.status != "APPROVED":
        raise DomainError("INVALID_STATE", "requestId", N_(
            "Only an extension that was done, and not yet undone, can be undone."))
    claimed = await ApprovalRequest.filter(id=request.id, status="APPROVED").update(
        status="UNDOING")
    if claimed != 1:
        raise DomainError("INVALID_STATE", "requestId", N_("This extension changed meanwhile."))
    try:
        undone = await console.undo_extension(ctx, request.result.get("done", []))
    except Exception:
        await ApprovalRequest.filter(id=request.id, status="UNDOING").update(status="APPROVED")
        raise
    result = {**request.result, "undone": undone, "undone_at": clock.now().isoformat(),
              "undone_by": str(admin.id)}
    await ApprovalRequest.filter(id=request.id).update(status="UNDONE", result=result)
    return await ApprovalRequest.get(id=request.id).select_related("requested_by")
