"""How a browser page talks to the schema: it runs a named operation from web/operations in
process, with the same context as /graphql, and renders a template (or one block of it, the
fragment htmx swaps in) with the payload.

- htmx request (`HX-Request`): errors → the form block again with status 422;
  success → the next fragment, or `HX-Redirect` (htmx ignores headers on 3xx).
- plain request (JavaScript off): errors → the whole page with status 422;
  success → 303 See Other.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2_fragments import render_block
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from strawberry.types import ExecutionResult

from server.config import ROOT
from server.context import Context, build_context, session_cookie_name
from server.i18n import LANGUAGES, direction, format_date, isolate, translations
from server.middleware import CSRF_FIELD, tokens_match
from server.schema import build_schema

TEMPLATES_DIR = ROOT / "web" / "templates"
OPERATIONS_DIR = ROOT / "web" / "operations"


# ------------------------------------------------------------------ templates

@pass_context
def _gettext(ctx, message: str, **values) -> str:
    text = translations(ctx.get("lang", "ar")).gettext(message)
    return text % values if values else text


@pass_context
def _ngettext(ctx, singular: str, plural: str, n: int, **values) -> str:
    text = translations(ctx.get("lang", "ar")).ngettext(singular, plural, n)
    return text % {"num": n, **values}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.filters["isolate"] = isolate
    env.globals["static"] = static_url
    return env


@cache
def _static_versions() -> dict[str, str]:
    return {}


def static_url(path: str) -> str:
    """A cache-busting URL: the file's modification time as a query string."""
    versions = _static_versions()
    if path not in versions:
        file = ROOT / "web" / "static" / path
        versions[path] = str(int(file.stat().st_mtime)) if file.exists() else "0"
    return f"/static/{path}?v={versions[path]}"


def page_context(request: Request, ctx: Context, **values: Any) -> dict[str, Any]:
    lang = ctx.lang
    return {
        "request": request,
        "lang": lang,
        "dir": direction(lang),
        "other_lang": next(code for code in LANGUAGES if code != lang),
        "csrf_token": request.scope.get("state", {}).get("csrf_token", ""),
        "account": ctx.account,
        "settings": ctx.settings,
        "today": dt.date.today(),
        "date": lambda value, hijri=True: format_date(value, lang, hijri),
        **values,
    }


def render(request: Request, ctx: Context, template: str, values: dict | None = None,
           *, block: str | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    data = page_context(request, ctx, **(values or {}))
    if block is not None:
        html = render_block(environment(), template, block, **data)
    else:
        html = environment().get_template(template).render(**data)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["vary"] = "HX-Request, Cookie"
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "vary": "HX-Request"})
    return RedirectResponse(url, status_code=303, headers={"vary": "HX-Request"})


# ------------------------------------------------------------------ operations

@cache
def operations() -> dict[str, str]:
    """Every named operation under web/operations, as the document that defines it."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        found.update(operations_in(path))
    return found


def operations_in(path: Path) -> dict[str, str]:
    source = path.read_text()
    document = parse(source)
    names = [d.name.value for d in document.definitions
             if isinstance(d, OperationDefinitionNode) and d.name]
    # Each operation runs with the whole file as its document, so fragments can be shared.
    return dict.fromkeys(names, source)


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


async def page_ctx(request: Request) -> Context:
    ctx = request.scope.get("state", {}).get("sijil_context")
    if ctx is None:
        ctx = await build_context(request)
        request.scope.setdefault("state", {})["sijil_context"] = ctx
    return ctx


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
