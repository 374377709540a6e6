"""The public register for browsers: /verify (search by registration number) and
/verify/{number} (the entry a card's QR code opens)."""

from __future__ import annotations

import datetime as dt
import hashlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import clock
from server.context import Context
from server.middleware import csrf_cookie_name
from server.pages.plumbing import execute, is_htmx, page_ctx, render

# What was typed is shown back (never stored): cut to longer than any registration number.
MAX_SHOWN = 40
EXAMPLE_NUMBER = "25-R-0004321"
# Anonymous entries may be kept this long by a shared cache (a proxy in front of the app
# absorbs a crowd scanning one card's QR code); a suspension shows within a minute.
SHARED_MAX_AGE = 60


async def _entry(ctx: Context, number: str) -> dict | None:
    result = await execute(ctx, "PublicRegisterEntry", {"registrationNumber": number})
    entry = (result.data or {}).get("verifyPractitioner")
    if entry:
        # GraphQL gives "YYYY-MM-DD"; the templates' date() wants a date for the Hijri one.
        entry["validUntil"] = dt.date.fromisoformat(entry["validUntil"])
    return entry


def _fragment_only(request: Request) -> bool:
    """htmx swapping the result in; a history restore (back button with the history cache
    off) is an htmx request too, but it needs the whole page."""
    return is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"


async def search(request: Request) -> Response:
    """GET /verify, and GET /verify?number=… with the result below the form; a plain GET
    form, so it works (and can be bookmarked) without JavaScript."""
    ctx = await page_ctx(request)
    typed = request.query_params.get("number")
    number = (typed or "").strip()
    values = {"number": number[:MAX_SHOWN], "searched": typed is not None, "entry": None,
              "example": EXAMPLE_NUMBER}
    if number:
        values["entry"] = await _entry(ctx, number)
    return render(request, ctx, "register/search.html", values,
                  block="result" if _fragment_only(request) else None)


async def entry_page(request: Request) -> Response:
    """The public entry; 404 (with a way to search again) for a number nobody has.

    Anonymous, the page is the same for everyone who sends the same cookies and languages
    (`Vary`), so a shared cache may keep it, and it carries an ETag for a 304. A visitor
    without a CSRF cookie yet gets a page with no token in it: a cached copy must not hand
    out one visitor's token (nor, the middleware sees to it, a cookie). Signed in, the page
    shows the visitor's own navigation: private."""
    ctx = await page_ctx(request)
    anonymous = ctx.account is None
    if anonymous and csrf_cookie_name(ctx.settings) not in request.cookies:
        request.scope["state"]["csrf_token"] = ""
    number = request.path_params["number"]
    entry = await _entry(ctx, number)
    response = render(request, ctx, "register/entry.html",
                      {"number": number[:MAX_SHOWN], "entry": entry, "checked_on": clock.today(),
                       # What a genuine credential names as its `iss` (credential.js checks).
                       "issuer": ctx.settings.base_url.rstrip("/")},
                      status=200 if entry else 404)
    if not anonymous:
        response.headers["cache-control"] = "private, no-store"
        return response
    etag = f'W/"{hashlib.sha256(response.body).hexdigest()[:32]}"'
    response.headers["cache-control"] = f"public, max-age={SHARED_MAX_AGE}"
    response.headers["etag"] = etag
    response.headers["vary"] = "HX-Request, Cookie, Accept-Language"
    sent = {tag.strip().removeprefix("W/") for tag in
            request.headers.get("if-none-match", "").split(",")}
    if etag.removeprefix("W/") in sent or "*" in sent:
        return Response(status_code=304, headers={
            name: response.headers[name] for name in ("cache-control", "etag", "vary")})
    return response


ROUTES = [
    Route("/verify", search, methods=["GET"]),
    Route("/verify/{number}", entry_page, methods=["GET"]),
]
