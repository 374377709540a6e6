"""ALTCHA: a proof-of-work challenge made and checked by our own server (no third party).
Each solution is accepted once: the caller remembers its signature until it expires."""

from __future__ import annotations

import base64
import datetime as dt
import json

import altcha

from server import clock

ALGORITHM = "PBKDF2/SHA-256"  # no WebAssembly, so the CSP needs no 'wasm-unsafe-eval'
LIFETIME = dt.timedelta(minutes=10)


def challenge(secret: str, cost: int) -> dict:
    expires = clock.now() + LIFETIME
    return altcha.create_challenge(ALGORITHM, cost, expires_at=expires,
                                   hmac_secret=secret).to_dict()


def verify(payload: str, secret: str) -> tuple[str, dt.datetime] | None:
    """(signature, expiry) of a valid, unexpired solution; None otherwise."""
    if not payload or len(payload) > 4000:
        return None
    try:
        if not altcha.verify_solution(payload, secret).verified:
            return None
        data = altcha.Payload.from_base64(payload).to_dict()["challenge"]
        expires = int(data["parameters"]["expiresAt"])
    except Exception:
        return None
    return str(data["signature"])[:128], dt.datetime.fromtimestamp(expires, dt.UTC)


def solve(challenge_dict: dict) -> str:
    """Solve a challenge as the browser widget does: for tests and scripted clients."""
    made = altcha.Challenge.from_dict(challenge_dict)
    solution = altcha.solve_challenge(made, altcha.derive_key_pbkdf2)
    body = {"challenge": challenge_dict, "solution": solution.to_dict()}
    return base64.b64encode(json.dumps(body).encode()).decode()
