"""The applicant's applications: the list and one application's page."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages import my_documents
from server.pages.forms import signed_in
from server.pages.labels import SERVICE_NAMES
from server.pages.plumbing import (
    execute,
    form_response,
    read_form,
    redirect,
    render,
    submit,
)
from server.pages.uploads import upload_from_form

DOCUMENT_FIELDS = ("document1", "document2")


async def application_list(request: Request):
    ctx = await signed_in(request)
    after = request.query_params.get("after") or None
    data = (await execute(ctx, "PageMyApplications", {"first": 20, "after": after})).data
    page = data["myApplications"]
    return render(request, ctx, "applications/list.html", {
        "applications": [e["node"] for e in page["edges"]], "service_names": SERVICE_NAMES,
        "next_url": f"/applications?after={page['pageInfo']['endCursor']}"
        if page["pageInfo"]["hasNextPage"] else None})


async def application_page(request: Request):
    ctx = await signed_in(request)
    data = (await execute(ctx, "PageApplication", {"id": request.path_params["id"]})).data
    application = data["myApplication"]
    if application is None:
        raise HTTPException(404)
    usual_days = application["usualDecisionDays"] \
        if application["status"] in ("AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW") else None
    return render(request, ctx, "applications/detail.html", {
        "a": application, "service_names": SERVICE_NAMES, "usual_days": usual_days,
        "new": request.query_params.get("new") == "1",
        "issued_documents": await my_documents.documents_block(ctx, application["id"])})


async def _returned(ctx, application_id: str) -> dict:
    application = (await execute(ctx, "PageResubmit", {"id": application_id})
                   ).data["myApplication"]
    if application is None:
        raise HTTPException(404)
    return application


def _points(application: dict) -> list[str]:
    correction = application.get("correction") or {}
    if correction.get("resubmittedAt"):
        return []
    return correction.get("points") or []


async def resubmit_page(request: Request):
    """Correcting a returned application of any kind: an answer to each of the reviewer's
    points, the details of the application that may change, documents added."""
    ctx = await signed_in(request)
    application = await _returned(ctx, request.path_params["id"])
    if application["status"] != "RETURNED":
        return redirect(request, f"/applications/{application['id']}")
    return render(request, ctx, "applications/resubmit.html", {
        "a": application, "points": _points(application), "service_names": SERVICE_NAMES,
        "values": {f["field"]: f["value"] for f in application["correctableFields"]},
        "documents": {}, "errors": {}})


async def resubmit(request: Request):
    ctx = await signed_in(request)
    application_id = request.path_params["id"]
    form = await read_form(request)
    application = await _returned(ctx, application_id)
    points = _points(application)
    fields = [f["field"] for f in application["correctableFields"]]
    values = {name: str(form.get(name, "")) for name in fields}
    values.update({f"answer-{n}": str(form.get(f"answer-{n}", "")) for n in range(len(points))})
    errors: dict[str, str] = {}
    documents: dict[str, dict] = {}
    for name in DOCUMENT_FIELDS:
        stored, problem = await upload_from_form(ctx, form, name, "EVIDENCE")
        if stored:
            documents[name] = stored
        if problem:
            errors[name] = problem
    if not errors:
        _, errors = await submit(ctx, "PageResubmitApplication", "resubmitApplication", {
            "input": {"applicationId": application_id,
                      "answers": [values[f"answer-{n}"] for n in range(len(points))],
                      "documentIds": [d["id"] for d in documents.values()],
                      "changes": [{"field": f, "value": values[f]} for f in fields]}})
        errors = {(k.replace("answers.", "answer-") if k.startswith("answers.") else
                   "document1" if k == "documentIds" else k): v for k, v in errors.items()}
    if errors:
        return form_response(request, ctx, "applications/resubmit.html", {
            "a": application, "points": points, "service_names": SERVICE_NAMES,
            "values": values, "documents": documents}, errors)
    return redirect(request, f"/applications/{application_id}?done=resubmit")


ROUTES = [
    Route("/applications", application_list, methods=["GET"]),
    Route("/applications/{id}/resubmit", resubmit_page, methods=["GET"]),
    Route("/applications/{id}/resubmit", resubmit, methods=["POST"]),
    Route("/applications/{id}", application_page, methods=["GET"]),
]
