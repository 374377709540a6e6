"""The public register (VerifyPractitioner, /verify pages) and the registration card PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess

import pytest
import segno
from PIL import Image

from server.clock import today
from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.domain.registry import RegistrationStatus, kingdom_today, registration_status
from server.integrations import pdf as card_layout
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
from server.resolvers.register.cards import card_pdf_for
from server.schema import build_schema
from tests.conftest import gql
from tests.register.qr import decode_qr

NUMBER = "25-R-0004321"
PUBLIC_FIELDS = {"registrationNumber", "fullNameAr", "fullNameEn", "category", "specialty",
                 "rank", "status", "validUntil"}
LABELS = {"categoryLabel", "specialtyLabel", "rankLabel"}
VERIFY = """query VerifyPractitioner($registrationNumber: String!) {
  verifyPractitioner(registrationNumber: $registrationNumber) {
    registrationNumber fullNameAr fullNameEn category specialty rank status validUntil
  }
}"""
VERIFY_ALL = """query VerifyAll($n: String!) {
  verifyPractitioner(registrationNumber: $n) {
    registrationNumber fullNameAr fullNameEn category specialty rank status validUntil
    categoryLabel specialtyLabel rankLabel
  }
}"""
HTML = {"accept": "text/html"}


async def practitioner(number: str = NUMBER, *, identity: str = "1000000008",
                       valid_until: dt.date | None = None, suspended: bool = False,
                       account: Account | None = None) -> Practitioner:
    person = await Practitioner.create(
        account=account, identity_type="NATIONAL_ID", identity_number=identity,
        first_name_ar="محمد", father_name_ar="عبدالله", grandfather_name_ar="أحمد",
        family_name_ar="القحطاني", first_name_en="Mohammed", father_name_en="Abdullah",
        grandfather_name_en="Ahmed", family_name_en="Alqahtani",
        date_of_birth=dt.date(1984, 7, 19), gender="M", nationality="SA",
        category="PHYSICIAN", specialty="INTERNAL_MEDICINE", rank="CONSULTANT")
    await Registration.create(
        practitioner=person, number=number, rank="CONSULTANT", specialty="INTERNAL_MEDICINE",
        valid_from=dt.date(2025, 3, 1),
        valid_until=valid_until or today() + dt.timedelta(days=400), suspended=suspended)
    return person


async def account(email: str) -> Account:
    return await Account.create(email=email, mobile="+966551234567", first_name="Test",
                                family_name="Person", password_hash="-", status="ACTIVE")


async def verify(client, number: str, query: str = VERIFY, lang: str = "en"):
    variables = {"registrationNumber": number} if query is VERIFY else {"n": number}
    body = await gql(client, query, variables, lang=lang)
    assert "errors" not in body, body
    return body["data"]["verifyPractitioner"]


# ------------------------------------------------------------------ the rule

def test_status_is_active_through_the_last_valid_day_then_expired():
    last_day = dt.date(2026, 5, 31)
    assert registration_status(last_day, False, last_day) == RegistrationStatus.ACTIVE
    assert registration_status(last_day, False, dt.date(2026, 6, 1)) == "EXPIRED"
    assert registration_status(last_day, False, dt.date(2020, 1, 1)) == "ACTIVE"


def test_a_suspension_outranks_the_dates():
    assert registration_status(dt.date(2030, 1, 1), True, dt.date(2026, 1, 1)) == "SUSPENDED"
    assert registration_status(dt.date(2020, 1, 1), True, dt.date(2026, 1, 1)) == "SUSPENDED"


def test_today_is_the_day_in_the_kingdom():
    # 22:30 UTC on 31 May is already 1 June in Riyadh (UTC+3).
    late = dt.datetime(2026, 5, 31, 22, 30, tzinfo=dt.UTC)
    assert kingdom_today(late) == dt.date(2026, 6, 1)


# ------------------------------------------------------------------ GraphQL

def test_the_public_type_has_only_public_fields():
    fields = set(build_schema()._schema.type_map["PublicPractitioner"].fields)
    assert fields == PUBLIC_FIELDS | LABELS


async def test_verify_returns_exactly_the_public_fields(client, clean_db):
    await practitioner()
    found = await verify(client, NUMBER)
    assert found == {
        "registrationNumber": NUMBER, "fullNameAr": "محمد عبدالله أحمد القحطاني",
        "fullNameEn": "Mohammed Abdullah Ahmed Alqahtani", "category": "PHYSICIAN",
        "specialty": "INTERNAL_MEDICINE", "rank": "CONSULTANT", "status": "ACTIVE",
        "validUntil": (today() + dt.timedelta(days=400)).isoformat(),
    }


async def test_labels_follow_the_request_language(client, clean_db):
    await practitioner()
    arabic = await verify(client, NUMBER, VERIFY_ALL, lang="ar")
    english = await verify(client, NUMBER, VERIFY_ALL, lang="en")
    assert (arabic["categoryLabel"], arabic["rankLabel"]) == ("طبيب", "استشاري")
    assert (english["categoryLabel"], english["specialtyLabel"], english["rankLabel"]) == (
        "Physician", "Internal Medicine", "Consultant")


@pytest.mark.parametrize(("valid_until_days", "suspended", "status"), [
    (0, False, "ACTIVE"),       # the last valid day is still valid
    (-1, False, "EXPIRED"),
    (300, True, "SUSPENDED"),
    (-30, True, "SUSPENDED"),
])
async def test_status(client, clean_db, valid_until_days, suspended, status):
    await practitioner(valid_until=today() + dt.timedelta(days=valid_until_days),
                       suspended=suspended)
    assert (await verify(client, NUMBER))["status"] == status


@pytest.mark.parametrize("typed", ["25-R-0004322", "", "   ", "x" * 5000, "25-R-000432%"])
async def test_an_unknown_number_is_null(client, clean_db, typed):
    await practitioner()
    assert await verify(client, typed) is None


@pytest.mark.parametrize("typed", ["٢٥-R-٠٠٠٤٣٢١", "25-r-0004321", " ۲۵-r-۰۰۰۴۳۲۱ "])
async def test_arabic_digits_and_lower_case_are_accepted(client, clean_db, typed):
    await practitioner()
    assert (await verify(client, typed))["registrationNumber"] == NUMBER


async def test_the_response_holds_no_identity_birth_date_or_contact(client, clean_db):
    owner = await account("owner@example.com")
    await practitioner(account=owner)
    response = await client.post("/graphql", json={"query": VERIFY_ALL, "variables": {
        "n": NUMBER}}, headers={"accept-language": "en"})
    text = response.text
    assert NUMBER in text
    for secret in ("1000000008", "1984-07-19", "1984", "owner@example.com", "551234567",
                   "NATIONAL_ID", "dateOfBirth", "identity"):
        assert secret not in text, secret


async def test_the_lookup_is_one_or_two_queries(client, clean_db, queries):
    await practitioner()
    await verify(client, NUMBER)  # warm the parser and validation caches
    with queries() as q:
        assert (await verify(client, NUMBER))["status"] == "ACTIVE"
    assert q.count <= 2, q.queries
    with queries() as q:
        assert await verify(client, "25-R-9999999") is None
    assert q.count <= 2, q.queries


# ------------------------------------------------------------------ pages

async def test_the_search_page_is_arabic_by_default_and_shows_a_result(client, clean_db):
    await practitioner()
    form = await client.get("/verify", headers=HTML)
    assert form.status_code == 200
    assert '<html lang="ar" dir="rtl">' in form.text and 'name="q"' in form.text
    assert 'method="get" action="/verify"' in form.text

    found = await client.get("/verify", params={"number": "25-r-0004321"}, headers=HTML)
    assert found.status_code == 200
    assert "محمد عبدالله أحمد القحطاني" in found.text and "tag--active" in found.text
    assert "ساري" in found.text and f'href="/verify/{NUMBER}"' in found.text
    assert "1000000008" not in found.text


async def test_the_search_says_when_nobody_has_the_number(client, clean_db):
    page = await client.get("/verify", params={"number": "25-R-0000001"},
                            headers={**HTML, "accept-language": "en"})
    assert page.status_code == 200
    assert "No practitioner has this registration number" in page.text
    empty = await client.get("/verify", params={"number": ""},
                             headers={**HTML, "accept-language": "en"})
    assert "Enter a name or a registration number" in empty.text


async def test_with_htmx_only_the_result_is_swapped_in(client, clean_db):
    await practitioner()
    htmx = {**HTML, "hx-request": "true", "accept-language": "en"}
    fragment = await client.get("/verify", params={"number": NUMBER}, headers=htmx)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert "Mohammed Abdullah Ahmed Alqahtani" in fragment.text
    # The back button with the history cache off asks htmx for the whole page again.
    restored = await client.get("/verify", params={"number": NUMBER},
                                headers={**htmx, "hx-history-restore-request": "true"})
    assert restored.text.startswith("<!doctype html>")


@pytest.mark.parametrize("headers", [{"accept-language": "en"}, {"cookie": "lang=en"}])
async def test_the_entry_page_in_english(client, clean_db, headers):
    await practitioner()
    page = await client.get(f"/verify/{NUMBER}", headers={**HTML, **headers})
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text
    for shown in ("Mohammed Abdullah Ahmed Alqahtani", "محمد عبدالله أحمد القحطاني",
                  "Physician", "Internal Medicine", "Consultant", "tag--active", "Active",
                  "This registration is active", "AH"):
        assert shown in page.text, shown


async def test_the_entry_page_in_arabic_isolates_numbers_and_dates(client, clean_db):
    await practitioner(valid_until=dt.date(2026, 1, 31))
    page = await client.get("/verify/٢٥-r-٠٠٠٤٣٢١", headers={**HTML, "cookie": "lang=ar"})
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert f"\u2068{NUMBER}\u2069" in page.text
    assert "\u20682026-01-31\u2069" in page.text and "هـ" in page.text
    assert "tag--expired" in page.text and "منتهي" in page.text


async def test_the_entry_page_shows_a_suspension(client, clean_db):
    await practitioner(suspended=True)
    page = await client.get(f"/verify/{NUMBER}", headers={**HTML, "accept-language": "en"})
    assert "tag--suspended" in page.text and "This registration is suspended" in page.text


async def test_an_unknown_entry_is_a_404_page(client, clean_db):
    page = await client.get("/verify/25-R-0000009", headers={**HTML, "accept-language": "en"})
    assert page.status_code == 404
    assert "No practitioner has this registration number" in page.text
    assert 'href="/verify"' in page.text


# ------------------------------------------------------------------ the card

def pdf_text(data: bytes) -> str:
    """The PDF's text with runs of whitespace as one space (a long name wraps)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    return " ".join(text.split())


