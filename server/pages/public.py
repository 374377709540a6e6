"""The public register for browsers: /verify (search by registration number) and
/verify/{number} (the entry a card's QR code opens); and the owner's card,
/cards/{number}.pdf."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.context import Context
from server.domain.applications import normalize_registration_number
from server.pages.plumbing import execute, is_htmx, page_ctx, render
from server.resolvers.cards import card_pdf_for
from server.resolvers.registry import today

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
    return render(request, ctx, "public/search.html", values,
                  block="result" if _fragment_only(request) else None)


async def entry_page(request: Request) -> Response:
    """The public entry; 404 (with a way to search again) for a number nobody has."""
    ctx = await page_ctx(request)
    number = request.path_params["number"]
    entry = await _entry(ctx, number)
    return render(request, ctx, "public/entry.html",
                  {"number": number[:MAX_SHOWN], "entry": entry, "checked_on": today(),
                   # What a genuine credential names as its `iss` (credential.js checks).
                   "issuer": ctx.settings.base_url.rstrip("/")},
                  status=200 if entry else 404)


async def card(request: Request) -> Response:
    """The registration card, to its owner only. Anyone else, signed in, gets the same 404
    as for a number that does not exist: the answer never says "exists, but not yours"."""
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    number = request.path_params["number"]
    pdf = await card_pdf_for(number, ctx.settings, owner_account_id=ctx.account.id)
    if pdf is None:
        raise HTTPException(404)
    # Found, so the normalised number is one the register holds: safe in a header.
    filename = f"sijil-card-{normalize_registration_number(number)}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        # Personal data: no shared cache may keep it, nor the browser's.
        "cache-control": "no-store",
    })


ROUTES = [
    Route("/verify", search, methods=["GET"]),
    Route("/verify/{number}", entry_page, methods=["GET"]),
    Route("/cards/{number}.pdf", card, methods=["GET"]),
]
