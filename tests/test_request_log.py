"""One structured line per request: request id, route, status, duration; JSON in
production; never a query string (email links carry tokens), a body (passwords, codes) or a
whole identity number."""

from __future__ import annotations

import json
import logging

from server.logs import JsonFormatter


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_each_request_is_one_json_line_without_secrets(client):
    handler = Lines()
    logger = logging.getLogger("sijil.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        page = await client.get("/verify/1000000008?token=secret-link-token")
        await client.post("/graphql", json={
            "query": "mutation($i: LoginInput!) { login(input: $i) { errors { code } } }",
            "variables": {"i": {"identifier": "sara@example.com",
                                "password": "my secret password 1"}}})
    finally:
        logger.removeHandler(handler)
    assert len(handler.records) == 2
    lines = [json.loads(JsonFormatter().format(r)) for r in handler.records]
    first, second = lines
    assert first["path"] == "/verify/******0008" and first["status"] == page.status_code
    assert first["route"] == "/verify/{number}"
    assert first["request_id"] == page.headers["x-request-id"]
    assert isinstance(first["ms"], float) and first["level"] == "INFO"
    assert second["path"] == "/graphql" and second["method"] == "POST"
    text = "\n".join(JsonFormatter().format(r) for r in handler.records)
    for secret in ("secret-link-token", "my secret password", "1000000008"):
        assert secret not in text
