"""Pages for signing in and out, and for a forgotten password."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.routing import Route

from server.pages.plumbing import (
    apply_session_changes,
    form_response,
    form_values,
    local_url,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)


async def login_form(request: Request):
    ctx = await page_ctx(request)
    if ctx.account is not None:
        return redirect(request, "/")
    return render(request, ctx, "accounts/login.html", {
        "values": {}, "errors": {}, "next": local_url(request.query_params.get("next")),
        "ready": request.query_params.get("ready") == "1"})


async def login(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    values = form_values(form, "identifier")
    next_url = local_url(str(form.get("next", "/")))
    payload, errors = await submit(ctx, "PageLogin", "login", {"input": {
        **values, "password": str(form.get("password", ""))}})
    if errors:
        return form_response(request, ctx, "accounts/login.html",
                             {"values": values, "next": next_url}, errors)
    challenge = payload["challenge"]
    return redirect(request, f"/login/code?challenge={challenge['id']}"
                             f"&channel={challenge['channel']}&next={quote(next_url, safe='')}")


def _code_values(challenge: str, channel: str, next_url: str) -> dict:
    return {"challenge": challenge, "channel": "TOTP" if channel == "TOTP" else "SMS",
            "next": local_url(next_url), "values": {}}


async def code_form(request: Request):
    ctx = await page_ctx(request)
    q = request.query_params
    return render(request, ctx, "accounts/login_code.html", {
        **_code_values(q.get("challenge", ""), q.get("channel", ""), q.get("next", "/")),
        "errors": {}})


async def verify_code(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    values = _code_values(str(form.get("challenge", "")), str(form.get("channel", "")),
                          str(form.get("next", "/")))
    payload, errors = await submit(ctx, "PageVerifyLogin", "verifyLogin", {"input": {
        "challengeId": values["challenge"], "code": str(form.get("code", ""))}})
    if errors:
        return form_response(request, ctx, "accounts/login_code.html", values, errors)
    if (payload.get("account") or {}).get("mustChangePassword"):
        # A temporary password (made when an admin created the account): replace it first.
        return apply_session_changes(ctx, redirect(
            request, "/account/security?first=1#password"))
    return apply_session_changes(ctx, redirect(request, values["next"]))


async def logout(request: Request):
    ctx = await page_ctx(request)
    await read_form(request)
    await submit(ctx, "PageLogout", "logout", {})
    return apply_session_changes(ctx, redirect(request, "/login?signed_out=1"))


async def forgot_form(request: Request):
    ctx = await page_ctx(request)
    return render(request, ctx, "accounts/forgot_password.html", {"values": {}, "errors": {}})


async def forgot(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    values = form_values(form, "email")
    _, errors = await submit(ctx, "PageRequestPasswordReset", "requestPasswordReset",
                             {"input": values})
    if errors:
        return form_response(request, ctx, "accounts/forgot_password.html",
                             {"values": values}, errors)
    return render(request, ctx, "accounts/forgot_password.html",
                  {"values": values, "errors": {}, "sent": True},
                  block="form" if request.headers.get("hx-request") else None)


async def reset_form(request: Request):
    ctx = await page_ctx(request)
    return render(request, ctx, "accounts/reset_password.html", {
        "token": request.query_params.get("token", ""), "values": {}, "errors": {}})


async def reset(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    token = str(form.get("token", ""))
    _, errors = await submit(ctx, "PageResetPassword", "resetPassword", {"input": {
        "token": token, "password": str(form.get("password", "")),
        "passwordConfirmation": str(form.get("passwordConfirmation", ""))}})
    if errors:
        return form_response(request, ctx, "accounts/reset_password.html",
                             {"token": token, "values": {}}, errors)
    return redirect(request, "/login?reset=1")


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/login/code", code_form, methods=["GET"]),
    Route("/login/code", verify_code, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/password/forgot", forgot_form, methods=["GET"]),
    Route("/password/forgot", forgot, methods=["POST"]),
    Route("/password/reset", reset_form, methods=["GET"]),
    Route("/password/reset", reset, methods=["POST"]),
]
