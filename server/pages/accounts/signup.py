"""Pages for creating an account: /register, the email link, the SMS code."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.integrations import captcha
from server.pages.plumbing import (
    execute,
    form_response,
    form_values,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)

REGISTER_FIELDS = ("firstName", "familyName", "email", "emailConfirmation", "mobile")


async def captcha_challenge(request: Request):
    settings = request.app.state.settings
    return JSONResponse(captcha.challenge(settings.secret_key, settings.captcha_cost))


def _robot_question(request: Request) -> dict:
    """The sum asked instead of the proof of work when JavaScript is off (<noscript>)."""
    return captcha.question(request.app.state.settings.secret_key)


def _captcha_of(form) -> str:
    """The widget's payload, or without JavaScript the question's token and the answer."""
    solved = str(form.get("altcha", ""))
    token = str(form.get("robotQuestion", ""))
    if not solved and token:
        return captcha.answer_payload(token, str(form.get("robotAnswer", "")))
    return solved


async def register_form(request: Request):
    ctx = await page_ctx(request)
    return render(request, ctx, "accounts/register.html", {
        "values": {}, "errors": {}, "robot_question": _robot_question(request)})


async def register(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    values = form_values(form, *REGISTER_FIELDS)
    payload, errors = await submit(ctx, "PageRegisterAccount", "registerAccount", {"input": {
        **values,
        "password": str(form.get("password", "")),
        "passwordConfirmation": str(form.get("passwordConfirmation", "")),
        "acceptTerms": form.get("acceptTerms") == "1",
        "captcha": _captcha_of(form),
    }})
    if errors:
        values["acceptTerms"] = form.get("acceptTerms") == "1"
        return form_response(request, ctx, "accounts/register.html", {
            "values": values, "robot_question": _robot_question(request)}, errors)
    return redirect(request, f"/register/mobile?account={payload['account']['id']}&new=1")


async def confirm_page(request: Request):
    """The emailed link opens a page with a button: mail scanners that follow links must not
    spend the token."""
    ctx = await page_ctx(request)
    token = request.query_params.get("token", "")
    return render(request, ctx, "accounts/confirm_email.html",
                  {"token": token, "errors": {}, "values": {}})


async def confirm(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    token = str(form.get("token", ""))
    payload, errors = await submit(ctx, "PageConfirmEmail", "confirmEmail",
                                   {"input": {"token": token}})
    if errors:
        return form_response(request, ctx, "accounts/confirm_email.html",
                             {"token": token, "values": {}}, errors)
    account = payload["account"]
    if not account["mobileVerified"]:
        return redirect(request, f"/register/mobile?account={account['id']}&email=1")
    return redirect(request, "/login?ready=1")


async def resend_email(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    values = form_values(form, "email")
    _, errors = await submit(ctx, "PageResendConfirmationEmail", "resendConfirmationEmail",
                             {"input": values})
    if errors:
        return form_response(request, ctx, "accounts/confirm_email.html",
                             {"token": "", "values": values}, errors, block="resend")
    return render(request, ctx, "accounts/confirm_email.html",
                  {"token": "", "values": values, "errors": {}, "resent": True},
                  block="resend" if request.headers.get("hx-request") else None)


async def _pending(ctx, account_id: str) -> dict | None:
    """The new account's sign-up progress (its mobile, what is verified), or None."""
    return (await execute(ctx, "PageSignUpProgress", {"accountId": account_id})
            ).data["signUpProgress"]


async def _mobile_page_values(request: Request, account: dict | None) -> dict:
    return {
        "account": account,
        "account_id": account["accountId"] if account else "",
        "just_registered": request.query_params.get("new") == "1",
        "email_confirmed": request.query_params.get("email") == "1",
        "resend_wait": 60,
    }


async def mobile_form(request: Request):
    ctx = await page_ctx(request)
    account = await _pending(ctx, request.query_params.get("account", ""))
    values = await _mobile_page_values(request, account)
    return render(request, ctx, "accounts/verify_mobile.html",
                  {**values, "values": {}, "errors": {}}, status=200 if account else 404)


async def verify_mobile(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    account_id = str(form.get("accountId", ""))
    payload, errors = await submit(ctx, "PageVerifyMobile", "verifyMobile", {"input": {
        "accountId": account_id, "code": str(form.get("code", ""))}})
    if errors:
        account = await _pending(ctx, account_id)
        values = await _mobile_page_values(request, account)
        return form_response(request, ctx, "accounts/verify_mobile.html",
                             {**values, "values": {}}, errors)
    if not payload["account"]["emailVerified"]:
        return redirect(request, f"/register/mobile?account={account_id}&done=1")
    return redirect(request, "/login?ready=1")


async def resend_mobile(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    account_id = str(form.get("accountId", ""))
    _, errors = await submit(ctx, "PageResendMobileCode", "resendMobileCode",
                             {"input": {"accountId": account_id}})
    account = await _pending(ctx, account_id)
    values = await _mobile_page_values(request, account)
    data = {**values, "values": {}, "resent": not errors}
    if errors:
        return form_response(request, ctx, "accounts/verify_mobile.html", data, errors)
    return render(request, ctx, "accounts/verify_mobile.html", {**data, "errors": {}},
                  block="form" if request.headers.get("hx-request") else None)


ROUTES = [
    Route("/captcha/challenge", captcha_challenge, methods=["GET"]),
    Route("/register", register_form, methods=["GET"]),
    Route("/register", register, methods=["POST"]),
    Route("/register/confirm", confirm_page, methods=["GET"]),
    Route("/register/confirm", confirm, methods=["POST"]),
    Route("/register/confirm/resend", resend_email, methods=["POST"]),
    Route("/register/mobile", mobile_form, methods=["GET"]),
    Route("/register/mobile", verify_mobile, methods=["POST"]),
    Route("/register/mobile/resend", resend_mobile, methods=["POST"]),
]
