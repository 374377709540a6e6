from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.i18n import LANG_COOKIE, LANGUAGES
from server.pages.labels import SERVICE_DESCRIPTIONS, SERVICE_NAMES, SERVICES
from server.pages.plumbing import (
    Context,
    execute,
    page_ctx,
    read_form,
    redirect,
    render,
    set_unread,
)


async def home(request: Request):
    """The public welcome page, or the practitioner's "My services" dashboard."""
    # The dashboard's own operation reads the header's notification count.
    ctx = await page_ctx(request, count_unread=False)
    if ctx.account is not None and ctx.account.is_staff:
        return redirect(request, "/admin" if ctx.account.role_list == ["ADMIN"] else "/review")
    if ctx.account is not None:
        return await dashboard(request, ctx)
    return render(request, ctx, "pages/home.html")


async def switch_language(request: Request):
    """Remembered in a cookie, and on the account when signed in (emails follow it)."""
    form = await read_form(request)
    lang = str(form.get("lang", ""))
    response = redirect(request, str(form.get("next", "/")))
    if lang in LANGUAGES:
        ctx = await page_ctx(request)
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax",
                            secure=ctx.settings.secure_cookies, httponly=True)
        if ctx.account is not None:
            await execute(ctx, "PageSetLanguage", {"input": {"language": lang}})
    return response


async def dashboard(request: Request, ctx: Context):
    data = (await execute(ctx, "PageDashboard")).data
    set_unread(request, data.get("myNotifications"))
    return render(request, ctx, "record/dashboard.html", {
        "me": data["me"], "applications": [e["node"] for e in data["myApplications"]["edges"]],
        "services": SERVICES, "service_names": SERVICE_NAMES,
        "service_descriptions": SERVICE_DESCRIPTIONS})

ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/language", switch_language, methods=["POST"]),
]

