"""CORS for /graphql (CORS_ALLOW_ORIGINS): browser apps on the listed origins may call the
API with a bearer token. Never with credentials: a cookie session stays same-site only
(no Access-Control-Allow-Credentials, and the CSRF check refuses a cross-site cookie
session), so a listed origin gains nothing from a user's cookies. docs/api.md, "CORS"."""

from __future__ import annotations

from server.config import Settings

ALLOWED_HEADERS = "authorization, content-type, accept, accept-language"
# What a client app reads to pace itself (server.graphql_view._limit_headers).
EXPOSED_HEADERS = "retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset"
MAX_AGE = "600"  # seconds a browser may keep a preflight's answer


def allowed_origin(headers: dict[str, str], settings: Settings) -> str | None:
    origin = headers.get("origin", "").lower().rstrip("/")
    return origin if origin and origin in settings.cors_allow_origins else None


def is_preflight(method: str, headers: dict[str, str]) -> bool:
    return method == "OPTIONS" and "access-control-request-method" in headers


def preflight_headers(headers: dict[str, str], settings: Settings) -> list[tuple[str, str]]:
    """The answer to a preflight: permission for a listed origin, nothing for another (the
    browser then refuses the request itself)."""
    found = [("vary", "Origin"), ("allow", "POST, OPTIONS")]
    origin = allowed_origin(headers, settings)
    if origin and headers.get("access-control-request-method", "").upper() == "POST":
        found += [("access-control-allow-origin", origin),
                  ("access-control-allow-methods", "POST"),
                  ("access-control-allow-headers", ALLOWED_HEADERS),
                  ("access-control-max-age", MAX_AGE)]
    return found


def response_headers(headers: dict[str, str], settings: Settings) -> list[tuple[str, str]]:
    origin = allowed_origin(headers, settings)
    if origin is None:
        return [("vary", "Origin")] if settings.cors_allow_origins else []
    return [("access-control-allow-origin", origin), ("vary", "Origin"),
            ("access-control-expose-headers", EXPOSED_HEADERS)]
