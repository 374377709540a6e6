"""Behind a reverse proxy: the client's address and scheme from `X-Forwarded-For` and
`X-Forwarded-Proto`, believed only when the direct peer is one of `FORWARDED_ALLOW_IPS`.

uvicorn's own ProxyHeadersMiddleware does the parsing (the right-most address that is not a
trusted proxy wins, so a client cannot prepend a forged one). It is applied here, from our
settings, rather than by `uvicorn.run(proxy_headers=True)`, so the same rule holds under the
ASGI test transport, under `--workers`, and whatever uvicorn's own environment defaults are.
Everything that reads `request.client` (rate limits, the audit log, sessions, the request
log) then sees the address the proxy saw.
"""

from __future__ import annotations

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


class ForwardedMiddleware:
    def __init__(self, app, trusted: tuple[str, ...]) -> None:
        self.app = app
        self.proxy = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted)) if trusted else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.proxy is None:
            return await self.app(scope, receive, send)
        peer = scope.get("client")
        # Read before the client is rewritten: the request log keeps a trusted proxy's
        # X-Request-ID, so one id follows a request from the proxy's log into ours.
        scope.setdefault("state", {})["from_trusted_proxy"] = bool(
            peer and peer[0] in self.proxy.trusted_hosts)
        return await self.proxy(scope, receive, send)


def from_trusted_proxy(scope) -> bool:
    return bool(scope.get("state", {}).get("from_trusted_proxy"))
