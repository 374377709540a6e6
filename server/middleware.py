"""The web security baseline of docs/security.md, as one pure ASGI middleware:
response headers, CSRF for cookie-authenticated state changes, and request body limits."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders

from server.config import Settings

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
# Callers that are not browsers: gateways sign their callbacks instead.
CSRF_EXEMPT_PREFIXES = ("/payments/webhook/",)

KIB = 1024
MIB = 1024 * KIB
GRAPHQL_BODY_LIMIT = 100 * KIB
FILE_LIMIT = 5 * MIB  # one document; the upload route counts each file's own bytes
FORM_ALLOWANCE = 64 * KIB  # the fields and multipart framing around the files
UPLOAD_BODY_LIMIT = FILE_LIMIT + FORM_ALLOWANCE
DEFAULT_BODY_LIMIT = 256 * KIB
# Forms that may carry documents besides their fields, with how many files at most.
UPLOAD_PATHS = ("/api/documents", "/record/", "/applications/")
UPLOAD_FORMS = (
    (re.compile(r"/renewals/[^/]+/documents"), 4),  # the renewal's documents, one per kind
    (re.compile(r"/renewals/[^/]+/experience"), 1),  # the employer's letter
    (re.compile(r"/services/[^/]+"), 1),  # a service's evidence
)

# Responses that are the same for everyone: a route's own cache-control is kept and no
# cookie is set on them, so a shared cache may keep them (static files, the JWK Set).
SHARED_CACHEABLE = ("/static/", "/.well-known/")

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " \
      "form-action 'self'"


def csrf_cookie_name(settings: Settings) -> str:
    return f"{settings.cookie_prefix}csrf"


def tokens_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def body_limit(path: str) -> int:
    if path == "/graphql":
        return GRAPHQL_BODY_LIMIT
    if path.startswith(UPLOAD_PATHS):
        return UPLOAD_BODY_LIMIT
    for pattern, files in UPLOAD_FORMS:
        if pattern.fullmatch(path):
            return files * FILE_LIMIT + FORM_ALLOWANCE
    return DEFAULT_BODY_LIMIT


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.csrf_cookie = csrf_cookie_name(settings)
        self.session_cookie = f"{settings.cookie_prefix}sid"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _cookies(headers.get("cookie", ""))
        path = scope["path"]
        method = scope["method"]

        csrf_token = cookies.get(self.csrf_cookie)
        new_csrf = None
        if not csrf_token or len(csrf_token) > 100:
            csrf_token = new_csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = csrf_token

        if method in UNSAFE_METHODS and not path.startswith(CSRF_EXEMPT_PREFIXES):
            refusal = self._csrf_refusal(headers, cookies, scope, path)
            if refusal:
                return await _send_error(send, 403, "CSRF_FAILED", refusal, path,
                                         self.settings)

        limit = body_limit(path)
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return await _send_error(send, 413, "TOO_LARGE",
                                     f"The request body is larger than {limit // KIB} KiB.", path,
                                     self.settings)

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self._add_headers(message, path, cookies, new_csrf)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _send_error(send, 413, "TOO_LARGE",
                                  f"The request body is larger than {limit // KIB} KiB.", path,
                                  self.settings)

    def _csrf_refusal(self, headers, cookies, scope, path: str) -> str | None:
        if headers.get("sec-fetch-site") == "cross-site":
            return "Cross-site requests are not accepted."
        if headers.get("authorization", "").lower().startswith("bearer "):
            return None  # a client app's token is not ambient authority
        if self.session_cookie not in cookies and self.csrf_cookie not in cookies:
            return None  # no cookie, nothing for a forged request to ride on
        if tokens_match(headers.get(CSRF_HEADER), cookies.get(self.csrf_cookie)):
            scope["state"]["csrf_verified"] = True
            return None
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if path != "/graphql" and media_type in ("application/x-www-form-urlencoded",
                                                  "multipart/form-data"):
            # A plain HTML form: the page reads the token from the form body
            # (server.pages.plumbing.read_form), so nothing reaches a use case unchecked.
            scope["state"]["csrf_verified"] = False
            return None
        return "The security token is missing or wrong. Reload the page and try again."

    def _add_headers(self, message, path: str, cookies: dict, new_csrf: str | None) -> None:
        headers = MutableHeaders(scope=message)
        for name, value in security_headers(self.settings, path):
            if name == "content-security-policy":
                headers.setdefault(name, value)  # a route may set a stricter one (downloads)
            elif name == "cache-control" and path.startswith(SHARED_CACHEABLE):
                headers.setdefault(name, value)
            else:
                headers[name] = value
        if new_csrf and not path.startswith(SHARED_CACHEABLE):
            secure = "; Secure" if self.settings.secure_cookies else ""
            headers.append("set-cookie", f"{self.csrf_cookie}={new_csrf}; Path=/; HttpOnly; "
                                          f"SameSite=Lax{secure}")


def security_headers(settings: Settings, path: str) -> list[tuple[str, str]]:
    """The headers of docs/security.md, for every response: pages, API, files, errors."""
    found = [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cache-control", "public, max-age=86400" if path.startswith("/static/")
         else "no-store"),
    ]
    if settings.production:
        found.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
    return found


def _cookies(raw: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


async def _send_error(send, status: int, code: str, message: str, path: str,
                      settings: Settings) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in security_headers(settings, path)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
