"""The ASGI app: routes for /graphql, the pages, static files, health and metrics."""

from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route

from server import db
from server.config import Settings, load_settings
from server.graphql_view import GraphQLView
from server.health import healthz, readyz
from server.logs import RequestLogMiddleware
from server.metrics import MetricsMiddleware, metrics
from server.middleware import SecurityMiddleware
from server.pages import routes as page_routes
from server.pages.errors import http_error, refusal_page
from server.proxies import ForwardedMiddleware
from server.static_files import HashedStaticFiles, favicon
from server.templating import static_manifest

# Smaller bodies gain nothing from compression but its cost; nor do formats that are
# compressed already (documents, cards, exports, fonts), nor streams.
GZIP_MINIMUM_SIZE = 500
NOT_COMPRESSED = ("text/event-stream", "application/pdf", "application/zip", "image/png",
                  "image/jpeg", "image/webp", "font/woff2")


def create_app(settings: Settings | None = None, *, background: bool = False) -> Starlette:
    """`background` runs the outbox worker (and, in development, the embedded mailbox)
    inside the app's process, as `sijil serve` does."""
    settings = settings or load_settings()
    static_manifest()  # the static files' hashes, once, before the first request

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
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        # Every method: the view answers the ones it refuses with a GraphQL-shaped 405.
        Route("/graphql", graphql.endpoint,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", HashedStaticFiles(), name="static"),
        *page_routes(settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, 500: http_error})
    app.state.settings = settings
    # Innermost first: the security headers go on the compressed response too, and the
    # request log and the metrics see every response, the middleware's own refusals too.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE,
                       exclude_content_types=NOT_COMPRESSED)
    app.add_middleware(SecurityMiddleware, settings=settings, refusal_page=refusal_page)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(ForwardedMiddleware, trusted=settings.forwarded_allow_ips)  # outermost
    return app
