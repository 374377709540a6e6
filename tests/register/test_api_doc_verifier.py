"""The offline verifier of docs/api.md ("Verifying a registration credential offline"),
run as written against the app over real HTTP: the code a client developer copies works."""

from __future__ import annotations

import asyncio
import re

import jwt
import pytest

from server.config import ROOT
from server.models.practitioners import Registration
from tests.register.test_credential import NUMBER, card_token, holder

SECTION = "## Verifying a registration credential offline"
DOC_REGISTER = 'REGISTER = "https://sijil.example.sa"'


def verifier_source() -> str:
    text = (ROOT / "docs" / "api.md").read_text()
    section = text[text.index(SECTION):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    return code


def test_the_verifier_is_about_twenty_lines():
    lines = [line for line in verifier_source().splitlines()
             if line.strip() and not line.strip().startswith(("#", '"""'))]
    assert len(lines) <= 26, len(lines)


async def test_the_documented_verifier_accepts_a_card_and_refuses_a_forgery(live):
    source = verifier_source()
    assert DOC_REGISTER in source
    namespace: dict = {}
    exec(source.replace(DOC_REGISTER, f'REGISTER = "{live.url}"'), namespace)
    qr_text = f"{live.url}/verify/{NUMBER}#" + await card_token(live, await holder())

    # urllib blocks: in a thread, so the server on this event loop keeps answering.
    registration = await asyncio.to_thread(namespace["verify_card"], qr_text)
    assert registration["number"] == NUMBER
    assert registration["fullNameEn"] == "Mohammed Abdullah Ahmed Alqahtani"
    assert await asyncio.to_thread(namespace["status_now"], NUMBER) == "ACTIVE"

    signature = qr_text.rsplit(".", 1)[1]
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    for forged in (qr_text.replace(signature, flipped),  # one character of the signature
                   qr_text.replace(f"/verify/{NUMBER}", "/verify/25-R-0000002")):
        with pytest.raises(jwt.InvalidTokenError):
            await asyncio.to_thread(namespace["verify_card"], forged)

    await Registration.filter(number=NUMBER).update(suspended=True)
    assert await asyncio.to_thread(namespace["status_now"], NUMBER) == "SUSPENDED"
    # Still genuine offline: the signature says what the register said when it signed.
    assert (await asyncio.to_thread(namespace["verify_card"], qr_text))["number"] == NUMBER
