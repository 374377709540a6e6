"""/admin/canned-reasons: the decision reasons an admin prepares for reviewers, in Arabic and
English; an empty row adds one, emptying both texts removes one. Admins only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.pages.admin.console import _field_of, admin_only
from server.pages.plumbing import execute, form_response, read_form, redirect, render, submit

EXTRA_ROWS = 2
MAX_ROWS = 40


async def page(request: Request):
    ctx = await admin_only(request)
    reasons = (await execute(ctx, "AdminCannedReasons")).data["cannedReasons"]
    return render(request, ctx, "admin/canned_reasons.html", {
        "rows": [*reasons, *({"textAr": "", "textEn": ""} for _ in range(EXTRA_ROWS))],
        "errors": {}, "saved": request.query_params.get("saved") == "1"})


async def save(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    count = str(form.get("rows", "0"))
    count = min(int(count), MAX_ROWS) if count.isdigit() else 0
    rows = [{"textAr": str(form.get(f"r{i}-textAr", "")).strip(),
             "textEn": str(form.get(f"r{i}-textEn", "")).strip()} for i in range(count)]
    sent = [(f"r{i}", r) for i, r in enumerate(rows) if r["textAr"] or r["textEn"]]
    _, errors = await submit(ctx, "AdminUpdateCannedReasons", "updateCannedReasons", {
        "input": {"reasons": [r for _, r in sent]}})
    if errors:
        return form_response(request, ctx, "admin/canned_reasons.html", {"rows": rows},
                             _field_of(errors, "reasons", [n for n, _ in sent], sub=True))
    return redirect(request, "/admin/canned-reasons?saved=1")


ROUTES = [
    Route("/admin/canned-reasons", page, methods=["GET"]),
    Route("/admin/canned-reasons", save, methods=["POST"]),
]
