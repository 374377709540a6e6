"""How a browser page talks to the schema: it runs a named operation from web/operations in
process, with the same context as /graphql, and renders a template (or one block of it, the
fragment htmx swaps in) with the payload.

- htmx request (`HX-Request`): errors → the form block again with status 422;
  success → the next fragment, or `HX-Redirect` (htmx ignores headers on 3xx).
- plain request (JavaScript off): errors → the whole page with status 422;
  success → 303 See Other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from strawberry.types import ExecutionResult

from server import clock
from server.config import WEB_DIR
from server.context import Context, build_context, session_cookie_name
from server.i18n import LANGUAGES, direction, format_date, format_day, format_time
from server.middleware import CSRF_FIELD, mask_token, tokens_match
from server.schema import build_schema
from server.templating import render_page

OPERATIONS_DIR = WEB_DIR / "operations"


# ------------------------------------------------------------------ templates

def page_context(request: Request, ctx: Context, **values: Any) -> dict[str, Any]:
    lang = ctx.lang
    return {
        "request": request,
        "lang": lang,
        "dir": direction(lang),
        "other_lang": next(code for code in LANGUAGES if code != lang),
        "csrf_token": mask_token(request.scope.get("state", {}).get("csrf_token", "")),
        "account": ctx.account,
        "settings": ctx.settings,
        "today": clock.today(),
        "date": lambda value, hijri=True: format_date(value, lang, hijri),
        "unread_notifications": request.scope.get("state", {}).get("unread_notifications", 0),
        "time": lambda value: format_time(value, lang),
        "day": lambda value, hijri=False: format_day(value, lang, hijri),
        **values,
    }


def render(request: Request, ctx: Context, template: str, values: dict | None = None,
           *, block: str | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    data = page_context(request, ctx, **(values or {}))
    html = render_page(template, data, block, reload=not ctx.settings.production)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["vary"] = "HX-Request, Cookie"
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def local_url(url: object) -> str:
    """A path on this site, or "/": the one gate of every redirect and every `next`.
    Browsers read `\\` as `/`, drop tabs and newlines anywhere in a URL and leading spaces
    and controls, and htmx follows `HX-Redirect` as it stands, so anything that could turn
    into `//host` (also once percent-decoded, as `next` is when carried in a query) or any
    control, space or format character gives "/". Other non-ASCII is percent-encoded, which
    also keeps the header latin-1."""
    if not isinstance(url, str) or not url.startswith("/"):
        return "/"
    decoded = url
    for _ in range(3):  # /%252F%252F… unwraps to //… after a few decodings
        decoded = unquote(decoded)
    for text in (url, decoded, unicodedata.normalize("NFKC", decoded)):  # ／ is /
        if text.startswith("//") or "\\" in text or any(
                unicodedata.category(ch)[0] in "CZ" for ch in text):
            return "/"
    if urlsplit(url).scheme or urlsplit(url).netloc:
        return "/"
    return quote(url, safe="".join(chr(c) for c in range(0x21, 0x7F)))


def redirect(request: Request, url: str, *, external: bool = False) -> Response:
    """303, or htmx's `HX-Redirect`, to a path on this site (see `local_url`). `external`
    only for an address the server itself chose (a payment gateway's page)."""
    url = _gateway_url(url) if external else local_url(url)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "vary": "HX-Request"})
    return RedirectResponse(url, status_code=303, headers={"vary": "HX-Request"})


def _gateway_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or not re.fullmatch(
            r"[!-\[\]-~]+", url):
        raise ValueError("a gateway address must be a plain http(s) URL")
    return url


# ------------------------------------------------------------------ operations

