"""SMS: `console` keeps messages as files for the development SMS page; `taqnyat` posts to
the HTTP gateway of docs/contract/README.md. A non-2xx answer or a timeout raises
SmsFailed, which the outbox retries."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx

from server.config import Settings


class SmsFailed(Exception):
    pass


def recipient_digits(e164: str) -> str:
    """The gateway wants 9665XXXXXXXX: the E.164 number without its plus sign."""
    return e164.lstrip("+")


async def send(settings: Settings, to: str, body: str,
               client: httpx.AsyncClient | None = None) -> None:
    if settings.sms_backend == "console":
        write_console(settings.data_dir / "sms", to, body)
        return
    payload = {"recipients": [recipient_digits(to)], "body": body, "sender": settings.sms_sender}
    headers = {"Authorization": f"Bearer {settings.sms_api_token}"}
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=10) as own:
                response = await own.post(settings.sms_api_url, json=payload, headers=headers)
        else:
            response = await client.post(settings.sms_api_url, json=payload, headers=headers)
    except httpx.HTTPError as error:
        raise SmsFailed(f"gateway unreachable: {type(error).__name__}") from error
    if not response.is_success:
        raise SmsFailed(f"gateway answered {response.status_code}")


def write_console(directory: Path, to: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
    (directory / name).write_text(json.dumps({"to": to, "body": body, "at": time.time()},
                                             ensure_ascii=False))


def read_console(directory: Path, limit: int = 200) -> list[dict]:
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.json"), reverse=True)[:limit]
    return [json.loads(p.read_text()) for p in files]