def rasterise(data: bytes, dpi: int = 300) -> Image.Image:
    png = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile"], input=data,
                         capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


async def signed_in_owner() -> tuple[Account, str]:
    owner = await account("owner@example.com")
    await practitioner(account=owner)
    return owner, await open_session(owner)


async def test_the_owner_downloads_the_card(client, clean_db, settings):
    _, token = await signed_in_owner()
    cookie = f"{session_cookie_name(settings)}={token}"
    response = await client.get("/cards/25-r-0004321.pdf", headers={"cookie": cookie})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="sijil-card-{NUMBER}.pdf"')
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert NUMBER in text and "Mohammed Abdullah Ahmed Alqahtani" in text
    assert f"{settings.base_url}/verify/{NUMBER}" in text


async def test_another_practitioner_gets_the_same_404_as_for_no_such_card(client, clean_db):
    await signed_in_owner()
    other = await account("other@example.com")
    await practitioner("25-R-0000002", identity="100000001" + saudi_id_check_digit("100000001"),
                       account=other)
    token = await open_session(other)
    bearer = {"authorization": f"Bearer {token}"}
    theirs = await client.get(f"/cards/{NUMBER}.pdf", headers=bearer)
    missing = await client.get("/cards/25-R-0000404.pdf", headers=bearer)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert (await client.get("/cards/25-R-0000002.pdf", headers=bearer)).status_code == 200


