"""A good-standing certificate carries, beside its own code, the registration credential:
the same `{BASE_URL}/verify/{number}#{jws}` as the card, read back with zbar and verified
with PyJWT; a suspended holder's certificate has its own code only."""

from __future__ import annotations

import datetime as dt

import jwt

from server.clock import today
from server.models.certificates import Certificate
from server.models.practitioners import Registration
from server.resolvers.register.signing_keys import published_jwks
from server.resolvers.services.certificates import pdf_for
from tests.register.qr import decode_qr
from tests.register.test_credential import NUMBER, holder


async def certificate() -> Certificate:
    registration = await Registration.get(number=NUMBER)
    return await Certificate.create(code="ABCD-EFGH-JKLM", kind="GOOD_STANDING",
                                    practitioner_id=registration.practitioner_id,
                                    valid_until=today() + dt.timedelta(days=90))


async def test_a_certificate_carries_the_registration_credential(clean_db, settings):
    await holder()
    pdf = await pdf_for(settings, await certificate())
    codes = sorted(decode_qr(pdf))
    assert len(codes) == 2, codes
    own = f"{settings.base_url}/verify/certificate/ABCD-EFGH-JKLM"
    assert own in codes
    [signed] = [text for text in codes if text != own]
    page, _, token = signed.partition("#")
    assert page == f"{settings.base_url}/verify/{NUMBER}"
    keys = jwt.PyJWKSet.from_dict(await published_jwks())
    claims = jwt.decode(token, keys[jwt.get_unverified_header(token)["kid"]],
                        algorithms=["ES256"], issuer=settings.base_url)
    assert claims["registration"]["number"] == NUMBER


async def test_a_suspended_holders_certificate_has_its_own_code_only(clean_db, settings):
    await holder(suspended=True)
    pdf = await pdf_for(settings, await certificate())
    assert decode_qr(pdf) == [f"{settings.base_url}/verify/certificate/ABCD-EFGH-JKLM"]
