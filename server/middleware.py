"""The web security baseline of docs/security.md, as one pure ASGI middleware:
response headers, CSRF for cookie-authenticated state changes, and request body limits."""

from __future__ import annotations

import hmac
import json
import re
import secrets
import string
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders

from server import cors
from server.config import Settings
from server.graphql_http import JSON, MESSAGES, error_body, negotiate, request_language
from server.i18n import gettext

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
# Callers that are not browsers: gateways sign their callbacks instead.
CSRF_EXEMPT_PREFIXES = ("/payments/webhook/",)
# Every step of signing in: /login (password), and under /login/ the code and any later
# factor.
SIGN_IN_PAGE, SIGN_IN_STEPS = "/login", "/login/"

KIB = 1024
MIB = 1024 * KIB
GRAPHQL_BODY_LIMIT = 100 * KIB
FILE_LIMIT = 5 * MIB  # one document; the upload route counts each file's own bytes
FORM_ALLOWANCE = 64 * KIB  # the fields and multipart framing around the files
UPLOAD_BODY_LIMIT = FILE_LIMIT + FORM_ALLOWANCE
# A page's form is read up to twice its files' limit, so that a file somewhat too large
# comes back as a message beside its field with everything typed kept (the use case counts
# each file's bytes); past that, the middleware refuses the body unread (a 413 page).
PAGE_FILE_ALLOWANCE = 2 * FILE_LIMIT
DEFAULT_BODY_LIMIT = 256 * KIB
# Forms that may carry documents besides their fields, with how many files at most.
UPLOAD_PATHS = ("/api/documents",)
PAGE_UPLOAD_PATHS = ("/record/", "/applications/")
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


# Pages carry the token masked with a fresh pad on every render (the pad, then each character
# of the token shifted by the pad's): pages are compressed and some echo what was typed, so a
# constant token could be guessed from response sizes (BREACH). The raw token is accepted too.
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"
_INDEX = {c: i for i, c in enumerate(TOKEN_ALPHABET)}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def mask_token(token: str) -> str:
    pad = [b % 64 for b in secrets.token_bytes(len(token))]
    return "".join(TOKEN_ALPHABET[p] for p in pad) + "".join(
        TOKEN_ALPHABET[(_INDEX[c] + p) % 64] for c, p in zip(token, pad, strict=True))


def _unmask(value: str) -> str:
    half = len(value) // 2
    if any(c not in _INDEX for c in value):
        return ""
    return "".join(TOKEN_ALPHABET[(_INDEX[c] - _INDEX[p]) % 64]
                   for p, c in zip(value[:half], value[half:], strict=True))


def tokens_match(sent: str | None, token: str | None) -> bool:
    """`sent` (a form field or header: masked, or raw) against the cookie's token."""
    if not sent or not token:
        return False
    if len(sent) == 2 * len(token):
        sent = _unmask(sent)
    return hmac.compare_digest(sent.encode(), token.encode())


