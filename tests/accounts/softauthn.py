"""A software passkey authenticator for the GraphQL tests: it answers WebAuthn options as a
platform authenticator would (attestation "none", a P-256 key, user verified), with the
CBOR and COSE built here from `cryptography` and `cbor2`. The browser tests use Chromium's
own virtual authenticator instead."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """Holds discoverable credentials: {credential id: (rp id, user handle, key, count)}."""

    def __init__(self, origin: str, user_verified: bool = True) -> None:
        self.origin = origin
        self.user_verified = user_verified
        self.credentials: dict[bytes, list] = {}

    def _flags(self, *extra: int) -> int:
        return UP | (UV if self.user_verified else 0) | sum(extra)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()

    def create(self, options_json: str, origin: str | None = None) -> str:
        """navigator.credentials.create(): the new credential, as PublicKeyCredential.toJSON()."""
        options = json.loads(options_json)
        rp_id = options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})
        credential_id = secrets.token_bytes(32)
        self.credentials[credential_id] = [rp_id, unb64url(options["user"]["id"]), key, 0]
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags(AT)])
                     + struct.pack(">I", 0) + bytes(16)
                     + struct.pack(">H", len(credential_id)) + credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return json.dumps({
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(attestation),
                         "transports": ["internal"]},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform"})

    def get(self, options_json: str, credential_id: bytes | None = None,
            origin: str | None = None) -> str:
        """navigator.credentials.get(): an assertion by the credential (the only one held for
        the RP when `credential_id` is not given)."""
        options = json.loads(options_json)
        rp_id = options["rpId"]
        if credential_id is None:
            [credential_id] = [c for c, v in self.credentials.items() if v[0] == rp_id]
        held = self.credentials[credential_id]
        held[3] += 1
        auth_data = (hashlib.sha256(held[0].encode()).digest() + bytes([self._flags()])
                     + struct.pack(">I", held[3]))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = held[2].sign(auth_data + hashlib.sha256(client_data).digest(),
                                 ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature), "userHandle": b64url(held[1])},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform"})
