"""Static files under content-hashed URLs: `static_url("css/sijil.css")` gives
`/static/css/sijil.3f2a9c1e.css`, which a browser and any shared cache may keep for a year,
since a changed file gets a new URL. The hashes are computed once per process.

The plain names stay served, revalidated on every use (`no-cache`): the files that a
stylesheet or script refers to by a relative URL (fonts, the ALTCHA widget's workers) are
fetched under them, and after an upgrade they must not be served stale."""

from __future__ import annotations

import hashlib
from functools import cache

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from server.config import WEB_DIR

STATIC_DIR = WEB_DIR / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@cache
def manifest() -> dict[str, str]:
    """Each static file's path → its hashed path (`js/app.js` → `js/app.0c1d2e3f.js`)."""
    found = {}
    for file in sorted(STATIC_DIR.rglob("*")):
        if file.is_file():
            path = file.relative_to(STATIC_DIR).as_posix()
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:8]
            stem, dot, suffix = path.rpartition(".")
            found[path] = f"{stem}.{digest}.{suffix}" if dot else f"{path}.{digest}"
    return found


@cache
def _originals() -> dict[str, str]:
    return {hashed: path for path, hashed in manifest().items()}


def static_url(path: str) -> str:
    """The hashed URL of a file under web/static; a KeyError names a file that is not there,
    so a mistyped name fails the render instead of shipping a broken link."""
    return f"/static/{manifest()[path]}"


class HashedStaticFiles(StaticFiles):
    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    async def get_response(self, path: str, scope) -> Response:
        original = _originals().get(path)
        response = await super().get_response(original or path, scope)
        response.headers["cache-control"] = IMMUTABLE if original else REVALIDATE
        return response


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the pages link the SVG."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon",
                        headers={"cache-control": "public, max-age=86400"})
