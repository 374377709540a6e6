"""The applicant's applications: the list and one application's page."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.forms import signed_in
from server.pages.labels import SERVICE_NAMES
from server.pages.plumbing import execute, render


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
        "new": request.query_params.get("new") == "1"})


ROUTES = [
    Route("/applications", application_list, methods=["GET"]),
    Route("/applications/{id}", application_page, methods=["GET"]),
]
