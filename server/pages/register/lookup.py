"""The public register for browsers: /verify (search by name or registration number) and
/verify/{number} (the entry a card's QR code opens)."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import clock
from server.context import Context
from server.domain import codes
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.middleware import csrf_cookie_name
from server.pages.plumbing import execute, is_htmx, page_ctx, render

# What was typed is shown back (never stored): cut to longer than any registration number.
MAX_SHOWN = 40
MAX_QUERY = 100
EXAMPLE_NUMBER = "25-R-0004321"
# Anonymous entries may be kept this long by a shared cache (a proxy in front of the app
# absorbs a crowd scanning one card's QR code); a suspension shows within a minute.
SHARED_MAX_AGE = 60
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
