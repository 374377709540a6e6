"""FHIR R4 over HTTP (read only): /fhir/metadata, /fhir/Practitioner, /fhir/Practitioner/{id}
and /fhir/PractitionerRole. A non-GraphQL surface, so the routes call the FHIR resolvers
(server/resolvers/register/fhir.py) directly; every answer is `application/fhir+json`,
every error an OperationOutcome."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.pages.plumbing import page_ctx
from server.resolvers.register import fhir

FHIR_JSON = "application/fhir+json"


def _answer(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                    status_code=status, media_type=FHIR_JSON,
                    headers={"cache-control": "no-store", **(headers or {})})


async def _guarded(make: Callable[[], Awaitable[dict]]) -> Response:
    try:
        return _answer(await make())
    except fhir.FhirError as error:
        headers = {"retry-after": str(error.retry_after)} if error.retry_after else None
        return _answer(fhir.operation_outcome(error), error.status, headers)


def _self_url(request: Request, base_url: str) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base_url}{request.url.path}{query}"


async def metadata(request: Request) -> Response:
    ctx = await page_ctx(request)
    return _answer(fhir.capability_statement(ctx.settings.base_url))


async def practitioners(request: Request) -> Response:
    ctx = await page_ctx(request)
    return await _guarded(lambda: fhir.search_practitioners(
        ctx, request.query_params, _self_url(request, ctx.settings.base_url)))


async def practitioner(request: Request) -> Response:
    ctx = await page_ctx(request)
    return await _guarded(lambda: fhir.read_practitioner(ctx, request.path_params["id"]))


async def roles(request: Request) -> Response:
    ctx = await page_ctx(request)
    return await _guarded(lambda: fhir.search_roles(
        ctx, request.query_params, _self_url(request, ctx.settings.base_url)))


ROUTES = [
    Route("/fhir/metadata", metadata, methods=["GET"]),
    Route("/fhir/Practitioner", practitioners, methods=["GET"]),
    Route("/fhir/Practitioner/{id}", practitioner, methods=["GET"]),
    Route("/fhir/PractitionerRole", roles, methods=["GET"]),
]
