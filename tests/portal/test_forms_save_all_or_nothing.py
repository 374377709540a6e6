"""Issue 16 point 3 and 4, server side: a form whose file is refused saves nothing and comes
back with what was typed; every error a browser meets on a page route is a page (or an htmx
fragment) in its language, never JSON, while the API keeps its JSON."""

from server.context import session_cookie_name
from server.middleware import FILE_LIMIT
from server.models.applications import Application
from server.models.documents import Document
from server.models.practitioners import Experience
from tests.builders import MINIMAL_PDF, imported_record
from tests.conftest import csrf_of
from tests.journeys import signed_in_practitioner

HTMX = {"hx-request": "true"}
EN = {"accept-language": "en"}
EXPERIENCE = {"workplace": "King Fahad Medical City", "specialty": "Internal Medicine",
              "city": "Riyadh", "country": "SA", "organizationType": "GOVERNMENT",
              "startDate-day": "1", "startDate-month": "1", "startDate-year": "2019"}


async def signed_in(browser_like, client, deliver, smtp_server, sms_gateway):
    await imported_record()
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    claimed = await post(browser_like, "/record/claim", {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth-day": "12", "dateOfBirth-month": "4", "dateOfBirth-year": "1985"})
    assert claimed.status_code == 303


async def post(browser_like, path, data, files=None, headers=None):
    return await browser_like.post(path, data={"csrf_token": csrf_of(browser_like), **data},
                                   files=files, headers=headers or {})


async def test_an_experience_with_a_refused_file_is_not_saved_and_the_corrected_one_is(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    for htmx in (False, True):
        refused = await post(browser_like, "/record/experience", EXPERIENCE, files={
            "certificate": ("program.exe", b"MZ\x90\x00" + b"\x00" * 200,
                            "application/octet-stream")}, headers=HTMX if htmx else EN)
        assert refused.status_code == 422
        assert await Experience.all().count() == 0  # not saved "without certificate"
        assert 'value="King Fahad Medical City"' in refused.text  # what was typed is kept
        assert 'value="Riyadh"' in refused.text
        assert "data-error-summary" in refused.text and 'href="#field-certificate"' in \
            refused.text
    assert "Upload a PDF, JPEG or PNG file." in refused.text or "PDF" in refused.text

    saved = await post(browser_like, "/record/experience", EXPERIENCE, files={
        "certificate": ("letter.pdf", MINIMAL_PDF, "application/pdf")}, headers=HTMX)
    assert saved.status_code == 200, saved.text  # no "dates overlap": nothing was saved
    experience = await Experience.get()
    assert experience.certificate_id is not None


async def test_a_date_that_cannot_be_read_saves_nothing_either(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    bad_end = await post(browser_like, "/record/experience", {
        **EXPERIENCE, "endDate-day": "31", "endDate-month": "2", "endDate-year": "2024"},
        files={"certificate": ("letter.pdf", MINIMAL_PDF, "application/pdf")})
    assert bad_end.status_code == 422
    assert await Experience.all().count() == 0  # not saved as a current job
    assert "letter.pdf" in bad_end.text  # the accepted file stays attached


async def test_a_file_over_5_mb_comes_back_beside_its_field_with_everything_kept(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    big = b"%PDF-1.4\n" + b"0" * (FILE_LIMIT + 1024)
    response = await post(browser_like, "/record/experience", EXPERIENCE,
                          files={"certificate": ("scan.pdf", big, "application/pdf")},
                          headers=EN)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "The file is larger than 5 MB" in response.text
    assert 'value="King Fahad Medical City"' in response.text
    assert await Experience.all().count() == 0 and await Document.all().count() == 0


async def test_a_service_application_with_a_refused_file_is_not_created(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    refused = await post(browser_like, "/services/training-certificate", {
        "programme": "Residency", "institution": "KFMC", "startDate-day": "1",
        "startDate-month": "7", "startDate-year": "2015", "endDate-day": "30",
        "endDate-month": "6", "endDate-year": "2019"},
        files={"evidence": ("program.exe", b"MZ" + b"\x00" * 100, "application/x-msdownload")})
    assert refused.status_code == 422
    assert await Application.filter(kind="TRAINING_CERTIFICATE").count() == 0
    assert 'value="Residency"' in refused.text and 'value="KFMC"' in refused.text


async def test_a_body_refused_before_it_is_read_is_a_page_in_arabic_not_json(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    huge = b"x" * (3 * FILE_LIMIT)
    page = await browser_like.post("/record/experience", content=huge, headers={
        "content-type": "multipart/form-data; boundary=x", "x-csrf-token": "",
        "referer": "http://127.0.0.1:8000/record"})
    # Refused first for its size (before the token in its body is read): a page, in the
    # account's language (English here).
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en" dir="ltr">' in page.text and "Nothing was saved" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")

    too_large = await browser_like.post("/record/experience", content=huge, headers={
        "content-type": "multipart/form-data; boundary=x", "x-csrf-token": csrf_of(
            browser_like), "referer": "http://127.0.0.1:8000/record", **EN})
    assert too_large.status_code == 413
    assert "This is too large" in too_large.text and "at most 5 MB" in too_large.text
    assert 'href="/record"' in too_large.text  # back to the form

    fragment = await browser_like.post("/record/experience", content=huge, headers={
        "content-type": "multipart/form-data; boundary=x", **HTMX, **EN,
        "x-csrf-token": csrf_of(browser_like)})
    assert fragment.status_code == 413
    assert "<html" not in fragment.text and "data-request-error" in fragment.text


async def test_the_api_keeps_its_json_errors(browser_like, client):
    upload = await client.post("/api/documents", content=b"x" * (2 * FILE_LIMIT), headers={
        "content-type": "multipart/form-data; boundary=x", "accept": "text/html"})
    assert upload.status_code in (401, 413)
    assert upload.headers["content-type"].startswith("application/json")
    graphql = await client.post("/graphql", content=b"x" * 200_000, headers={
        "content-type": "application/json", "accept": "text/html"})
    assert graphql.status_code == 413 and "html" not in graphql.headers["content-type"]


async def test_a_missing_page_and_a_forbidden_form_are_pages_or_fragments_in_arabic(
        browser_like):
    missing = await browser_like.get("/applications/nothing-here/anything")
    assert missing.status_code == 404
    assert '<html lang="ar" dir="rtl">' in missing.text and "الصفحة" in missing.text
    htmx_missing = await browser_like.get("/no-such-page", headers=HTMX)
    assert htmx_missing.status_code == 404
    assert htmx_missing.headers["content-type"].startswith("text/html")
    assert "data-request-error" in htmx_missing.text and "<html" not in htmx_missing.text

    forbidden = await browser_like.post("/language", data={"lang": "en",
                                                           "csrf_token": "wrong"})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("text/html")
    assert '<html lang="ar"' in forbidden.text

    too_large = await browser_like.post("/language", content=b"a=" + b"x" * 300_000, headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert too_large.status_code == 413
    assert '<html lang="ar" dir="rtl">' in too_large.text
    assert "الحد الأقصى لحجم كل ملف" in too_large.text
