"""The registration credential end to end: the card's QR code, read by zbar from the rendered
PDF, holds a JWS that an independent JOSE library (PyJWT; we sign with joserfc) verifies
against the JWK Set fetched over HTTP; one changed byte fails; a rotated key still verifies
old cards; MyCredential."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys

import jwt
import pytest

from server.clock import today
from server.config import ROOT
from server.models.accounts import Account
from server.models.register import SigningKey
from server.resolvers.accounts.sessions import open_session
from server.resolvers.register import signing_keys
from server.resolvers.register.credentials import expiry_of
from tests.conftest import gql
from tests.register.qr import decode_qr
from tests.register.test_public_register import practitioner

NUMBER = "25-R-0004321"
MY_CREDENTIAL = "query MyCredential { myCredential { jws keyId issuedAt expiresAt } }"


async def holder(number: str = NUMBER, *, suspended: bool = False,
                 email: str = "owner@example.com", identity: str = "1000000008",
                 valid_until: dt.date | None = None) -> str:
    """A practitioner with an account and a registration; returns a session token."""
    account = await Account.create(email=email, mobile="+966551234567", first_name="Test",
                                   family_name="Person", password_hash="-", status="ACTIVE")
    await practitioner(number, identity=identity, valid_until=valid_until,
                       suspended=suspended, account=account)
    return await open_session(account)


async def card_token(live, token: str, number: str = NUMBER) -> str:
    """Downloads the card over HTTP, reads its QR code, returns the JWS after `#`."""
    response = await live.client.get(f"/cards/{number}.pdf",
                                     headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [text] = decode_qr(response.content)
    page, _, credential = text.partition("#")
    assert page == f"{live.url}/verify/{number}"
    return credential


async def published(live) -> jwt.PyJWKSet:
    response = await live.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return jwt.PyJWKSet.from_dict(response.json())


def verify(credential: str, keys: jwt.PyJWKSet, issuer: str) -> dict:
    kid = jwt.get_unverified_header(credential)["kid"]
    return jwt.decode(credential, keys[kid], algorithms=["ES256"], issuer=issuer)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ------------------------------------------------------------------ the card's QR code

async def test_the_cards_qr_code_carries_a_credential_pyjwt_verifies(live):
    token = await holder()
    credential = await card_token(live, token)
    claims = verify(credential, await published(live), live.url)
    valid_until = today() + dt.timedelta(days=400)
    assert claims["sub"] == NUMBER
    assert claims["exp"] == int(expiry_of(valid_until).timestamp())
    assert abs(claims["iat"] - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert claims["registration"] == {
        "number": NUMBER, "fullNameAr": "محمد عبدالله أحمد القحطاني",
        "fullNameEn": "Mohammed Abdullah Ahmed Alqahtani", "category": "PHYSICIAN",
        "specialty": "INTERNAL_MEDICINE", "rank": "CONSULTANT", "validFrom": "2025-03-01",
        "validUntil": valid_until.isoformat()}
    # Midnight in Riyadh after the last valid day.
    assert dt.datetime.fromtimestamp(claims["exp"], dt.UTC).isoformat() == (
        f"{valid_until.isoformat()}T21:00:00+00:00")


async def test_one_changed_byte_fails(live):
    credential = await card_token(live, await holder())
    keys = await published(live)
    header, payload, signature = credential.split(".")
    body = base64.urlsafe_b64decode(payload + "==")
    later = body.replace(b'"validUntil":"2', b'"validUntil":"3')  # one byte: the year
    assert later != body and len(later) == len(body)
    raw_signature = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw_signature[10] ^= 0x01
    for forged in (f"{header}.{b64(later)}.{signature}",
                   f"{header}.{payload}.{b64(bytes(raw_signature))}"):
        with pytest.raises(jwt.InvalidSignatureError):
            verify(forged, keys, live.url)
    # Another issuer's name is refused even with a good signature.
    with pytest.raises(jwt.InvalidIssuerError):
        verify(credential, keys, "https://elsewhere.example")


def rotate_with_the_cli(settings) -> str:
    """`sijil keys rotate` as an operator runs it: another process on the same database."""
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "SECRET_KEY": settings.secret_key, "DATA_DIR": str(settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "server.cli", "keys", "rotate"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().rsplit(" ", 1)[-1]


async def test_after_rotation_old_cards_still_verify_and_new_ones_use_the_new_kid(live):
    token = await holder()
    old = await card_token(live, token)
    old_kid = jwt.get_unverified_header(old)["kid"]
    new_kid = rotate_with_the_cli(live.settings)
    assert new_kid != old_kid
    new = await card_token(live, token)
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    keys = await published(live)
    assert {key.key_id for key in keys.keys} == {old_kid, new_kid}
    assert verify(old, keys, live.url)["sub"] == verify(new, keys, live.url)["sub"] == NUMBER

    # Once everything the retired key signed has expired, it is no longer published.
    await SigningKey.filter(kid=old_kid).update(
        signed_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert [key.key_id for key in (await published(live)).keys] == [new_kid]


# ------------------------------------------------------------------ the keys

async def test_keys_are_sealed_under_secret_key_and_named_by_their_thumbprint(clean_db,
                                                                             settings):
    row, _ = await signing_keys.current_key(settings.secret_key)
    again, _ = await signing_keys.current_key(settings.secret_key)
    assert again.kid == row.kid and await SigningKey.all().count() == 1
    jwk = row.public_jwk
    assert "d" not in jwk and jwk["alg"] == "ES256" and jwk["crv"] == "P-256"
    # RFC 7638: SHA-256 of the required members, sorted, no whitespace.
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")},
                           separators=(",", ":"), sort_keys=True)
    assert row.kid == b64(hashlib.sha256(canonical.encode()).digest())
    private = signing_keys.unseal(row.private_sealed, row.kid, settings.secret_key)
    assert private not in base64.b64decode(row.private_sealed)
    with pytest.raises(signing_keys.SigningKeyUnavailable):
        signing_keys.unseal(row.private_sealed, row.kid, settings.secret_key + "x")
    with pytest.raises(signing_keys.SigningKeyUnavailable):  # bound to its own row
        signing_keys.unseal(row.private_sealed, "another-kid", settings.secret_key)


async def test_the_jwk_set_is_cacheable_by_anyone(client, clean_db, settings):
    await signing_keys.current_key(settings.secret_key)
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jwk-set+json")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in response.headers
    [key] = response.json()["keys"]
    assert set(key) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    again = await client.get("/.well-known/jwks.json",
                             headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


# ------------------------------------------------------------------ MyCredential

async def test_my_credential_is_the_cards_credential(client, clean_db, queries, settings):
    token = await holder()
    first = (await gql(client, MY_CREDENTIAL, token=token))["data"]["myCredential"]
    with queries() as q:
        body = await gql(client, MY_CREDENTIAL, token=token)
    found = body["data"]["myCredential"]
    assert q.count <= 4  # the session, its account, the entry, the key
    assert found["keyId"] == first["keyId"] == jwt.get_unverified_header(found["jws"])["kid"]
    [key] = (await client.get("/.well-known/jwks.json")).json()["keys"]
    claims = jwt.decode(found["jws"], jwt.PyJWK(key), algorithms=["ES256"],
                        issuer=settings.base_url)
    assert dt.datetime.fromisoformat(found["expiresAt"]).timestamp() == claims["exp"]
    assert dt.datetime.fromisoformat(found["issuedAt"]).timestamp() == claims["iat"]


async def test_no_credential_without_an_active_registration(client, clean_db):
    suspended = await holder(suspended=True)
    expired = await holder("25-R-0000002", email="expired@example.com",
                           identity="1000000016", valid_until=today() - dt.timedelta(days=1))
    for token in (suspended, expired):
        body = await gql(client, MY_CREDENTIAL, token=token)
        assert body["data"]["myCredential"] is None
    account = await Account.create(email="nobody@example.com", mobile="+966551234568",
                                   first_name="No", family_name="Record", password_hash="-",
                                   status="ACTIVE")
    body = await gql(client, MY_CREDENTIAL, token=await open_session(account))
    assert body["data"]["myCredential"] is None
    anonymous = await gql(client, MY_CREDENTIAL)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_suspended_registrations_card_opens_the_register_page_alone(live):
    token = await holder(suspended=True)
    response = await live.client.get(f"/cards/{NUMBER}.pdf",
                                     headers={"authorization": f"Bearer {token}"})
    assert decode_qr(response.content) == [f"{live.url}/verify/{NUMBER}"]
