"""Errors shown to people: a page in their language for browsers, JSON for everything else.
Never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.i18n import N_

log = logging.getLogger("sijil")

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You cannot do this"),
    404: N_("Page not found"),
    405: N_("This is not allowed here"),
    413: N_("This is too large"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is not available right now"),
}
EXPLANATIONS = {
    401: N_("Your session may have ended. Sign in again to continue."),
    403: N_("If you think this is wrong, reload the page and try again."),
    404: N_("Check the address, or go back to the home page."),
    500: N_("Nothing you entered was lost. Try again in a moment."),
}


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 500:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
    if "text/html" not in request.headers.get("accept", ""):
        title = TITLES.get(status, TITLES[400])
        return JSONResponse({"error": {"code": status, "message": title}}, status_code=status)
    from server.pages.plumbing import page_ctx, render

    try:
        ctx = await page_ctx(request)
    except Exception:
        from server.context import Context

        ctx = Context(settings=request.app.state.settings, lang="ar", request=request)
    if status == 401:
        from server.pages.plumbing import redirect

        return redirect(request, "/login?next=" + quote(request.url.path, safe=""))
    return render(request, ctx, "pages/error.html",
                  {"status": status, "title": TITLES.get(status, TITLES[400]),
                   "explanation": EXPLANATIONS.get(status, "")}, status=status)
