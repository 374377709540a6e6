"""Email over SMTP with aiosmtplib. `SMTP_URL` is smtp://[user:pass@]host:port[?starttls=1]
or smtps://… for implicit TLS."""

from __future__ import annotations

import base64
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

# Folding a header of encoded words at a space loses the space for every reader (RFC 2047
# ignores whitespace between encoded words): an Arabic subject read "ولميُخصم". Lines may be
# 998 characters (RFC 5322), so a subject is never folded.
_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit,
            start_tls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        )


def compose(sender: str, recipient: str, subject: str, text: str,
            html: str | None = None, attachments: list[dict] | None = None) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(base64.b64decode(attachment["data_b64"]), maintype=maintype,
                               subtype=subtype, filename=attachment["filename"])
    return message


async def send(target: SmtpTarget, message: EmailMessage, timeout: float = 15) -> None:
    await aiosmtplib.send(
        message, hostname=target.host, port=target.port, username=target.username,
        password=target.password, use_tls=target.use_tls, start_tls=target.start_tls,
        timeout=timeout,
    )
