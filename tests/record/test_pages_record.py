"""The record pages, as a browser sends them (plain forms and htmx)."""

import re

from server import clock
from server.context import session_cookie_name
from server.models.practitioners import Experience
from tests.builders import MINIMAL_PDF, imported_record
from tests.conftest import csrf_of
from tests.journeys import signed_in_practitioner

HTMX = {"hx-request": "true"}


async def signed_in_browser(browser_like, client, deliver, smtp_server, sms_gateway):
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    return token


async def post(browser_like, path, data, files=None, htmx=False):
    return await browser_like.post(path, data={"csrf_token": csrf_of(browser_like), **data},
                                   files=files, headers=HTMX if htmx else {})


async def test_claim_profile_experience_cpd_and_history_through_the_pages(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await imported_record()
    await signed_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)

    dashboard = await browser_like.get("/")
    assert "/record/claim" in dashboard.text
    wrong = await post(browser_like, "/record/claim", {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth-day": "31", "dateOfBirth-month": "2", "dateOfBirth-year": "1985"})
    assert wrong.status_code == 422 and "data-error-summary" in wrong.text
    claimed = await post(browser_like, "/record/claim", {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth-day": "12", "dateOfBirth-month": "4", "dateOfBirth-year": "1985"})
    assert claimed.status_code == 303

    dashboard = await browser_like.get("/")
    assert "24-R-0000101" in dashboard.text and "/renewals/new" in dashboard.text

    profile = await browser_like.get("/record")
    assert profile.status_code == 200
    assert "سارة محمد علي القحطاني" in profile.text and "0008" in profile.text
    assert "1000000008" not in profile.text  # the identity number is masked
    assert "Days left" in profile.text and "\u206860\u2069" in profile.text  # 60 days

    # A failed submit keeps what was typed and the file that was accepted.
    missing_city = await post(browser_like, "/record/experience", {
        "workplace": "King Fahad Medical City", "specialty": "Internal Medicine",
        "country": "SA", "organizationType": "GOVERNMENT", "startDate-day": "1",
        "startDate-month": "1", "startDate-year": "2019"},
        files={"certificate": ("experience-letter.pdf", MINIMAL_PDF, "application/pdf")},
        htmx=True)
    assert missing_city.status_code == 422
    assert missing_city.text.lstrip().startswith("<section")
    assert "experience-letter.pdf" in missing_city.text
    kept = re.search(r'name="certificate_id" value="([^"]+)"', missing_city.text).group(1)
    assert 'value="King Fahad Medical City"' in missing_city.text

    saved = await post(browser_like, "/record/experience", {
        "workplace": "King Fahad Medical City", "specialty": "Internal Medicine",
        "city": "Riyadh", "country": "SA", "organizationType": "GOVERNMENT",
        "startDate-day": "1", "startDate-month": "1", "startDate-year": "2019",
        "certificate_id": kept}, htmx=True)
    assert saved.status_code == 200 and "King Fahad Medical City" in saved.text
    experience = await Experience.get()
    assert str(experience.certificate_id) == kept

    cpd = await post(browser_like, "/record/cpd", {
        "title": "ACLS", "provider": "Saudi Heart Association", "hours": "8",
        "activityType": "COURSE",
        "completedOn-day": "1", "completedOn-month": "10", "completedOn-year": "2025"},
        files={"certificate": ("acls.pdf", MINIMAL_PDF, "application/pdf")})
    assert cpd.status_code == 303 and cpd.headers["location"].startswith("/applications/")
    application = await browser_like.get(cpd.headers["location"])
    assert application.status_code == 200 and "/pay" in application.text

    # A change the registry import made has no person behind it: it says so.
    from server.models.practitioners import Practitioner, RecordChange

    practitioner = await Practitioner.get(identity_number="1000000008")
    await RecordChange.create(practitioner_id=practitioner.id, actor_id=None,
                              what="REGISTRY_UPDATED", changes={"rank": ["A", "B"]})
    history = await browser_like.get("/record/history")
    assert history.status_code == 200
    assert history.text.count("timeline__item") >= 4  # claimed, experience, CPD, registry
    assert "from the registry" in history.text and "by you" in history.text


async def test_pages_need_a_signed_in_account(browser_like):
    for path in ("/record", "/record/cpd", "/record/change", "/record/history",
                 "/applications"):
        response = await browser_like.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/login"), path


async def test_someone_elses_application_is_not_found(browser_like, client, deliver,
                                                      smtp_server, sms_gateway):
    await signed_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    response = await browser_like.get("/applications/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


async def test_a_licence_and_an_experience_are_changed_in_place(
        browser_like, client, deliver, smtp_server, sms_gateway):
    import datetime as dt

    from server.models.practitioners import License, Practitioner

    await imported_record()
    await signed_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    await post(browser_like, "/record/claim", {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth-day": "12", "dateOfBirth-month": "4", "dateOfBirth-year": "1985"})
    expiry = clock.today() + dt.timedelta(days=400)
    added = await post(browser_like, "/record/licences", {
        "authority": "DHA", "country": "AE", "specialty": "Internal Medicine",
        "referenceNumber": "DHA-123", "expiryDate-day": str(expiry.day),
        "expiryDate-month": str(expiry.month), "expiryDate-year": str(expiry.year)},
        files={"document": ("dha.pdf", MINIMAL_PDF, "application/pdf")}, htmx=True)
    assert added.status_code == 200, added.text[:300]
    licence = await License.get(reference_number="DHA-123")
    document_id = licence.document_id

    # "Change": the section comes back with the form filled in and aimed at this licence.
    form = await browser_like.get(f"/record/licenses/{licence.id}/edit", headers=HTMX)
    assert form.status_code == 200 and form.text.lstrip().startswith("<section")
    assert f'action="/record/licences/{licence.id}"' in form.text
    assert 'value="DHA-123"' in form.text and f'value="{expiry.year}"' in form.text
    page = await browser_like.get(f"/record/licenses/{licence.id}/edit")
    assert "<html" in page.text and f'action="/record/licences/{licence.id}"' in page.text

    wrong = await post(browser_like, f"/record/licences/{licence.id}", {
        "authority": "", "country": "AE", "specialty": "Internal Medicine",
        "referenceNumber": "DHA-789", "expiryDate-day": str(expiry.day),
        "expiryDate-month": str(expiry.month), "expiryDate-year": str(expiry.year)}, htmx=True)
    assert wrong.status_code == 422
    assert f'action="/record/licences/{licence.id}"' in wrong.text  # still this licence
    assert 'value="DHA-789"' in wrong.text
    saved = await post(browser_like, f"/record/licences/{licence.id}", {
        "authority": "Dubai Health Authority", "country": "AE",
        "specialty": "Internal Medicine", "referenceNumber": "DHA-789",
        "expiryDate-day": str(expiry.day), "expiryDate-month": str(expiry.month),
        "expiryDate-year": str(expiry.year)})
    assert saved.status_code == 303
    changed = await License.get(id=licence.id)
    assert (changed.authority, changed.reference_number, changed.document_id) == (
        "Dubai Health Authority", "DHA-789", document_id)  # no new file: the scan stays

    practitioner = await Practitioner.get(identity_number="1000000008")
    await post(browser_like, "/record/experience", {
        "workplace": "King Fahad Medical City", "specialty": "Internal Medicine",
        "city": "Riyadh", "country": "SA", "organizationType": "GOVERNMENT",
        "startDate-day": "1", "startDate-month": "1", "startDate-year": "2019"},
        files={"certificate": ("exp.pdf", MINIMAL_PDF, "application/pdf")})
    experience = await Experience.get(practitioner_id=practitioner.id)
    form = await browser_like.get(f"/record/experience/{experience.id}/edit", headers=HTMX)
    assert f'action="/record/experience/{experience.id}"' in form.text
    assert 'value="King Fahad Medical City"' in form.text
    ended = await post(browser_like, f"/record/experience/{experience.id}", {
        "workplace": "King Fahad Medical City", "specialty": "Internal Medicine",
        "city": "Riyadh", "country": "SA", "organizationType": "GOVERNMENT",
        "startDate-day": "1", "startDate-month": "1", "startDate-year": "2019",
        "endDate-day": "30", "endDate-month": "6", "endDate-year": "2024"}, htmx=True)
    assert ended.status_code == 200, ended.text[:300]
    after = await Experience.get(id=experience.id)
    assert after.end_date == dt.date(2024, 6, 30)
    assert after.certificate_id == experience.certificate_id  # kept
    gone = await browser_like.get(f"/record/licenses/{experience.id}/edit")
    assert gone.status_code == 303  # not a licence of theirs: back to the record