def body_limit(path: str) -> int:
    if path == "/graphql":
        return GRAPHQL_BODY_LIMIT
    if path.startswith(UPLOAD_PATHS):
        return UPLOAD_BODY_LIMIT
    if path.startswith(PAGE_UPLOAD_PATHS):
        return PAGE_FILE_ALLOWANCE + FORM_ALLOWANCE
    for pattern, files in UPLOAD_FORMS:
        if pattern.fullmatch(path):
            return files * PAGE_FILE_ALLOWANCE + FORM_ALLOWANCE
    return DEFAULT_BODY_LIMIT


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    def __init__(self, app, settings: Settings, refusal_page=None) -> None:
        """`refusal_page(scope, receive, status, code)`: a refusal as a page in the visitor's
        language for a browser on a page route, or None (the API's JSON); the app passes
        the pages' own (server.pages.errors), which this layer may not import."""
        self.app = app
        self.settings = settings
        self.refusal_page = refusal_page
        self.csrf_cookie = csrf_cookie_name(settings)
        self.session_cookie = f"{settings.cookie_prefix}sid"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _cookies(headers.get("cookie", ""))
        path = scope["path"]
        method = scope["method"]

        if path == "/graphql" and cors.is_preflight(method, headers):
            return await _send(send, 204, b"", cors.preflight_headers(headers, self.settings),
                               self.settings)
        lang = request_language(headers, cookies)

        csrf_token = cookies.get(self.csrf_cookie)
        new_csrf = None
        if not csrf_token or not _TOKEN.fullmatch(csrf_token):
            csrf_token = new_csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = csrf_token

        if method in UNSAFE_METHODS and not path.startswith(CSRF_EXEMPT_PREFIXES):
            refusal = self._csrf_refusal(headers, cookies, scope, path)
            if refusal:
                return await self._refuse(scope, receive, send, 403, refusal, lang, headers)

        limit = body_limit(path)
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return await self._refuse(scope, receive, send, 413, "TOO_LARGE", lang, headers,
                                      kib=limit // KIB)

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
                # Pages set the CSRF cookie (the GraphiQL page, GET /graphql, among them); an
                # API answer needs none: a client app that keeps cookies would only carry it
                # back for nothing.
                api_answer = path == "/graphql" and method != "GET"
                self._add_headers(message, path, headers, None if api_answer else new_csrf)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send, 413, "TOO_LARGE", lang, headers,
                                   kib=limit // KIB)

    async def _refuse(self, scope, receive, send, status: int, code: str, lang: str,
                      headers: dict, **params) -> None:
        async def nothing_more():  # the body is not read: it was refused
            return {"type": "http.request", "body": b"", "more_body": False}

        page = None
        if self.refusal_page is not None:
            page = await self.refusal_page(scope, nothing_more, status, code)
        if page is None:
            return await _send_error(send, status, code, lang, headers, scope["path"],
                                     self.settings, **params)
        for name, value in security_headers(self.settings):
            page.headers[name] = value
        # The body was not read: the connection cannot be reused for another request.
        page.headers["connection"] = "close"
        await page(scope, nothing_more, send)

    def _csrf_refusal(self, headers, cookies, scope, path: str) -> str | None:
        # Returns the refusal's code (server.graphql_http.MESSAGES), or None to let it in.
        """CSRF guards ambient authority: the session cookie a browser attaches on its own.
        A bearer token is never ambient (a page on another site cannot set the header), and
        the CSRF cookie alone is no session, so a cookie-keeping client app that is anonymous
        needs no token on /graphql. A sign-in form always needs one, cookies or not: a forged
        sign-in would put the victim in the attacker's account (login CSRF)."""
        bearer = headers.get("authorization", "").lower().startswith("bearer ")
        session = self.session_cookie in cookies
        if _cross_site(headers, self.settings):
            if bearer:
                return None  # a browser app's own token; CORS decides who may read the answer
            if path == "/graphql" and not session and \
                    headers.get("origin", "").lower() in self.settings.cors_allow_origins:
                return None  # a listed app, anonymous (signing in for its token)
            return "CROSS_SITE"
        if bearer:
            return None
        sign_in = path == SIGN_IN_PAGE or path.startswith(SIGN_IN_STEPS)
        if path == "/graphql":
            if not session:
                return None  # nothing for a forged request to ride on
        elif not sign_in and not session and self.csrf_cookie not in cookies:
            return None  # no cookie of ours: not a browser that loaded our pages
        if tokens_match(headers.get(CSRF_HEADER), cookies.get(self.csrf_cookie)):
            scope["state"]["csrf_verified"] = True
            return None
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if path != "/graphql" and media_type in ("application/x-www-form-urlencoded",
                                                  "multipart/form-data"):
            # A plain HTML form: the page reads the token from the form body
            # (server.pages.plumbing.read_form), so nothing reaches a use case unchecked.
            # With no CSRF cookie the expected token is a fresh one nobody can know.
            scope["state"]["csrf_verified"] = False
            return None
        return "CSRF_FAILED"

    def _add_headers(self, message, path: str, request_headers: dict[str, str],
                     new_csrf: str | None) -> None:
        headers = MutableHeaders(scope=message)
        if path == "/graphql":
            for name, value in cors.response_headers(request_headers, self.settings):
                headers.append(name, value)
        for name, value in security_headers(self.settings):
            if name in ("content-security-policy", "cache-control"):
                # A route may set a stricter policy (downloads) or say how it may be cached
                # (static files, the public register); the default keeps nothing.
                headers.setdefault(name, value)
            else:
                headers[name] = value
        # A response a shared cache may keep must not hand one visitor's cookie to the next.
        shareable = headers.get("cache-control", "").startswith("public")
        if new_csrf and not path.startswith(SHARED_CACHEABLE) and not shareable:
            secure = "; Secure" if self.settings.secure_cookies else ""
            headers.append("set-cookie", f"{self.csrf_cookie}={new_csrf}; Path=/; HttpOnly; "
                                          f"SameSite=Lax{secure}")


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """The headers of docs/security.md, for every response: pages, API, files, errors."""
    found = [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cache-control", "no-store"),
    ]
    if settings.production:
        found.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
    return found


def _cross_site(headers: dict[str, str], settings: Settings) -> bool:
    """Fetch Metadata where the browser sends it; otherwise an `Origin` that is not ours
    (older browsers send Origin on cross-origin POSTs)."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site == "cross-site"
    origin = headers.get("origin")
    # "null" is an opaque origin (a sandboxed frame, a file): never ours.
    return bool(origin) and origin.lower().rstrip("/") != _origin_of(settings.base_url)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _cookies(raw: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


async def _send_error(send, status: int, code: str, lang: str, request_headers: dict,
                      path: str, settings: Settings, **params) -> None:
    """A refusal in the request's language: GraphQL-shaped on /graphql (in the media type
    the client accepts), `{"error": {code, message}}` elsewhere (the contract's upload
    endpoint answers so). A cross-site refusal keeps the code CSRF_FAILED."""
    public_code = "CSRF_FAILED" if code == "CROSS_SITE" else code
    if path == "/graphql":
        media = negotiate(request_headers.get("accept"))
        content = error_body(public_code, lang, params=params, message=code)
    else:
        media = JSON
        content = json.dumps({"error": {"code": public_code, "message": gettext(
            lang, MESSAGES[code], **params)}}, ensure_ascii=False).encode()
    await _send(send, status, content, [("content-type", media)], settings)


async def _send(send, status: int, body: bytes, extra: list[tuple[str, str]],
                settings: Settings) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra]
    headers += [(k.encode(), v.encode()) for k, v in security_headers(settings)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
