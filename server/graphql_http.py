"""GraphQL over HTTP (graphql.github.io/graphql-over-http): which media type a client
accepts, and the GraphQL-shaped error bodies every refusal on /graphql answers with, from
the view and from the security middleware alike (docs/api.md, "Errors and HTTP status
codes")."""

from __future__ import annotations

import json

from server.i18n import LANG_COOKIE, N_, gettext, pick_language

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# Messages of refusals that happen before any GraphQL runs; translated in api.po.
MESSAGES = {
    "UNSUPPORTED_MEDIA_TYPE": N_("Send the request as application/json."),
    "BAD_REQUEST": N_("The request body is not a GraphQL request in JSON."),
    "METHOD_NOT_ALLOWED": N_("Send GraphQL requests with POST."),
    "CSRF_FAILED": N_("The security token is missing or wrong. Reload the page and try "
                      "again."),
    "CROSS_SITE": N_("Cross-site requests are not accepted."),
    "TOO_LARGE": N_("The request body is larger than %(kib)s KiB."),
    "UNAUTHENTICATED": N_("Your session has ended or the token is not valid. Sign in "
                          "again."),
    "RATE_LIMITED": N_("Too many requests. Try again in %(seconds)s seconds."),
}


def negotiate(accept: str | None) -> str:
    """The media type to answer with. No Accept header, `*/*`, or only types we do not
    speak (a browser's `text/html`) mean application/json: the specification lets a
    server disregard an Accept it cannot meet, and the clients written before
    application/graphql-response+json exist expect JSON."""
    if not accept or not accept.strip():
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality > 0 and media in (GRAPHQL_RESPONSE, JSON, "application/*", "*/*"):
            # The explicit types first at equal quality; the newer one before JSON.
            order = {GRAPHQL_RESPONSE: 0, JSON: 1}.get(media, 2)
            ranked.append((-quality, order, media))
    if not ranked:
        return JSON
    best = sorted(ranked)[0][2]
    return best if best in (GRAPHQL_RESPONSE, JSON) else JSON


def request_language(headers: dict[str, str], cookies: dict[str, str]) -> str:
    """The language of a refusal made before any session is looked up."""
    return pick_language(cookies.get(LANG_COOKIE), headers.get("accept-language"))


def error_body(code: str, lang: str, *, params: dict | None = None,
               extensions: dict | None = None, message: str | None = None) -> bytes:
    """`{"errors": [{"message", "extensions": {"code", ...}}]}`, the message (MESSAGES[code]
    unless another key is given) in `lang`."""
    error = {"message": gettext(lang, MESSAGES[message or code], **(params or {})),
             "extensions": {"code": code, **(extensions or {})}}
    return json.dumps({"errors": [error]}, ensure_ascii=False,
                      separators=(",", ":")).encode()
