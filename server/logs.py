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
        request_id = secrets.token_hex(8)
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
                "ms": round((time.perf_counter() - start) * 1000, 1),
            }
            if not scope["path"].startswith("/static/"):
                log.info("request", extra={"fields": fields})
