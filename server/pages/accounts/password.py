"""The strength meter of the password forms: what the user types, judged by the very check
the server applies on submit (zxcvbn, the common list, the personal words), so the meter
never calls a password good that the form then refuses, nor the other way round."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.domain.passwords import MAX_LENGTH, password_problem, strength
from server.i18n import N_, gettext
from server.pages.plumbing import page_ctx, read_form
from server.resolvers.accounts.signup import PASSWORD_MESSAGES

LABELS = [N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong")]


async def password_strength(request: Request):
    ctx = await page_ctx(request)
    form = await read_form(request)
    password = str(form.get("password", ""))[:MAX_LENGTH + 1]
    # What the form around the field knows of the person, and the account if signed in.
    personal = [str(form.get(name, "")) for name in ("firstName", "familyName", "email")]
    if ctx.account is not None:
        personal += [ctx.account.first_name, ctx.account.family_name, ctx.account.email]
    problem = password_problem(password, [p for p in personal if p])
    score = strength(password, personal) if problem is None else min(strength(password), 2)
    return JSONResponse({
        "score": score, "ok": problem is None,
        "label": gettext(ctx.lang, LABELS[score]),
        "message": gettext(ctx.lang, PASSWORD_MESSAGES[problem]) if problem else "",
    }, headers={"cache-control": "no-store"})


ROUTES = [Route("/password/strength", password_strength, methods=["POST"])]
