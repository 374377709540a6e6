"""One structured line per request; JSON in production. Paths only: query strings can hold
tokens (email links), and bodies hold passwords and codes, so neither is ever logged."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time

log = logging.getLogger("sijil.request")
# What a proxy's request id may look like to be kept: it goes into log lines and a header.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# A 10-digit number in a path is most likely an identity number: keep the last 4 digits.
IDENTITY_LIKE = re.compile(r"\b\d{6}(\d{4})\b")


def mask_identity(text: str) -> str:
    return IDENTITY_LIKE.sub(r"******\1", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<5} {record.name} " \
               f"{record.getMessage()} {extra}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(production: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if production else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = True  # ours says more, and masks


class RequestLogMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = _forwarded_request_id(scope) or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "path": mask_identity(scope["path"]),
                "route": getattr(route, "path", ""),
                "status": status,
                "client": scope["client"][0] if scope.get("client") else "",
                "ms": round((time.perf_counter() - start) * 1000, 1),
            }
            if not scope["path"].startswith("/static/"):
                log.info("request", extra={"fields": fields})


def _forwarded_request_id(scope) -> str | None:
    from server.proxies import from_trusted_proxy

    if not from_trusted_proxy(scope):
        return None
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if REQUEST_ID.match(text) else None
    return None
