"""The /verify page opened from a card's QR code checks the credential in Chromium
(WebCrypto against the JWK Set) and says, in Arabic and English, whether it is genuine and
whether it matches the register now. The card is downloaded and its QR code read with zbar,
as a phone would; screenshots of each verdict go to docs/screenshots/."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from server.config import ROOT
from tests.browser.helpers import assert_fits
from tests.browser.journeys import seed
from tests.register.qr import decode_qr, rasterise_png

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
VERDICT = "#credential-check [data-verdict]"


def seed_holder(app, number: str, identity: str, email: str) -> str:
    """An active registration with an account; returns a session token."""
    out = seed(app, f"""
import datetime as dt
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
today = dt.date.today()
account = await Account.create(email="{email}", mobile="+966551234567", first_name="نورة",
    family_name="العتيبي", password_hash="x", status="ACTIVE")
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="{identity}", first_name_ar="نورة", father_name_ar="خالد",
    grandfather_name_ar="فهد", family_name_ar="العتيبي", first_name_en="Noura",
    father_name_en="Khalid", grandfather_name_en="Fahad", family_name_en="Alotaibi",
    date_of_birth=dt.date(1986, 3, 14), gender="F", nationality="SA", category="NURSE",
    specialty="NURSING", rank="SPECIALIST")
await Registration.create(practitioner=p, number="{number}", rank="SPECIALIST",
    specialty="NURSING", valid_from=today - dt.timedelta(days=30),
    valid_until=today + dt.timedelta(days=700))
print(await open_session(account))
""")
    return out.strip().splitlines()[-1]


def card_qr(app, number: str, token: str, picture: Path | None = None) -> str:
    request = urllib.request.Request(f"{app}/cards/{number}.pdf",
                                     headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        pdf = response.read()
    [text] = decode_qr(pdf)
    if picture:  # to look at: the card as printed, QR code and all
        picture.write_bytes(rasterise_png(pdf, 150))
    assert text.startswith(f"{app}/verify/{number}#ey")
    return text


@pytest.fixture(scope="module")
def cards(base_url):
    """Three cards issued while active: one stays so, one is suspended after issue, one is
    renewed (its validUntil moves); and a forgery (one changed character of a signature)."""
    found = {}
    for name, number, identity in (("genuine", "26-R-0000301", "1000003002"),
                                   ("suspended", "26-R-0000302", "1000003010"),
                                   ("changed", "26-R-0000303", "1000003028")):
        token = seed_holder(base_url, number, identity, f"{name}@example.com")
        found[name] = card_qr(base_url, number, token,
                              SHOTS / "card-credential.png" if name == "genuine" else None)
    seed(base_url, """
from server.models.practitioners import Registration
import datetime as dt
await Registration.filter(number="26-R-0000302").update(suspended=True)
await Registration.filter(number="26-R-0000303").update(
    valid_until=dt.date.today() + dt.timedelta(days=1065))
""")
    signature = found["genuine"].rsplit(".", 1)[1]
    flipped = signature[:8] + ("A" if signature[8] != "A" else "B") + signature[9:]
    found["forged"] = found["genuine"].replace(signature, flipped)
    return found


EXPECTED = {
    # name → (variant, English words, Arabic words)
    "genuine": ("success", "Genuine: this card was signed by the register, and it matches",
                "أصلية: وقّع السجل هذه البطاقة"),
    "suspended": ("error", "Genuine card, but the registration is suspended now",
                  "بطاقة أصلية، لكن التسجيل موقوف الآن"),
    "changed": ("warning", "the register has changed since it was signed",
                "لكن السجل تغيّر منذ توقيعها"),
    "forged": ("error", "Not genuine: the register did not sign", "غير أصلية"),
}


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize("locale", ["en-GB", "ar-SA"])
def test_the_verdict_in_both_languages(new_page, cards, name, locale):
    variant, english, arabic = EXPECTED[name]
    for width in (1280, 390):
        page = new_page(width=width, height=900, locale=locale)
        errors: list[str] = []
        page.on("response", lambda r, seen=errors: seen.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
        page.goto(cards[name])
        # "Checking…" (info) first, then the verdict.
        page.wait_for_selector(f'{VERDICT}:not([data-verdict="info"])', timeout=10_000)
        verdict = page.locator(VERDICT)
        assert verdict.get_attribute("data-verdict") == variant
        text = verdict.inner_text()
        assert (english if locale == "en-GB" else arabic) in text, text
        if name == "changed":
            assert ("Valid until" if locale == "en-GB" else "صالح حتى") in text
        assert errors == [], errors
        assert_fits(page, width)
        lang = locale[:2]
        page.screenshot(path=str(SHOTS / f"verify-credential-{name}-{lang}-{width}.png"),
                        full_page=True)


def test_without_a_fragment_the_page_is_as_before(new_page, cards):
    page = new_page()
    page.goto(cards["suspended"].split("#")[0])
    assert page.locator("#credential-check").is_hidden()
    assert page.locator(".banner--error:visible").count() == 1  # the register's "suspended"
    assert re.search(r"26-R-0000302", page.inner_text("main"))

