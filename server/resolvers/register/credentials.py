"""Registration credentials: a compact JWS over the public register entry, the one the card's
QR code carries after `#` (docs/contract/README.md, "The registration credential").

Payload: `iss` = BASE_URL, `sub` = the registration number, `iat`, `exp`, and
`registration` = {number, fullNameAr, fullNameEn, category, specialty, rank, validFrom,
validUntil}. `exp` is the end of the last valid day in the Kingdom (midnight after
validUntil, UTC+3): the credential claims nothing beyond what the register says.

Issued only for an ACTIVE registration. A suspended or expired one gets none: the payload
carries no status, so a credential signed during a suspension would read, offline, as a
clean registration. A credential signed before a suspension stays genuine; an online
verifier asks the register for the status now (the /verify page does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from joserfc import jws

from server import clock
from server.domain.registry import KINGDOM_TIME, RegistrationStatus
from server.resolvers.kernel.access import require_account
from server.resolvers.register import signing_keys
from server.resolvers.register.lookup import PublicEntry, account_entry


@dataclasses.dataclass(frozen=True)
class Credential:
    jws: str
    key_id: str
    issued_at: dt.datetime
    expires_at: dt.datetime


def expiry_of(valid_until: dt.date) -> dt.datetime:
    """Midnight in the Kingdom after the last valid day, as UTC."""
    end = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(), KINGDOM_TIME)
    return end.astimezone(dt.UTC)


def claims(entry: PublicEntry, issuer: str, issued_at: dt.datetime) -> dict:
    return {
        "iss": issuer,
        "sub": entry["registration_number"],
        "iat": int(issued_at.timestamp()),
        "exp": int(expiry_of(entry["valid_until"]).timestamp()),
        "registration": {
            "number": entry["registration_number"],
            "fullNameAr": entry["full_name_ar"],
            "fullNameEn": entry["full_name_en"],
            "category": entry["category"],
            "specialty": entry["specialty"],
            "rank": entry["rank"],
            "validFrom": entry["valid_from"].isoformat(),
            "validUntil": entry["valid_until"].isoformat(),
        },
    }


async def sign_entry(entry: PublicEntry, settings) -> Credential | None:
    """The credential for an entry, or None when the registration is not ACTIVE."""
    if entry["status"] != RegistrationStatus.ACTIVE:
        return None
    row, key = await signing_keys.current_key(settings.secret_key)
    issued_at = clock.now().replace(microsecond=0)
    payload = claims(entry, settings.base_url.rstrip("/"), issued_at)
    # Compact JSON and raw UTF-8 Arabic: every byte saved is a denser QR code avoided.
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    header = {"alg": signing_keys.ALG, "kid": row.kid, "typ": "JWT"}
    token = jws.serialize_compact(header, body, key, algorithms=[signing_keys.ALG])
    expires_at = dt.datetime.fromtimestamp(payload["exp"], dt.UTC)
    await signing_keys.note_signed(row, expires_at)
    return Credential(jws=token, key_id=row.kid, issued_at=issued_at, expires_at=expires_at)


async def my_credential(ctx) -> Credential | None:
    """The signed-in practitioner's credential; None without an (active) registration."""
    entry = await account_entry(require_account(ctx).id)
    return await sign_entry(entry, ctx.settings) if entry else None
