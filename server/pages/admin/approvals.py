"""Four eyes in the browser (admins): the requests waiting for a second admin, one request
with its approve / refuse form (never for its requester) and, for a mass extension done,
the list of what changed and its undo; the mass extension's preview (how many, who, a CSV
of all of them) and its confirmation, which asks a second admin."""

from __future__ import annotations

import csv
import io

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.domain import codes
from server.domain.application_details import CHANGED_FIELDS
from server.domain.errors import DomainError
from server.i18n import N_, gettext
from server.pages.admin import audit_labels
from server.pages.admin.console import NUMBER_INVALID, admin_only
from server.pages.forms import date_from_parts
from server.pages.plumbing import (
    execute,
    form_response,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)
from server.resolvers.admin import console as admin_use_cases

ACTION_NAMES = audit_labels.ASKS_NAMES
STATUS_NAMES = {
    "PENDING": N_("Waiting for a second admin"),
    "APPROVED": N_("Approved"),
    "REFUSED": N_("Refused"),
    "UNDONE": N_("Undone"),
}
DATE_FIELDS = tuple(f"{n}-{p}" for n in ("expiringFrom", "expiringTo")
                    for p in ("day", "month", "year"))


async def approvals_page(request: Request):
    ctx = await admin_only(request)
    shown = request.query_params.get("show", "")
    rows = (await execute(ctx, "AdminApprovalRequests", {
        "status": None if shown == "all" else "PENDING"})).data["approvalRequests"]
    return render(request, ctx, "admin/approvals.html", {
        # A held approval is shown by its changes, in the reader's language (its summary
        # mixes both languages, for the audit log).
        "requests": [{**r, "changeList": [_change(c, ctx.lang) for c in r["changes"]]}
                     for r in rows], "show_all": shown == "all", "actions": ACTION_NAMES,
        "statuses": STATUS_NAMES})


async def _request_page(request: Request, ctx, errors: dict | None = None, status: int = 200,
                        values: dict | None = None):
    found = (await execute(ctx, "AdminApprovalRequest", {"id": request.path_params["id"]})
             ).data["approvalRequest"]
    if found is None:
        raise HTTPException(404)
    return render(request, ctx, "admin/approval.html", {
        "req": found, "changes": [_change(c, ctx.lang) for c in found["changes"]],
        "actions": ACTION_NAMES, "statuses": STATUS_NAMES,
        "errors": errors or {}, "values": values or {},
        "done": request.query_params.get("done", ""),
        "own": ctx.account is not None and found["requestedByEmail"] == ctx.account.email},
        status=status)


def _change(change: dict, lang: str) -> dict:
    """A held approval's change as the page shows it: the field's name, from → to (a rank
    by its name, a date as a date)."""
    field = change["field"]
    if field == "rank":
        return {"label": gettext(lang, N_("Rank")), "date": False,
                "from": codes.label("rank", change["fromValue"], lang) or change["fromValue"],
                "to": codes.label("rank", change["toValue"], lang) or change["toValue"]}
    label = CHANGED_FIELDS.get(field, (field,))[0]
    return {"label": gettext(lang, label), "date": field == "dateOfBirth",
            "from": change["fromValue"], "to": change["toValue"]}


async def request_page(request: Request):
    return await _request_page(request, await admin_only(request))


async def request_decide(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "decision", "reason")
    _, errors = await submit(ctx, "AdminDecideApproval", "decideApprovalRequest", {"input": {
        "requestId": request.path_params["id"], "approve": values["decision"] == "approve",
        "reason": values["reason"]}})
    if errors:
        return await _request_page(request, ctx, errors, 422, values)
    return redirect(request, f"/admin/approvals/{request.path_params['id']}?done="
                             + ("approved" if values["decision"] == "approve" else "refused"))


async def request_undo(request: Request):
    ctx = await admin_only(request)
    await read_form(request)
    _, errors = await submit(ctx, "AdminUndoExtension", "undoRegistrationExtension",
                             {"input": {"requestId": request.path_params["id"]}})
    if errors:
        return await _request_page(request, ctx, errors, 422)
    return redirect(request, f"/admin/approvals/{request.path_params['id']}?done=undone")


# ------------------------------------------------------------------ the mass extension

def _window(values: dict, lang: str) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    start = date_from_parts(values, "expiringFrom", errors, lang)
    end = date_from_parts(values, "expiringTo", errors, lang)
    months = values["months"].strip()
    if not months.isdigit():
        errors["months"] = gettext(lang, NUMBER_INVALID)
    return ({"expiringFrom": start, "expiringTo": end, "months": int(months)}
            if not errors else {}), errors


async def extend_save(request: Request):
    """Step 1 (`step=preview`): how many and who. Step 2 (`step=confirm`): ask a second
    admin; their approval does it."""
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "months", "step", *DATE_FIELDS)
    window, errors = _window(values, ctx.lang)
    if errors:
        return form_response(request, ctx, "admin/extend.html", {"values": values}, errors)
    if values["step"] != "confirm":
        payload, errors = await submit(ctx, "AdminPreviewExtension",
                                       "previewRegistrationExtension", {"input": window})
        if errors:
            return form_response(request, ctx, "admin/extend.html", {"values": values},
                                 errors)
        return render(request, ctx, "admin/extend.html", {
            "values": values, "errors": {}, "preview": payload["preview"], "window": window})
    payload, errors = await submit(ctx, "AdminExtendRegistrations", "extendRegistrations",
                                   {"input": window})
    if errors:
        return form_response(request, ctx, "admin/extend.html", {"values": values}, errors)
    return redirect(request, f"/admin/approvals/{payload['approvalRequest']['id']}?done=asked")


async def extend_csv(request: Request):
    """Every registration the extension would change, as CSV (UTF-8 with a BOM, so Excel
    reads Arabic names)."""
    ctx = await admin_only(request)
    q = request.query_params
    try:
        months = int(q.get("months", ""))
    except ValueError:
        months = 0
    try:
        _, rows = await admin_use_cases.extension_preview(
            ctx, q.get("expiringFrom"), q.get("expiringTo"), months, first=None)
    except DomainError:
        raise HTTPException(400) from None
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([gettext(ctx.lang, N_("Registration number")),
                     gettext(ctx.lang, N_("Name in Arabic")),
                     gettext(ctx.lang, N_("Name in English")),
                     gettext(ctx.lang, N_("Valid until")),
                     gettext(ctx.lang, N_("Valid until after the extension")),
                     gettext(ctx.lang, N_("Suspended"))])
    for row in rows:
        writer.writerow([row["number"], f"{row['first_name_ar']} {row['family_name_ar']}",
                         f"{row['first_name_en']} {row['family_name_en']}",
                         row["valid_until"].isoformat(), row["new_valid_until"].isoformat(),
                         "1" if row["suspended"] else "0"])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": 'attachment; filename="extension-preview.csv"',
        "cache-control": "no-store"})


ROUTES = [
    Route("/admin/approvals", approvals_page, methods=["GET"]),
    Route("/admin/approvals/{id}", request_page, methods=["GET"]),
    Route("/admin/approvals/{id}/decide", request_decide, methods=["POST"]),
    Route("/admin/approvals/{id}/undo", request_undo, methods=["POST"]),
    Route("/admin/extend", extend_save, methods=["POST"]),
    Route("/admin/extend/preview.csv", extend_csv, methods=["GET"]),
]
