"""The development mailbox: an aiosmtpd server on 127.0.0.1 that keeps every message it
receives as a .eml file, so development uses the real SMTP path end to end."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.smtp import SMTP


class MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        (self.directory / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


async def start(directory: Path, port: int = 0) -> tuple[asyncio.AbstractServer, int]:
    """Returns the server and the port it listens on (a free one when port is 0)."""
    loop = asyncio.get_running_loop()
    handler = MaildirHandler(directory)
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", port)
    return server, server.sockets[0].getsockname()[1]


@dataclass
class StoredMail:
    id: str
    sender: str
    to: str
    subject: str
    received: float
    text: str
    html: str | None


def read(directory: Path, limit: int = 200) -> list[StoredMail]:
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [parse(path) for path in files]


def parse(path: Path) -> StoredMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return StoredMail(
        id=path.stem,
        sender=str(message["From"]),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        received=path.stat().st_mtime,
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else None,
    )
