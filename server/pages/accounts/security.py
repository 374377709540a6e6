"""The account security page: password, authenticator app, email, mobile and sessions.
Each section is its own form and its own block, swapped in place by htmx."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.plumbing import (
    Context,
    apply_session_changes,
    execute,
    is_htmx,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)

TEMPLATE = "accounts/security.html"


async def _signed_in(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    return ctx


async def _page_data(ctx: Context) -> dict:
    data = (await execute(ctx, "PageAccountSecurity")).data
    return {"me": data["me"], "sessions": data["mySessions"]}


async def _section(request: Request, ctx: Context, section: str, errors: dict,
                   extra: dict | None = None) -> object:
    """One section again: its block for htmx, the whole page otherwise."""
    data = {**await _page_data(ctx), "errors": {section: errors}, "values": {},
            "done": {} if errors else {section: True}, **(extra or {})}
    status = 422 if errors else 200
    if is_htmx(request):
        return render(request, ctx, TEMPLATE, data, block=section, status=status)
    return render(request, ctx, TEMPLATE, data, status=status)


async def page(request: Request):
    ctx = await _signed_in(request)
    return render(request, ctx, TEMPLATE, {**await _page_data(ctx), "errors": {}, "values": {},
                                           "done": {}})


async def change_password(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageChangePassword", "changePassword", {"input": {
        name: str(form.get(name, "")) for name in
        ("currentPassword", "newPassword", "newPasswordConfirmation")}})
    return await _section(request, ctx, "password", errors)


async def start_totp(request: Request):
    ctx = await _signed_in(request)
    await read_form(request)
    payload, errors = await submit(ctx, "PageStartTotpEnrolment", "startTotpEnrolment", {})
    return await _section(request, ctx, "totp", errors, {"enrolment": payload})


async def confirm_totp(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageConfirmTotpEnrolment", "confirmTotpEnrolment",
                             {"input": {"code": str(form.get("code", ""))}})
    extra = {"enrolment": {"pending": True}} if errors else {}
    return await _section(request, ctx, "totp", errors, extra)


async def remove_totp(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageRemoveTotp", "removeTotp",
                             {"input": {"password": str(form.get("password", ""))}})
    return await _section(request, ctx, "totp", errors)


async def change_email(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    new_email = str(form.get("newEmail", ""))
    _, errors = await submit(ctx, "PageRequestEmailChange", "requestEmailChange", {"input": {
        "newEmail": new_email, "password": str(form.get("password", ""))}})
    return await _section(request, ctx, "email", errors, {"values": {"newEmail": new_email}})


async def confirm_email_page(request: Request):
    ctx = await page_ctx(request)
    return render(request, ctx, "accounts/confirm_email_change.html", {
        "token": request.query_params.get("token", ""), "errors": {}})


async def confirm_email(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    token = str(form.get("token", ""))
    _, errors = await submit(ctx, "PageConfirmEmailChange", "confirmEmailChange",
                             {"input": {"token": token}})
    if errors:
        return render(request, ctx, "accounts/confirm_email_change.html",
                      {"token": token, "errors": errors}, status=422)
    return redirect(request, "/account/security?email_changed=1" if ctx.account else "/login")


async def change_mobile(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    new_mobile = str(form.get("newMobile", ""))
    _, errors = await submit(ctx, "PageRequestMobileChange", "requestMobileChange", {"input": {
        "newMobile": new_mobile, "password": str(form.get("password", ""))}})
    extra = {"values": {"newMobile": new_mobile}}
    if not errors:
        extra["mobile_code_sent"] = True
    data = {**await _page_data(ctx), "errors": {"mobile": errors}, "done": {}, **extra}
    status = 422 if errors else 200
    return render(request, ctx, TEMPLATE, data, block="mobile" if is_htmx(request) else None,
                  status=status)


async def confirm_mobile(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageConfirmMobileChange", "confirmMobileChange",
                             {"input": {"code": str(form.get("code", ""))}})
    return await _section(request, ctx, "mobile", errors,
                          {"mobile_code_sent": True} if errors else {})


async def end_session(request: Request):
    ctx = await _signed_in(request)
    form = await read_form(request)
    _, errors = await submit(ctx, "PageEndSession", "endSession",
                             {"input": {"sessionId": str(form.get("sessionId", ""))}})
    if ctx.clear_session:
        return apply_session_changes(ctx, redirect(request, "/login?signed_out=1"))
    return await _section(request, ctx, "sessions", errors)


ROUTES = [
    Route("/account/security", page, methods=["GET"]),
    Route("/account/security/password", change_password, methods=["POST"]),
    Route("/account/security/totp", start_totp, methods=["POST"]),
    Route("/account/security/totp/confirm", confirm_totp, methods=["POST"]),
    Route("/account/security/totp/remove", remove_totp, methods=["POST"]),
    Route("/account/security/email", change_email, methods=["POST"]),
    Route("/account/email/confirm", confirm_email_page, methods=["GET"]),
    Route("/account/email/confirm", confirm_email, methods=["POST"]),
    Route("/account/security/mobile", change_mobile, methods=["POST"]),
    Route("/account/security/mobile/confirm", confirm_mobile, methods=["POST"]),
    Route("/account/security/sessions/end", end_session, methods=["POST"]),
]
