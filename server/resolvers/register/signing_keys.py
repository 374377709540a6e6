"""The keys that sign registration credentials (docs/security.md, "Credential signing keys").

ES256 (ECDSA P-256, SHA-256): every browser's WebCrypto verifies it, which the /verify page
relies on. Keys live in the database, shared by every app host: the public JWK in clear, the
private key sealed with AES-256-GCM under a key derived from SECRET_KEY by HKDF-SHA256, the
key id bound in as associated data (a sealed key copied onto another row does not open).
The current key is the newest one not retired; it is made on first need.
"""

from __future__ import annotations

import base64
import datetime as dt
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import ECKey
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server import clock
from server.models.register import SigningKey

ALG = "ES256"
CURVE = "P-256"
# Changing this label changes the wrapping key: old sealed keys would no longer open.
WRAP_INFO = b"sijil credential signing key wrap v1"
NONCE_BYTES = 12


class SigningKeyUnavailable(RuntimeError):
    """The current key's private half does not open with this SECRET_KEY."""


def _wrapping_key(secret_key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=WRAP_INFO).derive(secret_key.encode())
    return AESGCM(derived)


def seal(private_der: bytes, kid: str, secret_key: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _wrapping_key(secret_key).encrypt(nonce, private_der, kid.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, kid: str, secret_key: str) -> bytes:
    raw = base64.b64decode(sealed)
    try:
        return _wrapping_key(secret_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                                 kid.encode())
    except InvalidTag:
        raise SigningKeyUnavailable(
            f"signing key {kid} does not open with this SECRET_KEY: restore the SECRET_KEY "
            "it was sealed under, or run `sijil keys rotate` to start a new key") from None


async def _create(secret_key: str, now: dt.datetime, connection) -> SigningKey:
    key = ECKey.generate_key(CURVE)
    kid = key.thumbprint()
    public = {**key.as_dict(private=False), "kid": kid, "alg": ALG, "use": "sig"}
    return await SigningKey.create(
        kid=kid, alg=ALG, public_jwk=public, created_at=now,
        private_sealed=seal(key.as_der(private=True), kid, secret_key), using_db=connection)


async def current_key(secret_key: str) -> tuple[SigningKey, ECKey]:
    """(row, private key) to sign with; made on first need. Two hosts making the first key
    at the same moment both succeed: both keys are published, the newer one signs."""
    row = await SigningKey.filter(retired_at=None).order_by("-created_at", "-kid").first()
    if row is None:
        async with in_transaction() as connection:
            row = await _create(secret_key, clock.now(), connection)
    return row, ECKey.import_key(unseal(row.private_sealed, row.kid, secret_key))


async def rotate(secret_key: str) -> str:
    """A new current key; the others are retired (they keep verifying what they signed)."""
    now = clock.now()
    async with in_transaction() as connection:
        await SigningKey.filter(retired_at=None).using_db(connection).update(retired_at=now)
        row = await _create(secret_key, now, connection)
    return row.kid


async def note_signed(row: SigningKey, expires_at: dt.datetime) -> None:
    """Keep the key published until `expires_at`. Written only when this credential
    outlives every other one the key signed (rarely, after the first); the update is
    conditional, so two hosts racing never move `signed_until` back."""
    if row.signed_until is not None and row.signed_until >= expires_at:
        return
    await SigningKey.filter(Q(signed_until=None) | Q(signed_until__lt=expires_at),
                            kid=row.kid).update(signed_until=expires_at)


async def published_jwks() -> dict:
    """The JWK Set: every key not retired, and each retired key until the last credential
    it signed has expired. Public halves only."""
    now = clock.now()
    rows = await SigningKey.filter(
        Q(retired_at=None) | Q(signed_until__gte=now)).order_by("-created_at", "-kid")
    return {"keys": [row.public_jwk for row in rows]}
