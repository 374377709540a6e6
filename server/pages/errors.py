"""Errors shown to people: a page in their language for browsers (or, for htmx, the
page's error block, which app.js shows in its banner), JSON for everything else. Never a
traceback. The security middleware's own refusals (a body too large before the app reads
it, a missing CSRF token) come here too, through `refusal_page`."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

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
    415: N_("This type of file is not accepted"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is not available right now"),
}
EXPLANATIONS = {
    401: N_("Your session may have ended. Sign in again to continue."),
    403: N_("Nothing was saved. Reload the page and try again; if it happens again, you may "
            "not be allowed to do this."),
    404: N_("Check the address, or go back to the home page."),
    413: N_("Each file may be at most 5 MB. Nothing was saved: go back, choose a smaller "
            "file and send the form again."),
    415: N_("Upload a PDF, JPEG or PNG file. Nothing was saved: go back and choose "
            "another file."),
    429: N_("Nothing was saved. Wait a minute, then try again."),
    500: N_("Nothing you entered was lost. Try again in a moment."),
    503: N_("Nothing was saved. Try again in a few minutes."),
}
# The middleware's refusals, by its code: what the page says besides the status's title.
REFUSALS = {
    "CSRF_FAILED": N_("The page you sent this from was open too long or was not ours. "
                      "Nothing was saved: go back, reload the page and send it again."),
    "CROSS_SITE": N_("Only forms on this site can send this. Nothing was saved."),
}
# Where a browser's errors are pages; the API (and its upload endpoint) keeps its JSON.
API_PATHS = ("/graphql", "/api/", "/healthz", "/readyz", "/metrics", "/fhir/",
             "/.well-known/", "/captcha/", "/payments/webhook/")


def wants_page(path: str, headers) -> bool:
    """A browser asking for a page, or htmx asking for a fragment of one."""
    if path.startswith(API_PATHS):
        return False
    return headers.get("hx-request") == "true" or "text/html" in headers.get("accept", "")


def back_link(request: Request) -> str | None:
    """The page the request came from, on this site: the form to go back to."""
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.url.netloc:
        return None
    from server.pages.plumbing import local_url

    if parts.path == request.url.path:
        # The form was itself the answer to a post here (shown again with its errors):
        # its page is the address above (/record for /record/experience).
        return local_url(parts.path.rsplit("/", 1)[0]) if parts.path.count("/") > 1 else None
    url = local_url(parts.path + (f"?{parts.query}" if parts.query else ""))
    return url if url != "/" else None


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 500:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
    if not wants_page(request.url.path, request.headers):
        title = TITLES.get(status, TITLES[400])
        return JSONResponse({"error": {"code": status, "message": title}}, status_code=status)
    if status == 401:
        from server.pages.plumbing import redirect

        return redirect(request, "/login?next=" + quote(request.url.path, safe=""))
    return await error_page(request, status)


async def error_page(request: Request, status: int, explanation: str | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    """The error page (or, for htmx, its block) in the visitor's language."""
    from server.context import Context
    from server.pages.plumbing import is_htmx, page_ctx, render

    try:
        ctx = await page_ctx(request)
    except Exception:
        lang = request.scope.get("state", {}).get("lang", "ar")
        ctx = Context(settings=request.app.state.settings, lang=lang, request=request)
    values = {"status": status, "title": TITLES.get(status, TITLES[400]),
              "explanation": explanation or EXPLANATIONS.get(status, ""),
              "back": back_link(request)}
    return render(request, ctx, "pages/error.html", values, status=status, headers=headers,
                  block="error" if is_htmx(request) else None)


async def refusal_page(scope, receive, status: int, code: str) -> Response | None:
    """The middleware's refusal as a page, for a browser on a page route; None otherwise
    (the API answers JSON)."""
    request = Request(scope, receive)
    if not wants_page(request.url.path, request.headers):
        return None
    return await error_page(request, status, REFUSALS.get(code))
