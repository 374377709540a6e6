"""The ASGI app: routes for /graphql, the pages, static files and health."""

from __future__ import annotations

import contextlib
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from server import db
from server.config import ROOT, Settings, load_settings
from server.graphql_view import GraphQLView
from server.logs import RequestLogMiddleware
from server.middleware import SecurityMiddleware
from server.pages import routes as page_routes
from server.pages.errors import http_error

log = logging.getLogger("sijil")


async def healthz(request: Request) -> Response:
    try:
        await db.ping()
    except Exception:
        log.exception("health check: the database does not answer")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, *, background: bool = False) -> Starlette:
    """`background` runs the outbox worker (and, in development, the embedded mailbox)
    inside the app's process, as `sijil serve` does."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await db.connect(settings.database_url)
        async with contextlib.AsyncExitStack() as stack:
            if background:
                from server.worker import run_in_background

                await stack.enter_async_context(run_in_background(settings))
            yield
        await db.close()

    graphql = GraphQLView(settings)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        # Every method: the view answers the ones it refuses with a GraphQL-shaped 405.
        Route("/graphql", graphql.endpoint,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        Mount("/static", StaticFiles(directory=ROOT / "web" / "static"), name="static"),
        *page_routes(settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, 500: http_error})
    app.state.settings = settings
    app.add_middleware(SecurityMiddleware, settings=settings)
    app.add_middleware(RequestLogMiddleware)
    return app
