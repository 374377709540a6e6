"""The public register for browsers: /verify (search by registration number) and
/verify/{number} (the entry a card's QR code opens)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import clock
from server.context import Context
from server.pages.plumbing import execute, is_htmx, page_ctx, render

# What was typed is shown back (never stored): cut to longer than any registration number.
MAX_SHOWN = 40
EXAMPLE_NUMBER = "25-R-0004321"


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
    """The public entry; 404 (with a way to search again) for a number nobody has."""
    ctx = await page_ctx(request)
    number = request.path_params["number"]
    entry = await _entry(ctx, number)
    return render(request, ctx, "register/entry.html",
                  {"number": number[:MAX_SHOWN], "entry": entry, "checked_on": clock.today(),
                   # What a genuine credential names as its `iss` (credential.js checks).
                   "issuer": ctx.settings.base_url.rstrip("/")},
                  status=200 if entry else 404)


ROUTES = [
    Route("/verify", search, methods=["GET"]),
    Route("/verify/{number}", entry_page, methods=["GET"]),
]
