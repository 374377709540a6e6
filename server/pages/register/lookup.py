"""The public register for browsers: /verify (search by name or registration number) and
/verify/{number} (the entry a card's QR code opens)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import clock
from server.context import Context
from server.domain import codes
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.pages.plumbing import execute, is_htmx, page_ctx, render

# What was typed is shown back (never stored): cut to longer than any registration number.
MAX_SHOWN = 40
MAX_QUERY = 100
EXAMPLE_NUMBER = "25-R-0004321"
STATUSES = ("ACTIVE", "EXPIRED", "SUSPENDED")
# Search results name people: no search engine should keep them.
NOINDEX = {"x-robots-tag": "noindex, nofollow"}


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


def _is_number(text: str) -> bool:
    number = normalize_registration_number(text)
    return is_registration_number_like(number) and any(c.isdigit() for c in number)


def _filters(request: Request, lang: str) -> dict:
    """The filters asked for, each kept only when it is one of the choices offered."""
    params = request.query_params
    options = {"category": codes.choices("category", lang),
               "specialty": codes.choices("specialty", lang)}
    chosen = {name: params.get(name) if params.get(name) in dict(pairs) else None
              for name, pairs in options.items()}
    chosen["status"] = params.get("status") if params.get("status") in STATUSES else None
    return {"chosen": chosen, "options": options}


async def search(request: Request) -> Response:
    """GET /verify, and GET /verify?q=… with the results below the form: a name (every word
    the start of a part of it, Arabic or English) or a registration number (its entry). A
    plain GET form, so it works (and can be bookmarked) without JavaScript; `number=` is
    the older address of a look-up by number and still works."""
    ctx = await page_ctx(request)
    params = request.query_params
    typed = params.get("q", params.get("number"))
    query = (typed or "").strip()[:MAX_QUERY]
    filters = _filters(request, ctx.lang)
    values = {"q": query[:MAX_SHOWN * 2], "searched": typed is not None, "entry": None,
              "results": None, "example": EXAMPLE_NUMBER, **filters,
              "statuses": STATUSES}
    status, headers = 200, None
    if query and _is_number(query):
        values["entry"] = await _entry(ctx, query)
    elif query:
        result = await execute(ctx, "SearchRegisterPage", {
            "query": query, **filters["chosen"], "after": params.get("after") or None})
        found = result.data["searchRegister"]
        for edge in found["edges"]:
            edge["node"]["validUntil"] = dt.date.fromisoformat(edge["node"]["validUntil"])
        values["results"] = found
        if found["pageInfo"]["hasNextPage"]:
            values["next_url"] = "/verify?" + urlencode(
                {"q": query, **{k: v for k, v in filters["chosen"].items() if v},
                 "after": found["pageInfo"]["endCursor"]})
        if params.get("after"):
            values["first_url"] = "/verify?" + urlencode(
                {"q": query, **{k: v for k, v in filters["chosen"].items() if v}})
        problems = {e["code"] for e in found["errors"]}
        # htmx swaps a 422 in but not a 429: it gets the message with the status it shows.
        limited = "RATE_LIMITED" in problems and not is_htmx(request)
        status = 429 if limited else 422 if problems else 200
    if query:
        headers = NOINDEX
    return render(request, ctx, "register/search.html", values, status=status, headers=headers,
                  block="result" if _fragment_only(request) else None)


async def entry_page(request: Request) -> Response:
    """The public entry; 404 (with a way to search again) for a number nobody has."""
    ctx = await page_ctx(request)
    number = request.path_params["number"]
    entry = await _entry(ctx, number)
    return render(request, ctx, "register/entry.html",
                  {"number": number[:MAX_SHOWN], "entry": entry, "checked_on": clock.today()},
                  status=200 if entry else 404)


ROUTES = [
    Route("/verify", search, methods=["GET"]),
    Route("/verify/{number}", entry_page, methods=["GET"]),
]