async def test_anonymous_gets_401_or_the_sign_in_page(client, clean_db):
    await practitioner()
    api = await client.get(f"/cards/{NUMBER}.pdf")
    assert api.status_code == 401
    browser = await client.get(f"/cards/{NUMBER}.pdf", headers=HTML)
    assert browser.status_code == 303
    assert browser.headers["location"].startswith("/login")


async def test_card_pdf_for_is_two_queries_and_none_for_no_such_number(clean_db, queries,
                                                                       settings):
    """The entry, and the signing key (once the key exists and has signed)."""
    await practitioner()
    site = dataclasses.replace(settings, base_url="https://sijil.example.sa")
    await card_pdf_for(NUMBER, site)
    with queries() as q:
        card = await card_pdf_for(NUMBER, site)
    assert card is not None and card.startswith(b"%PDF-")
    assert q.count <= 2
    assert await card_pdf_for("25-R-0000404", site) is None


async def test_the_qr_code_on_the_card_opens_the_register_entry(clean_db, settings):
    """The QR code opens the entry (with the credential after `#`, tests/register/); the
    drawn squares are exactly segno's code for that text, with a clear quiet zone."""
    await practitioner()
    card = await card_pdf_for(NUMBER, dataclasses.replace(
        settings, base_url="https://sijil.example.sa/"))
    [url] = decode_qr(card)
    assert url.startswith(f"https://sijil.example.sa/verify/{NUMBER}#ey")
    image = rasterise(card)
    matrix = segno.make(url, error=card_layout.QR_ERROR, micro=False).matrix
    size, module = len(matrix), card_layout.QR_SIZE / len(matrix)
    x0, y0 = card_layout.QR_X, card_layout.QR_Y

    def dark(col: float, row: float) -> bool:
        per_mm = 300 / 25.4  # pixels per millimetre at the rasterised resolution
        return image.getpixel((int((x0 + col * module) * per_mm),
                               int((y0 + row * module) * per_mm))) < 128

    assert all(dark(c + 0.5, r + 0.5) == bool(matrix[r][c])
               for r in range(size) for c in range(size))
    ring = [k / 2 for k in range(-8, 2 * size + 8)]
    assert not any(dark(k, -3) or dark(k, size + 3) or dark(-3, k) or dark(size + 3, k)
                   for k in ring)