@cache
def operations() -> dict[str, str]:
    """Every named operation under web/operations, as the document that defines it."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        found.update(operations_in(path))
    return found


def operations_in(path: Path) -> dict[str, str]:
    """Each operation as its own document, with the fragments it uses: validation (and the
    one-sign-in-mutation rule) sees exactly what runs."""
    document = parse(path.read_text())
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return {
        d.name.value: print_ast(DocumentNode(definitions=(d, *_used(d, fragments))))
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name
    }


def _used(node, fragments: dict) -> list[FragmentDefinitionNode]:
    """The fragments `node` spreads, and the ones those spread, each once."""
    found: dict[str, FragmentDefinitionNode] = {}
    pending = [node]
    while pending:
        current = pending.pop()

        class Spreads(Visitor):
            def enter_fragment_spread(self, spread, *_args) -> None:
                name = spread.name.value
                if name not in found and name in fragments:
                    found[name] = fragments[name]
                    pending.append(fragments[name])

        visit(current, Spreads())
    return list(found.values())


async def execute(ctx: Context, name: str, variables: dict | None = None) -> ExecutionResult:
    document = operations()[name]
    result = await build_schema(ctx.settings.production).execute(
        document, variable_values=variables, context_value=ctx, operation_name=name)
    if result.errors:
        # A page's own operation failing at the top level is a bug or a lost session.
        codes = {(e.extensions or {}).get("code") for e in result.errors}
        if "UNAUTHENTICATED" in codes:
            raise HTTPException(401)
        if "FORBIDDEN" in codes:
            raise HTTPException(403)
        raise RuntimeError(f"operation {name} failed: {result.errors}")
    return result


async def page_ctx(request: Request, count_unread: bool = True) -> Context:
    """The request's context; with `count_unread`, also the header's notification count
    (a page whose own operation reads it passes False and calls `set_unread`)."""
    ctx = request.scope.get("state", {}).get("sijil_context")
    if ctx is None:
        ctx = await build_context(request)
        request.scope.setdefault("state", {})["sijil_context"] = ctx
        if count_unread:
            await _count_unread(request, ctx)
    return ctx


def set_unread(request: Request, notifications: dict | None) -> None:
    """The header's count, from a page operation that selected `myNotifications {
    unreadCount }` (one operation a page instead of two)."""
    request.scope.setdefault("state", {})["unread_notifications"] = (
        (notifications or {}).get("unreadCount") or 0)


async def _count_unread(request: Request, ctx: Context) -> None:
    """The header's notification count (components/site_nav.html), for a full page seen by
    a signed-in practitioner: one COUNT query, not run for htmx fragments."""
    if ctx.account is None or ctx.account.is_staff or is_htmx(request) \
            or request.method != "GET":
        return
    data = (await execute(ctx, "HeaderUnreadNotifications")).data
    request.scope["state"]["unread_notifications"] = (
        data["myNotifications"]["unreadCount"] if data else 0)


def apply_session_changes(ctx: Context, response: Response) -> Response:
    """A sign-in or sign-out mutation asks the page to set or clear the session cookie."""
    name = session_cookie_name(ctx.settings)
    if ctx.set_session_token:
        response.set_cookie(name, ctx.set_session_token, httponly=True, samesite="lax",
                            secure=ctx.settings.secure_cookies, path="/")
    elif ctx.clear_session:
        response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                               secure=ctx.settings.secure_cookies)
    return response


# ------------------------------------------------------------------ forms

async def read_form(request: Request) -> FormData:
    """The submitted form, after the CSRF check the middleware left to us for plain forms."""
    form = await request.form(max_part_size=256 * 1024)
    state = request.scope.get("state", {})
    if state.get("csrf_verified") is False and not tokens_match(
        str(form.get(CSRF_FIELD, "")), state.get("csrf_token")
    ):
        raise HTTPException(403, "The security token is missing or wrong. Reload the page.")
    return form


def field_errors(payload: dict) -> dict[str, str]:
    """`errors` of a payload keyed by field (None → "_form"), first message of each."""
    found: dict[str, str] = {}
    for error in payload.get("errors") or []:
        found.setdefault(error.get("field") or "_form", error["message"])
    return found


async def submit(ctx: Context, operation: str, payload_key: str,
                 variables: dict) -> tuple[dict, dict[str, str]]:
    """Run a page's mutation; returns (payload, errors by field)."""
    result = await execute(ctx, operation, variables)
    payload = (result.data or {})[payload_key] or {}
    return payload, field_errors(payload)


def form_response(request: Request, ctx: Context, template: str, values: dict,
                  errors: dict[str, str], block: str = "form") -> HTMLResponse:
    """The form again with its errors and what was typed: the block for htmx, the page
    without it; 422 either way."""
    data = {**values, "errors": errors}
    if is_htmx(request):
        return render(request, ctx, template, data, block=block, status=422)
    return render(request, ctx, template, data, status=422)


def form_values(form: FormData, *names: str) -> dict[str, str]:
    """What the user typed, to show again (passwords are never among `names`)."""
    return {name: str(form.get(name, "")) for name in names}
