"""GET /.well-known/jwks.json: the public keys that sign registration credentials."""

from __future__ import annotations

import hashlib
import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.resolvers.register.signing_keys import published_jwks

# Five minutes: a verifier that meets a `kid` it does not know refetches (the /verify page
# does), so a rotation is seen at once by the pages that need it.
MAX_AGE = 300


async def jwks(request: Request) -> Response:
    body = json.dumps(await published_jwks(), separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"cache-control": f"public, max-age={MAX_AGE}", "etag": etag,
               # Any origin's verifier may read it: it is public by design.
               "access-control-allow-origin": "*"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/jwk-set+json", headers=headers)


ROUTES = [Route("/.well-known/jwks.json", jwks, methods=["GET"])]
