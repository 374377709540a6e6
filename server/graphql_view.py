"""/graphql: Strawberry's Starlette view with our context, JSON without ASCII escaping,
no queries over GET, and GraphiQL only outside production."""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from strawberry.asgi import GraphQL

from server.config import Settings
from server.context import Context, build_context
from server.metrics import observe_graphql
from server.schema import build_schema


class GraphQLView(GraphQL):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings.production),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )

    async def execute_single(self, request, request_adapter, sub_response, context,
                             root_value, request_data):
        started = time.perf_counter()
        failed = True
        try:
            result = await super().execute_single(request, request_adapter, sub_response,
                                                  context, root_value, request_data)
            failed = bool(result.errors)
            return result
        finally:
            observe_graphql(request_data.operation_name, time.perf_counter() - started, failed)

    async def get_context(self, request: Request, response) -> Context:
        return await build_context(request)

    def encode_json(self, data: object) -> str:
        # Arabic stays Arabic: escaping it as \uXXXX makes responses about a third larger.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
