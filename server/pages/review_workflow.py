"""The review workflow in the browser: an application's internal notes (staff only) and,
for supervisors and admins, assigning it to a reviewer or a team and taking a claim back.
One page per application (/review/{id}/workflow), linked from the review page; every change
goes through the operations in web/operations/review_workflow.graphql."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.labels import KIND_NAMES
from server.pages.plumbing import (
    Context,
    execute,
    form_values,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)


async def _staff(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    if not ctx.account.is_staff:
        raise HTTPException(403)
    return ctx


def _supervises(ctx: Context) -> bool:
    return any(r in ("SUPERVISOR", "ADMIN") for r in ctx.account.role_list)


async def _page(request: Request, ctx: Context, errors: dict | None = None,
                values: dict | None = None, status: int = 200):
    application_id = request.path_params["id"]
    found = (await execute(ctx, "WorkflowApplication", {"id": application_id})
             ).data["reviewApplication"]
    if found is None:
        raise HTTPException(404)
    notes = (await execute(ctx, "WorkflowNotes", {"applicationId": application_id})
             ).data["internalNotes"]
    reviewers = (await execute(ctx, "WorkflowReviewers")).data["assignableReviewers"] \
        if _supervises(ctx) else []
    return render(request, ctx, "review/workflow.html", {
        "a": found, "notes": notes, "reviewers": reviewers, "supervises": _supervises(ctx),
        "kind_names": KIND_NAMES, "errors": errors or {}, "values": values or {},
        "done": request.query_params.get("done", "")}, status=status)


async def workflow_page(request: Request):
    return await _page(request, await _staff(request))


async def _change(request: Request, operation: str, field: str, names: tuple[str, ...],
                  done: str, variables):
    ctx = await _staff(request)
    values = form_values(await read_form(request), *names)
    _, errors = await submit(ctx, operation, field, {"input": {
        "applicationId": request.path_params["id"], **variables(values)}})
    if errors:
        return await _page(request, ctx, errors, values, 422)
    return redirect(request, f"/review/{request.path_params['id']}/workflow?done={done}")


async def add_note(request: Request):
    return await _change(request, "WorkflowAddNote", "addInternalNote", ("body",), "note",
                         lambda v: {"body": v["body"]})


async def assign(request: Request):
    def variables(v):
        return {"reviewerId": v["reviewerId"] or None, "team": v["team"]}
    return await _change(request, "WorkflowAssign", "assignApplication",
                         ("reviewerId", "team"), "assigned", variables)


async def force_release(request: Request):
    return await _change(request, "WorkflowForceRelease", "forceReleaseApplication",
                         ("reason",), "released", lambda v: {"reason": v["reason"]})


ROUTES = [
    Route("/review/{id}/workflow", workflow_page, methods=["GET"]),
    Route("/review/{id}/notes", add_note, methods=["POST"]),
    Route("/review/{id}/assign", assign, methods=["POST"]),
    Route("/review/{id}/force-release", force_release, methods=["POST"]),
]
