"""One-time codes: 6 digits from `secrets`, and TOTP (RFC 6238: HMAC-SHA1, 30 s steps,
6 digits) for authenticator apps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_WINDOW = 1  # steps accepted either side of now, for clock drift


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def code_hmac(secret_key: str, purpose: str, subject: str, code: str) -> str:
    """Bound to its purpose and subject: a login code is no use as a registration code."""
    message = f"{purpose}\x1f{subject}\x1f{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def hotp(secret_b32: str, counter: int, digits: int = TOTP_DIGITS) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def totp_step(unix_time: float) -> int:
    return int(unix_time // TOTP_STEP)


def totp_match(secret_b32: str, code: str, unix_time: float, last_used_step: int) -> int | None:
    """The step the code belongs to, if it is valid, within the window and newer than the
    last code used (each code works once); else None."""
    if not (code.isdigit() and len(code) == TOTP_DIGITS):
        return None
    now = totp_step(unix_time)
    for step in range(now - TOTP_WINDOW, now + TOTP_WINDOW + 1):
        if step > last_used_step and hmac.compare_digest(hotp(secret_b32, step), code):
            return step
    return None


def otpauth_uri(secret_b32: str, account_name: str, issuer: str = "Sijil") -> str:
    label = quote(f"{issuer}:{account_name}")
    query = urlencode({"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1",
                       "digits": TOTP_DIGITS, "period": TOTP_STEP})
    return f"otpauth://totp/{label}?{query}"
