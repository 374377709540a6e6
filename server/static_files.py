"""Static files under content-hashed URLs (`server.templating.static_url`), which a browser
and any shared cache may keep for a year, since a changed file gets a new URL.

The plain names stay served, revalidated on every use (`no-cache`): the files that a
stylesheet or script refers to by a relative URL (fonts, the ALTCHA widget's workers) are
fetched under them, and after an upgrade they must not be served stale."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from server.templating import STATIC_DIR, static_originals

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class HashedStaticFiles(StaticFiles):
    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    async def get_response(self, path: str, scope) -> Response:
        original = static_originals().get(path)
        response = await super().get_response(original or path, scope)
        response.headers["cache-control"] = IMMUTABLE if original else REVALIDATE
        return response


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the pages link the SVG."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon",
                        headers={"cache-control": "public, max-age=86400"})
