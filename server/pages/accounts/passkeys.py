"""Passkey pages: the browser side is web/static/js/passkeys.js. It asks an `options` route
for the WebAuthn options (JSON), lets the browser make or use the passkey, puts the answer
in the form's hidden `credential` field and submits the form as a plain POST, which runs
the finishing operation. Without JavaScript the passkey forms stay hidden; removing a
passkey and signing in with a password work as ever."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.pages.accounts.security import TEMPLATE, _page_data, _section, _signed_in
from server.pages.plumbing import (
    apply_session_changes,
    local_url,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)


def _about_the_form(errors: dict[str, str], *fields: str) -> dict[str, str]:
    """Errors of the hidden fields (the challenge, the browser's answer) are about the whole
    form: the error summary has no field to link them to."""
    return {(k if k in fields else "_form"): v for k, v in errors.items()}


def _options_response(payload: dict, errors: dict[str, str]) -> JSONResponse:
    if errors:
        return JSONResponse({"errors": list(errors.values())}, status_code=422)
    return JSONResponse({"challengeId": payload["challengeId"],
                         "options": json.loads(payload["options"])})


async def registration_options(request: Request):
    ctx = await _signed_in(request)
    await read_form(request)
    return _options_response(*await submit(ctx, "PageStartPasskeyRegistration",
                                           "startPasskeyRegistration", {}))


async def add(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageFinishPasskeyRegistration", "finishPasskeyRegistration",
                             {"input": {name: str(form.get(name, "")) for name in
                                        ("challengeId", "name", "credential")}})
    if errors:
        data = {**await _page_data(ctx), "values": {}, "done": {},
                "errors": {"passkeys": _about_the_form(errors, "name")}}
        return render(request, ctx, TEMPLATE, data, status=422)
    # A redirect, so that reloading the page does not post a spent challenge again.
    return redirect(request, "/account/security?passkey_added=1#passkeys")


async def remove(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageRemovePasskey", "removePasskey", {"input": {
        "passkeyId": str(form.get("passkeyId", "")), "password": str(form.get("password", ""))}})
    return await _section(request, ctx, "passkeys", errors)


async def sign_in_options(request: Request):
    ctx = await page_ctx(request)
    await read_form(request)
    return _options_response(*await submit(ctx, "PageStartPasskeySignIn", "startPasskeySignIn",
                                           {}))


async def sign_in(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    next_url = local_url(str(form.get("next", "/")))
    _, errors = await submit(ctx, "PageFinishPasskeySignIn", "finishPasskeySignIn", {"input": {
        "challengeId": str(form.get("challengeId", "")),
        "credential": str(form.get("credential", ""))}})
    if errors:
        return render(request, ctx, "accounts/login.html", {
            "values": {}, "errors": {}, "passkey_errors": _about_the_form(errors),
            "next": next_url},
            status=422)
    return apply_session_changes(ctx, redirect(request, next_url))


ROUTES = [
    Route("/account/security/passkeys/options", registration_options, methods=["POST"]),
    Route("/account/security/passkeys", add, methods=["POST"]),
    Route("/account/security/passkeys/remove", remove, methods=["POST"]),
    Route("/login/passkey/options", sign_in_options, methods=["POST"]),
    Route("/login/passkey", sign_in, methods=["POST"]),
]
