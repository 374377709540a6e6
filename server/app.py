"""The ASGI app: routes for /graphql, the pages, static files, health and metrics."""

from __future__ import annotations

import contextlib
import gc

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


# The youngest generation is collected after this many more allocations than frees (Python's
# default is 700: a collection every few requests).
GC_GEN0_THRESHOLD = 20_000


def settle_garbage_collector() -> tuple[int, int, int]:
    """Everything built at start-up (the schema, the routes, the ORM's models, the
    translations: ~190,000 objects) lives as long as the process, yet every full collection
    walked it again: ~50-130 ms with the event loop stopped, the p99 of every request in
    flight (docs/performance.md, "Where the time goes"). Frozen, a full collection walks only
    what came after; and the youngest generation is collected less often."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, before[1], before[2])
    return before


def create_app(settings: Settings | None = None, *, background: bool = False) -> Starlette:
    """`background` runs the outbox worker (and, in development, the embedded mailbox)
    inside the app's process, as `sijil serve` does."""
    settings = settings or load_settings()
    static_manifest()  # the static files' hashes, once, before the first request

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await db.connect(settings.database_url)
        thresholds = settle_garbage_collector()
        async with contextlib.AsyncExitStack() as stack:
            if background:
                from server.worker import run_in_background

                await stack.enter_async_context(run_in_background(settings))
            yield
        await db.close()
        gc.unfreeze()  # what was frozen may be collected again (tests start many apps)
        gc.set_threshold(*thresholds)

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
