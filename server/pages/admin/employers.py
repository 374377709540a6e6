"""The admin console's employers pages: organisations (list, create), one organisation's
API keys (issue one, shown once; revoke), its webhook endpoint and delivery log. Through
the named operations of web/operations/employers.graphql, like every page."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.admin.console import admin_only
from server.pages.plumbing import (
    Context,
    execute,
    form_response,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)

DELIVERIES_SHOWN = 50


async def _list_values(ctx: Context, **values) -> dict:
    found = (await execute(ctx, "AdminOrganizations")).data["organizations"]
    return {"organizations": found, "values": {}, "errors": {}, **values}


async def organizations_page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/employers.html", await _list_values(ctx))


async def organization_create(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "nameAr", "nameEn", "contactEmail")
    payload, errors = await submit(ctx, "AdminCreateOrganization", "createOrganization",
                                   {"input": values})
    if errors:
        return form_response(request, ctx, "admin/employers.html",
                             await _list_values(ctx, values=values), errors, block="create")
    return redirect(request, f"/admin/employers/{payload['organization']['id']}")


async def _detail_values(ctx: Context, organization_id: str, **values) -> dict:
    data = (await execute(ctx, "AdminOrganization", {
        "id": organization_id, "first": DELIVERIES_SHOWN})).data
    if data["organization"] is None:
        raise HTTPException(404)
    return {"organization": data["organization"],
            "deliveries": [e["node"] for e in data["webhookDeliveries"]["edges"]],
            "values": {}, "errors": {}, **values}


async def organization_page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/employer.html", await _detail_values(
        ctx, request.path_params["id"], done=request.query_params.get("done", "")))


async def key_create(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    organization_id = request.path_params["id"]
    values = form_values(form, "name", "scopeRegisterRead", "scopeWatch")
    scopes = [scope for scope, field in (("REGISTER_READ", "scopeRegisterRead"),
                                         ("WATCH", "scopeWatch")) if values[field]]
    payload, errors = await submit(ctx, "AdminCreateApiKey", "createApiKey", {"input": {
        "organizationId": organization_id, "name": values["name"], "scopes": scopes}})
    if errors:
        return form_response(request, ctx, "admin/employer.html", await _detail_values(
            ctx, organization_id, values=values), errors, block="issue")
    # The secret is shown once, in this response; only its hash is kept.
    return render(request, ctx, "admin/employer_key.html", {
        "organization_id": organization_id, "key": payload["apiKey"],
        "secret": payload["secret"]})


async def key_revoke(request: Request):
    ctx = await admin_only(request)
    await read_form(request)
    organization_id = request.path_params["id"]
    _, errors = await submit(ctx, "AdminRevokeApiKey", "revokeApiKey", {"input": {
        "apiKeyId": request.path_params["key"]}})
    if errors:
        return render(request, ctx, "admin/employer.html", await _detail_values(
            ctx, organization_id, action_errors=errors), status=422)
    return redirect(request, f"/admin/employers/{organization_id}?done=revoked")


ROUTES = [
    Route("/admin/employers", organizations_page, methods=["GET"]),
    Route("/admin/employers", organization_create, methods=["POST"]),
    Route("/admin/employers/{id}", organization_page, methods=["GET"]),
    Route("/admin/employers/{id}/keys", key_create, methods=["POST"]),
    Route("/admin/employers/{id}/keys/{key}/revoke", key_revoke, methods=["POST"]),
]
