"""The admin console's records: undelivered messages, payments and refund requests, and the
audit log (the settings sections are in server/pages/admin/console.py)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.i18n import N_, gettext
from server.pages.admin import audit_labels
from server.pages.admin.console import PAYMENT_STATUSES, _query, admin_only
from server.pages.forms import date_from_parts
from server.pages.labels import KIND_NAMES
from server.pages.plumbing import (
    Context,
    execute,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)
from server.resolvers.kernel.ids import as_uuid
from server.schema.base import decode_cursor

# ------------------------------------------------------------------ outbox

async def outbox_page(request: Request):
    ctx = await admin_only(request)
    found = (await execute(ctx, "AdminDeadMessages", {"first": 100})).data
    return render(request, ctx, "admin/outbox.html", {
        "messages": found["deadOutboxMessages"], "errors": {},
        "retried": request.query_params.get("retried") == "1"})


async def outbox_retry(request: Request):
    ctx = await admin_only(request)
    await read_form(request)
    _, errors = await submit(ctx, "AdminRetryMessage", "retryOutboxMessage",
                             {"input": {"id": request.path_params["id"]}})
    if errors:
        found = (await execute(ctx, "AdminDeadMessages", {"first": 100})).data
        return render(request, ctx, "admin/outbox.html", {
            "messages": found["deadOutboxMessages"], "errors": errors}, status=422)
    return redirect(request, "/admin/outbox?retried=1")


# ------------------------------------------------------------------ payments and refunds

def _after(value: str | None) -> str | None:
    parts = decode_cursor(value, 1)  # a forged cursor is the first page, not an error
    if parts and as_uuid(parts[0]) is None:
        return None
    return value or None


async def payments_page(request: Request):
    ctx = await admin_only(request)
    status = request.query_params.get("status", "")
    status = status if status in PAYMENT_STATUSES else ""
    after = _after(request.query_params.get("after"))
    page = (await execute(ctx, "AdminPayments", {"first": 25, "after": after,
                                                 "status": status or None})
            ).data["adminPayments"]
    return render(request, ctx, "admin/payments.html", {
        "payments": [e["node"] for e in page["edges"]], "status": status, "kinds": KIND_NAMES,
        "done": request.query_params.get("done", ""),
        "statuses": PAYMENT_STATUSES,
        "next_url": "/admin/payments" + _query(status=status,
                                               after=page["pageInfo"]["endCursor"])
        if page["pageInfo"]["hasNextPage"] else None,
        "first_url": "/admin/payments" + _query(status=status) if after else None})


async def _payment(ctx: Context, payment_id: str) -> dict | None:
    return (await execute(ctx, "AdminPayment", {"id": payment_id})).data["adminPayment"]


async def payment_refund_page(request: Request):
    ctx = await admin_only(request)
    payment = await _payment(ctx, request.path_params["id"])
    if payment is None:
        raise HTTPException(404)
    return render(request, ctx, "admin/payment_refund.html", {
        "payment": payment, "kinds": KIND_NAMES, "values": {}, "errors": {}})


async def payment_refund(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "reason")
    payment_id = request.path_params["id"]
    payload, errors = await submit(ctx, "AdminRefundPayment", "refundPayment", {"input": {
        "paymentId": payment_id, "reason": values["reason"]}})
    if errors:
        payment = await _payment(ctx, payment_id)
        if payment is None:
            raise HTTPException(404)
        return render(request, ctx, "admin/payment_refund.html", {
            "payment": payment, "kinds": KIND_NAMES, "values": values, "errors": errors},
            status=422)
    return redirect(request, "/admin/payments?done=" + (
        "held" if payload.get("approvalRequest") else "refunded"))


async def _refund_values(ctx: Context, **values) -> dict:
    found = (await execute(ctx, "AdminRefundRequests")).data["refundRequests"]
    return {"payments": found, "errors": {}, "values": {}, "kinds": KIND_NAMES, **values}


async def refunds_page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/refunds.html", await _refund_values(
        ctx, done=request.query_params.get("done", "")))


async def refund_decide(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    payment_id = request.path_params["id"]
    values = form_values(form, "decision", "reason")
    payload, errors = await submit(ctx, "AdminDecideRefund", "decideRefund", {"input": {
        "paymentId": payment_id, "approve": values["decision"] == "approve",
        "reason": values["reason"]}})
    if errors:
        return render(request, ctx, "admin/refunds.html", await _refund_values(
            ctx, errors=errors, failed_id=payment_id, values=values), status=422)
    return redirect(request, "/admin/refunds?done=" + (
        "held" if payload.get("approvalRequest") else
        "approved" if payload["payment"]["refundStatus"] == "REFUNDED" else "declined"))


# ------------------------------------------------------------------ audit log

def _readable(entry: dict) -> dict:
    """An entry as a person reads it: the action's name, the target's page, each detail
    under its own label (the reason first), empty ones left out."""
    items = sorted((d for d in entry["detailItems"] if d["value"] not in ("", "null")),
                   key=lambda d: d["key"] != "reason")  # an empty detail says nothing
    return {**entry, "actionName": audit_labels.action_name(entry["action"]),
            "targetName": audit_labels.TARGET_NAMES.get(entry["targetType"]),
            "targetUrl": audit_labels.target_url(entry["targetType"], entry["targetId"]),
            "detailList": [{**d, "label": audit_labels.DETAIL_NAMES.get(d["key"]),
                            "valueName": audit_labels.VALUE_NAMES.get(d["key"], {}).get(
                                d["value"])} for d in items]}


async def audit_page(request: Request):
    ctx = await admin_only(request)
    params = request.query_params
    filters = {name: params.get(name, "").strip()[:100]
               for name in ("action", "actor", "target", "from", "to")}
    errors: dict[str, str] = {}
    dates = {}
    for name in ("from", "to"):
        if filters[name]:
            parts = filters[name].split("-")
            found = date_from_parts({f"{name}-year": parts[0],
                                     f"{name}-month": parts[1] if len(parts) > 1 else "",
                                     f"{name}-day": parts[2] if len(parts) > 2 else ""},
                                    name, errors, ctx.lang)
            dates[name] = found
    if filters["actor"] and "@" not in filters["actor"] and as_uuid(filters["actor"]) is None:
        errors["actor"] = gettext(ctx.lang, N_("Give the actor's email address or account "
                                               "id."))
    after = params.get("after", "")
    entries, next_url = [], None
    if not errors:
        page = (await execute(ctx, "AdminAuditLog", {
            "first": 50, "after": after if after and len(after) < 40 else None,
            "actionPrefix": filters["action"] or None, "actorId": filters["actor"] or None,
            "targetId": filters["target"] or None, "dateFrom": dates.get("from"),
            "dateTo": dates.get("to")})).data["auditLog"]
        entries = [e["node"] for e in page["edges"]]
        if page["pageInfo"]["hasNextPage"]:
            next_url = "/admin/audit" + _query(**filters, after=page["pageInfo"]["endCursor"])
    return render(request, ctx, "admin/audit.html", {
        "entries": [_readable(e) for e in entries], "filters": filters, "errors": errors,
        "action_filters": audit_labels.ACTION_FILTERS, "next_url": next_url,
        "first_url": "/admin/audit" + _query(**filters) if after else None},
        status=422 if errors else 200)


ROUTES = [
    Route("/admin/outbox", outbox_page, methods=["GET"]),
    Route("/admin/outbox/{id}/retry", outbox_retry, methods=["POST"]),
    Route("/admin/payments", payments_page, methods=["GET"]),
    Route("/admin/payments/{id}/refund", payment_refund_page, methods=["GET"]),
    Route("/admin/payments/{id}/refund", payment_refund, methods=["POST"]),
    Route("/admin/refunds", refunds_page, methods=["GET"]),
    Route("/admin/refunds/{id}/decide", refund_decide, methods=["POST"]),
    Route("/admin/audit", audit_page, methods=["GET"]),
]
