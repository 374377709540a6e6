"""/graphql by the GraphQL-over-HTTP specification: POST with JSON, answered as
application/graphql-response+json or application/json (whichever the client accepts), every
refusal a GraphQL-shaped body with `extensions.code`, the limits in headers; GraphiQL (our
own page, vendored, no CDN) only outside production. docs/api.md explains each status."""

from __future__ import annotations

import json
import time

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from server.config import Settings
from server.context import Context, bearer_token, build_context
from server.graphql_http import GRAPHQL_RESPONSE, JSON, error_body, negotiate
from server.i18n import N_, gettext
from server.metrics import observe_graphql
from server.schema import MAX_TOKENS, build_schema
from server.schema.register.search_plan import search_plan_for
from server.schema.register.verify_plan import plan_for

ALLOWED = {OperationType.QUERY, OperationType.MUTATION}
GRAPHIQL_CSP = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                "form-action 'self'")


class GraphQLView:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schema = build_schema(settings.production)

    async def endpoint(self, request: Request) -> Response:
        if request.method == "GET" and not self.settings.production and \
                "text/html" in request.headers.get("accept", ""):
            return await self.graphiql(request)
        ctx = await build_context(request)
        media = negotiate(request.headers.get("accept"))
        if request.method != "POST":
            # Queries over GET would be cacheable and loggable with their variables.
            return refusal(405, "METHOD_NOT_ALLOWED", ctx.lang, media, {"allow": "POST"})
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            return refusal(415, "UNSUPPORTED_MEDIA_TYPE", ctx.lang, media)
        params = _params(await request.body())
        if params is None:
            return refusal(400, "BAD_REQUEST", ctx.lang, media)
        if bearer_token(request) and ctx.session is None and ctx.api_key is None:
            # An expired, signed-out or unknown token says so, rather than `me: null`.
            return refusal(401, "UNAUTHENTICATED", ctx.lang, media,
                           {"www-authenticate": 'Bearer error="invalid_token"'})
        started = time.perf_counter()
        if ctx.api_key is None and not ctx.api_key_refused:
            # The public look-up's and the register search's own documents skip
            # graphql-core (verify_plan.py, search_plan.py).
            plan = plan_for(params["query"], MAX_TOKENS)
            search = None if plan is not None else search_plan_for(params["query"], MAX_TOKENS)
            if plan is not None or search is not None:
                try:
                    data = await (plan.answer(params.get("variables"),
                                              params.get("operationName")) if plan is not None
                                  else search.answer(ctx, params.get("variables"),
                                                     params.get("operationName")))
                except Exception:  # answered (and logged) by the GraphQL path below
                    data = None
                if data is not None:
                    observe_graphql(params.get("operationName"),
                                    time.perf_counter() - started, False)
                    return Response(json.dumps({"data": data}, ensure_ascii=False,
                                               separators=(",", ":")),
                                    media_type=media, headers=_limit_headers(ctx, []))
        try:
            result = await self.schema.execute(
                params["query"], variable_values=params.get("variables"), context_value=ctx,
                operation_name=params.get("operationName"), allowed_operation_types=ALLOWED,
                operation_extensions=params.get("extensions"))
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError):
            observe_graphql(params.get("operationName"), time.perf_counter() - started, True)
            return refusal(400, "BAD_REQUEST", ctx.lang, media)
        observe_graphql(params.get("operationName"), time.perf_counter() - started,
                        bool(result.errors))
        # Request errors (the spec's term): nothing ran, so the answer has no `data`.
        before = isinstance(result, PreExecutionError)  # parsing, validation, the rate
        request_error = before or (result.data is None and bool(result.errors) and all(
            e.path is None for e in result.errors))  # variables that do not fit their types
        errors = [_coded(e, before) for e in result.errors or []]
        body: dict = {"errors": [e.formatted for e in errors]} if errors else {}
        if not request_error:
            body = {"data": result.data, **body}
        status = _status(errors, request_error, media)
        headers = _limit_headers(ctx, errors)
        return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        status_code=status, media_type=media, headers=headers)

    async def graphiql(self, request: Request) -> Response:
        from server.pages.plumbing import page_ctx, render

        ctx = await page_ctx(request)
        response = render(request, ctx, "dev/graphiql.html",
                          {"title": gettext(ctx.lang, N_("GraphiQL: explore the API"))})
        response.headers["content-security-policy"] = GRAPHIQL_CSP
        return response


def refusal(status: int, code: str, lang: str, media: str,
            headers: dict[str, str] | None = None) -> Response:
    return Response(error_body(code, lang), status_code=status, media_type=media,
                    headers=headers)


def _params(raw: bytes) -> dict | None:
    """The request's parameters when they are one well-formed GraphQL request, else None
    (batches are refused: one request, one set of limits)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return None
    for name, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
        if data.get(name) is not None and not isinstance(data[name], kind):
            return None
    return data


def _coded(error: GraphQLError, before_execution: bool) -> GraphQLError:
    """Every error carries `extensions.code`: the ones from our resolvers and limits have
    theirs; graphql-core's syntax, validation and variable errors get the usual names."""
    if (error.extensions or {}).get("code"):
        return error
    if isinstance(error, GraphQLSyntaxError) or isinstance(error.original_error,
                                                           GraphQLSyntaxError):
        code = "GRAPHQL_PARSE_FAILED"
    elif before_execution:
        code = "GRAPHQL_VALIDATION_FAILED"
    elif error.path is None:
        code = "BAD_USER_INPUT"  # a variable's value does not fit its type
    else:
        code = "INTERNAL_SERVER_ERROR"
    return GraphQLError(error.message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        original_error=error.original_error,
                        extensions={**(error.extensions or {}), "code": code})


def _status(errors: list[GraphQLError], request_error: bool, media: str) -> int:
    codes = {(e.extensions or {}).get("code") for e in errors}
    if "RATE_LIMITED" in codes and request_error:
        return 429  # the whole request was refused for its rate, in either media type
    if request_error and media == GRAPHQL_RESPONSE:
        return 400
    return 200  # application/json: 200 for every well-formed request, as the spec asks


def _limit_headers(ctx: Context, errors: list[GraphQLError]) -> dict[str, str]:
    """The mutation rate (draft-ietf-httpapi-ratelimit-headers-06) and, when anything was
    refused for its rate, Retry-After (docs/api.md, "Limits")."""
    headers: dict[str, str] = {}
    if ctx.rate_limit is not None:
        limit, remaining, reset = ctx.rate_limit
        headers.update({"ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining),
                        "ratelimit-reset": str(reset)})
    waits = [int(e.extensions["retryAfter"]) for e in errors
             if (e.extensions or {}).get("retryAfter")]
    if ctx.retry_after:
        waits.append(ctx.retry_after)
    if waits:
        headers["retry-after"] = str(max(waits))
    return headers
