"""ALTCHA: a proof-of-work challenge made and checked by our own server (no third party).
Each solution is accepted once: the caller remembers its signature until it expires.
Without JavaScript, a signed question stands in for it (`question`, `verify_answer`)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets

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


# Without JavaScript the proof of work cannot run: the form asks a small sum instead, signed
# like a challenge (no state kept until it is answered), answered no sooner than a person
# could read the form, spent once like a solution, and rate-limited harder by its caller.
QUESTION_PREFIX = "question:"
QUESTION_MIN_AGE = dt.timedelta(seconds=3)


def question(secret: str) -> dict:
    """{"a", "b", "token"}: ask "a + b"; the form sends back the token and the answer."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    body = base64.urlsafe_b64encode(json.dumps({
        "a": a, "b": b, "iat": int(clock.now().timestamp()),
        "exp": int((clock.now() + LIFETIME).timestamp()), "n": secrets.token_hex(8),
    }).encode()).decode()
    return {"a": a, "b": b, "token": f"{body}.{_sign(secret, body)}"}


def answer_payload(token: str, answer: str) -> str:
    """What the form sends as its captcha: the question's token and the answer typed."""
    return f"{QUESTION_PREFIX}{token}:{answer.strip()}"


def verify_answer(payload: str, secret: str) -> tuple[str, dt.datetime] | None:
    """(signature, expiry) of a right answer to an unexpired question, asked at least a few
    seconds ago; None otherwise. The answer may be typed in Arabic-Indic digits."""
    if not payload.startswith(QUESTION_PREFIX) or len(payload) > 1000:
        return None
    token, _, answer = payload.removeprefix(QUESTION_PREFIX).rpartition(":")
    body, _, signature = token.partition(".")
    if not body or not hmac.compare_digest(signature, _sign(secret, body)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body))
        given = int(answer.strip())  # int() reads ٠–٩ and ۰–۹ as digits too
    except ValueError:
        return None
    moment = clock.now().timestamp()
    if not (data["iat"] + QUESTION_MIN_AGE.total_seconds() <= moment < data["exp"]):
        return None
    if given != data["a"] + data["b"]:
        return None
    return "q:" + signature[:100], dt.datetime.fromtimestamp(data["exp"], dt.UTC)


def _sign(secret: str, body: str) -> str:
    return hmac.new(f"captcha-question:{secret}".encode(), body.encode(),
                    hashlib.sha256).hexdigest()
