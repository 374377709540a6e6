"""Payment routes: the gateways' webhook, the sandbox's hosted page, and the page a payer
returns to. The return page never confirms anything: it shows what the gateway said."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.domain.errors import DomainError
from server.integrations.payments import CallbackRejected
from server.pages.forms import signed_in
from server.pages.labels import SERVICE_NAMES
from server.pages.plumbing import (
    execute,
    form_values,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)
from server.resolvers.payments import sandbox
from server.resolvers.payments.checkout import handle_callback

log = logging.getLogger("sijil.payments")
WEBHOOK_BODY_LIMIT = 64 * 1024


async def webhook(request: Request):
    provider = request.path_params["provider"]
    raw = await request.body()
    if len(raw) > WEBHOOK_BODY_LIMIT:
        return JSONResponse({"error": "too large"}, status_code=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        outcome = await handle_callback(request.app.state.settings, provider, headers, raw)
    except CallbackRejected as rejected:
        log.warning("payment callback refused (%s): %s", provider, rejected.reason)
        return JSONResponse({"error": rejected.reason}, status_code=rejected.status)
    return JSONResponse({"received": True, "outcome": outcome})


async def pay_page(request: Request):
    ctx = await signed_in(request)
    data = (await execute(ctx, "PageApplication", {"id": request.path_params["id"]})).data
    application = data["myApplication"]
    if application is None:
        raise HTTPException(404)
    return render(request, ctx, "payments/pay.html", {
        "a": application, "service_names": SERVICE_NAMES, "errors": {}, "values": {},
        "sadad": sadad_available(ctx.settings)})


async def pay(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, "method")
    application_id = request.path_params["id"]
    payload, errors = await submit(ctx, "PagePayApplication", "payApplication", {"input": {
        "applicationId": application_id, "method": values["method"] or None}})
    if errors:
        data = (await execute(ctx, "PageApplication", {"id": application_id})).data
        return render(request, ctx, "payments/pay.html", {
            "a": data["myApplication"], "service_names": SERVICE_NAMES, "errors": errors,
            "values": values, "sadad": sadad_available(ctx.settings)}, status=422)
    payment = payload["payment"]
    if payment["redirectUrl"]:
        return redirect(request, payment["redirectUrl"])
    return redirect(request, f"/applications/{application_id}/payment/{payment['id']}")


def sadad_available(settings) -> bool:
    """Moyasar's API documents no SADAD bill source: offer SADAD only where it works."""
    return settings.payment_provider != "moyasar"


async def payment_return(request: Request):
    """Where the payer lands after the gateway: it polls until the gateway has confirmed."""
    ctx = await signed_in(request)
    payment = (await execute(ctx, "PagePayment", {"id": request.path_params["payment"]})
               ).data["myPayment"]
    if payment is None or payment["application"]["id"] != request.path_params["id"]:
        raise HTTPException(404)
    data = {"payment": payment, "application": payment["application"],
            "service_names": SERVICE_NAMES}
    block = "status" if request.headers.get("hx-request") else None
    return render(request, ctx, "payments/return.html", data, block=block)


# ------------------------------------------------------------------ the sandbox gateway

async def sandbox_page(request: Request):
    ctx = await page_ctx(request)
    try:
        payment = await sandbox.hosted_page(ctx.settings, request.path_params["payment_id"])
    except DomainError as error:
        raise HTTPException(404) from error
    return render(request, ctx, "payments/sandbox.html", {"payment": payment})


async def sandbox_complete(request: Request):
    """The payer's choice; the sandbox then calls our webhook, signed, through the outbox."""
    ctx = await page_ctx(request)
    form = await read_form(request)
    try:
        done = await sandbox.complete(ctx.settings, request.path_params["payment_id"],
                                      str(form.get("outcome", "")))
    except DomainError as error:
        raise HTTPException(404 if error.problems[0].code.value == "NOT_FOUND" else 400) from error
    return redirect(request, f"/applications/{done['applicationId']}/payment/{done['id']}")


ROUTES = [
    Route("/payments/webhook/{provider}", webhook, methods=["POST"]),
    Route("/applications/{id}/pay", pay_page, methods=["GET"]),
    Route("/applications/{id}/pay", pay, methods=["POST"]),
    Route("/applications/{id}/payment/{payment}", payment_return, methods=["GET"]),
    Route("/sandbox/pay/{payment_id}", sandbox_page, methods=["GET"]),
    Route("/sandbox/pay/{payment_id}", sandbox_complete, methods=["POST"]),
]
