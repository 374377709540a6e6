"""The renewal pages, as a browser sends them (plain forms and htmx): the period, the task
list, each section, check your answers and submit, and a returned renewal put right."""

import datetime as dt
import re

from server import clock
from server.context import session_cookie_name
from server.models.applications import Application, ApplicationDocument
from server.models.payments import Payment
from server.models.practitioners import CpdActivity, Experience, Practitioner, Registration
from tests.builders import MINIMAL_PDF, claimed_practitioner, imported_record, upload
from tests.conftest import ROOT_CONTRACT, gql
from tests.record.test_pages_record import post, signed_in_browser

PDF = "application/pdf"


async def claim(browser_like, practitioner) -> None:
    registration = await Registration.get(practitioner_id=practitioner.id)
    born = practitioner.date_of_birth
    claimed = await post(browser_like, "/record/claim", {
        "registrationNumber": registration.number,
        "identityNumber": practitioner.identity_number, "dateOfBirth-day": str(born.day),
        "dateOfBirth-month": str(born.month), "dateOfBirth-year": str(born.year)})
    assert claimed.status_code == 303


async def ready_for_renewal(practitioner, client, token, cpd_hours=90) -> None:
    """A current experience with its certificate, and recognised CPD hours."""
    certificate = await upload(client, token)
    await Experience.create(practitioner=practitioner, city="Riyadh", country="SA",
                            workplace="King Fahad Medical City", specialty="Internal Medicine",
                            start_date=dt.date(2018, 1, 1), organization_type="GOVERNMENT",
                            certificate_id=certificate)
    if cpd_hours:
        await CpdActivity.create(practitioner=practitioner, title="Annual conference",
                                 provider="SHA", hours=cpd_hours, recognised_hours=cpd_hours,
                                 completed_on=clock.today() - dt.timedelta(days=30),
                                 status="RECOGNISED")


async def practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway,
                                  ready=True, cpd_hours=90, **record):
    practitioner = await imported_record(**record)
    token = await signed_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set("lang", "ar")  # the pages in Arabic, as most people use them
    await claim(browser_like, practitioner)
    if ready:
        await ready_for_renewal(practitioner, client, token, cpd_hours)
    return token, practitioner


async def start(browser_like, years="1") -> str:
    started = await post(browser_like, "/renewals/new", {"years": years})
    assert started.status_code == 303, started.text
    return started.headers["location"].removeprefix("/renewals/")


async def answer_all(browser_like, renewal_id, bls="YES", disciplinary="NO"):
    answered = await post(browser_like, f"/renewals/{renewal_id}/questions", {
        "PRACTISING_IN_KINGDOM": "YES", "DISCIPLINARY_ACTION": disciplinary,
        "VALID_BLS": bls})
    assert answered.status_code == 303
    return answered


def pdf(name):
    return (name, MINIMAL_PDF, PDF)


def letter_date(days_ago: int = 10) -> dict:
    """The date on an employer letter, as the day / month / year fields send it."""
    on = clock.today() - dt.timedelta(days=days_ago)
    return {"letterIssuedOn-day": str(on.day), "letterIssuedOn-month": str(on.month),
            "letterIssuedOn-year": str(on.year)}


def task_status(page: str, label: str) -> str:
    """The status the task list shows beside a task."""
    found = re.search(re.escape(label) + r"</a>.*?task-list__status\"[^>]*>\s*(.*?)\s*</span>",
                      page, re.S)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


async def test_renewal_pages_need_a_signed_in_account(browser_like):
    for path in ("/renewals/new", "/renewals/00000000-0000-0000-0000-000000000000",
                 "/renewals/00000000-0000-0000-0000-000000000000/check"):
        response = await browser_like.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/login"), path


async def test_the_period_page_shows_the_fee_of_each_period_and_opens_one_renewal(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway,
                                  ready=False)
    browser_like.cookies.set("lang", "en")
    page = await browser_like.get("/renewals/new")
    assert page.status_code == 200
    # A consultant pays 250 SAR a year.
    for fee in ("250 SAR", "750 SAR", "1,250 SAR"):
        assert fee in page.text.replace("\u2068", "").replace("\u2069", "")

    nothing = await post(browser_like, "/renewals/new", {})
    assert nothing.status_code == 422 and "data-error-summary" in nothing.text
    assert 'href="#field-years"' in nothing.text
    fragment = await post(browser_like, "/renewals/new", {"years": "2"}, htmx=True)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith("<form")
    assert await Application.filter(kind="RENEWAL").count() == 0

    started = await post(browser_like, "/renewals/new", {"years": "3"}, htmx=True)
    assert started.status_code == 200
    location = started.headers["hx-redirect"]
    renewal = await Application.get(kind="RENEWAL")
    assert location == f"/renewals/{renewal.id}" and renewal.years == 3
    # Coming back to the start (or a second click) carries on with the renewal already open.
    again = await browser_like.get("/renewals/new")
    assert again.status_code == 303 and again.headers["location"] == location
    twice = await post(browser_like, "/renewals/new", {"years": "1"})
    assert twice.status_code == 303 and twice.headers["location"] == location
    assert await Application.filter(kind="RENEWAL").count() == 1


async def test_the_fees_shown_are_the_schedule_an_admin_edited(
        browser_like, client, deliver, smtp_server, sms_gateway):
    from server.models.settings import Setting

    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway,
                                  ready=False)
    await Setting.create(key="fees", value={"REGISTRATION_YEAR_CONSULTANT": "300.00"})
    page = await browser_like.get("/renewals/new")
    shown = page.text.replace("\u2068", "").replace("\u2069", "")
    assert "300 ريال" in shown and "1,500 ريال" in shown and "250 ريال" not in shown


async def test_a_renewal_that_cannot_start_says_why(browser_like, client, deliver,
                                                    smtp_server, sms_gateway):
    _, practitioner = await practitioner_in_browser(
        browser_like, client, deliver, smtp_server, sms_gateway, ready=False,
        valid_for_days=200)
    page = await browser_like.get("/renewals/new")
    assert page.status_code == 200
    assert "يُتاح التجديد في" in page.text and 'name="years"' not in page.text
    refused = await post(browser_like, "/renewals/new", {"years": "1"})
    assert refused.status_code == 422 and "يُتاح التجديد في" in refused.text

    await Registration.filter(practitioner_id=practitioner.id).update(
        valid_until=clock.today() + dt.timedelta(days=30), suspended=True)
    suspended = await browser_like.get("/renewals/new")
    assert "تسجيلك المهني موقوف" in suspended.text and 'name="years"' not in suspended.text


async def test_the_task_list_follows_what_is_missing_and_a_cpd_gap_blocks_submission(
        browser_like, client, deliver, smtp_server, sms_gateway):
    _, practitioner = await practitioner_in_browser(
        browser_like, client, deliver, smtp_server, sms_gateway, cpd_hours=40)
    renewal_id = await start(browser_like)
    browser_like.cookies.set("lang", "en")

    tasks = await browser_like.get(f"/renewals/{renewal_id}")
    assert tasks.status_code == 200
    assert task_status(tasks.text, "Eligibility questions") == "Not yet started"
    assert task_status(tasks.text, "Personal details") == "Completed"
    assert task_status(tasks.text, "Experience and licences") == "In progress"
    assert task_status(tasks.text, "CPD hours") == "In progress"
    assert "You need 50 more CPD hours: 40 of 90 are recognised" in tasks.text
    assert "You have completed \u20681\u2069 of \u20685\u2069 sections." in tasks.text

    cpd = await browser_like.get(f"/renewals/{renewal_id}/cpd")
    assert "You need \u206850\u2069 more CPD hours before you can submit." in cpd.text
    assert 'href="/record/cpd"' in cpd.text

    check = await browser_like.get(f"/renewals/{renewal_id}/check")
    assert check.status_code == 200
    assert "Before you can submit" in check.text and "Submit and pay" not in check.text
    assert f'href="/renewals/{renewal_id}/cpd"' in check.text
    refused = await post(browser_like, f"/renewals/{renewal_id}/check", {})
    assert refused.status_code == 422 and 'href="#field-CPD_HOURS"' in refused.text
    assert 'href="#field-QUESTIONS"' in refused.text
    fragment = await post(browser_like, f"/renewals/{renewal_id}/check", {}, htmx=True)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith('<div id="check"')
    assert (await Application.get(id=renewal_id)).status == "DRAFT"

    await CpdActivity.create(practitioner=practitioner, title="Workshop", provider="SHA",
                             hours=50, recognised_hours=50, completed_on=clock.today(),
                             status="RECOGNISED")
    tasks = await browser_like.get(f"/renewals/{renewal_id}")
    assert task_status(tasks.text, "CPD hours") == "Completed"


async def test_unanswered_questions_are_named_and_the_answers_given_are_kept(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    renewal_id = await start(browser_like)
    page = await browser_like.get(f"/renewals/{renewal_id}/questions")
    assert page.status_code == 200 and page.text.count('type="radio"') == 6

    partly = await post(browser_like, f"/renewals/{renewal_id}/questions",
                        {"PRACTISING_IN_KINGDOM": "YES"})
    assert partly.status_code == 422
    assert 'href="#field-VALID_BLS"' in partly.text
    assert 'href="#field-PRACTISING_IN_KINGDOM"' not in partly.text
    assert re.search(r'value="YES"\s+checked', partly.text)
    saved = await Application.get(id=renewal_id)
    assert saved.data["answers"] == {"PRACTISING_IN_KINGDOM": "YES"}  # saved as it goes

    fragment = await post(browser_like, f"/renewals/{renewal_id}/questions",
                          {"VALID_BLS": "NO"}, htmx=True)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith("<form")
    assert 'href="#field-DISCIPLINARY_ACTION"' in fragment.text

    done = await post(browser_like, f"/renewals/{renewal_id}/questions", {
        "DISCIPLINARY_ACTION": "NO", "VALID_BLS": "YES"}, htmx=True)
    assert done.status_code == 200
    assert done.headers["hx-redirect"] == f"/renewals/{renewal_id}?saved=questions"
    assert (await Application.get(id=renewal_id)).data["answers"] == {
        "PRACTISING_IN_KINGDOM": "YES", "DISCIPLINARY_ACTION": "NO", "VALID_BLS": "YES"}
    tasks = await browser_like.get(done.headers["hx-redirect"])
    assert "تم حفظ إجاباتك." in tasks.text
    again = await browser_like.get(f"/renewals/{renewal_id}/questions")
    assert len(re.findall(r'value="YES"\s+checked', again.text)) == 2


async def test_documents_keep_an_accepted_file_and_name_what_is_still_needed(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    renewal_id = await start(browser_like)
    before = await browser_like.get(f"/renewals/{renewal_id}/documents")
    assert 'name="EMPLOYER_LETTER"' in before.text and 'name="BLS_CERTIFICATE"' not in before.text
    await answer_all(browser_like, renewal_id, bls="YES")

    page = await browser_like.get(f"/renewals/{renewal_id}/documents")
    assert 'name="EMPLOYER_LETTER"' in page.text and 'name="BLS_CERTIFICATE"' in page.text
    wrong = await post(browser_like, f"/renewals/{renewal_id}/documents", {}, files={
        "EMPLOYER_LETTER": ("letter.pdf", b"not a pdf at all", PDF),
        "BLS_CERTIFICATE": pdf("bls-card.pdf")})
    assert wrong.status_code == 422
    assert 'href="#field-EMPLOYER_LETTER"' in wrong.text
    assert "bls-card.pdf" in wrong.text  # accepted, attached, and shown by name
    assert await ApplicationDocument.filter(application_id=renewal_id).count() == 1

    missing_letter = await post(browser_like, f"/renewals/{renewal_id}/documents", {
        "BLS_CERTIFICATE_id": re.search(r'name="BLS_CERTIFICATE_id" value="([^"]+)"',
                                        wrong.text).group(1)}, htmx=True)
    assert missing_letter.status_code == 422
    assert missing_letter.text.lstrip().startswith("<form")
    assert "خطاب جهة العمل" in missing_letter.text  # the API's own words for what is missing

    later = await post(browser_like, f"/renewals/{renewal_id}/documents", {"then": "later"})
    assert later.status_code == 303

    letter = await post(browser_like, f"/renewals/{renewal_id}/experience", letter_date(),
                        files={"EMPLOYER_LETTER": pdf("employer-letter.pdf")}, htmx=True)
    assert letter.status_code == 200
    assert letter.headers["hx-redirect"] == f"/renewals/{renewal_id}?saved=experience"
    kinds = await ApplicationDocument.filter(application_id=renewal_id) \
        .values_list("kind", flat=True)
    assert sorted(kinds) == ["BLS_CERTIFICATE", "EMPLOYER_LETTER"]
    documents = await browser_like.get(f"/renewals/{renewal_id}/documents")
    assert "employer-letter.pdf" in documents.text and "bls-card.pdf" in documents.text


async def test_checking_and_submitting_leads_to_payment(browser_like, client, deliver,
                                                        smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    renewal_id = await start(browser_like)
    await answer_all(browser_like, renewal_id, bls="YES")
    saved = await post(browser_like, f"/renewals/{renewal_id}/documents", letter_date(), files={
        "EMPLOYER_LETTER": pdf("employer-letter.pdf"), "BLS_CERTIFICATE": pdf("bls.pdf")})
    assert saved.status_code == 303

    tasks = await browser_like.get(f"/renewals/{renewal_id}")
    for section in ("أسئلة الأهلية", "البيانات الشخصية", "الخبرات العملية والتراخيص",
                    "ساعات التعليم المهني المستمر", "المستندات"):
        assert task_status(tasks.text, section) == "مكتمل", section
    check = await browser_like.get(f"/renewals/{renewal_id}/check")
    assert check.status_code == 200
    assert "employer-letter.pdf" in check.text and "bls.pdf" in check.text
    assert f'href="/renewals/{renewal_id}/questions#field-VALID_BLS"' in check.text
    assert f'action="/renewals/{renewal_id}/check"' in check.text

    submitted = await post(browser_like, f"/renewals/{renewal_id}/check", {}, htmx=True)
    assert submitted.status_code == 200
    assert submitted.headers["hx-redirect"] == f"/applications/{renewal_id}/pay"
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"
    twice = await post(browser_like, f"/renewals/{renewal_id}/check", {})
    assert twice.status_code == 303  # a second click goes to the payment, no error
    assert twice.headers["location"] == f"/applications/{renewal_id}/pay"

    tasks = await browser_like.get(f"/renewals/{renewal_id}")
    assert f'href="/applications/{renewal_id}/pay"' in tasks.text
    for section in ("questions", "documents", "check"):
        closed = await browser_like.get(f"/renewals/{renewal_id}/{section}")
        assert closed.status_code == 303 and closed.headers["location"] == \
            f"/renewals/{renewal_id}"
    pay = await browser_like.get(f"/applications/{renewal_id}/pay")
    assert pay.status_code == 200 and "250.00" in pay.text


async def test_an_exempt_practitioner_is_told_why_no_hours_are_needed(
        browser_like, client, deliver, smtp_server, sms_gateway):
    _, practitioner = await practitioner_in_browser(
        browser_like, client, deliver, smtp_server, sms_gateway, cpd_hours=0)
    await Practitioner.filter(id=practitioner.id).update(is_trainee=True)
    renewal_id = await start(browser_like)
    cpd = await browser_like.get(f"/renewals/{renewal_id}/cpd")
    assert "أنت معفى من ساعات التعليم المهني المستمر" in cpd.text
    assert "برنامج تدريبي" in cpd.text  # why
    tasks = await browser_like.get(f"/renewals/{renewal_id}")
    assert task_status(tasks.text, "ساعات التعليم المهني المستمر") == "مكتمل"


async def test_a_renewal_that_is_not_yours_is_not_found(browser_like, client, deliver,
                                                        smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway,
                                  ready=False)
    from server.resolvers.accounts.staff import create_staff

    someone, _ = await create_staff("someone@sijil.example", "reviewer",
                                    "quiet meadow lantern 9")
    other = await Application.create(kind="RENEWAL", status="DRAFT", years=1,
                                     applicant=someone, data={"answers": {}})
    for path in (f"/renewals/{other.id}", f"/renewals/{other.id}/questions",
                 "/renewals/not-an-id", "/renewals/not-an-id/check"):
        assert (await browser_like.get(path)).status_code == 404, path


async def test_a_returned_renewal_shows_the_reason_and_goes_back_without_paying_again(
        live, deliver, smtp_server, sms_gateway):
    from server.resolvers.accounts.sessions import open_session
    from server.resolvers.accounts.staff import create_staff
    from tests.renewals.test_renewal import pay_in_sandbox

    _, token, practitioner = await claimed_practitioner(live.client, deliver, smtp_server,
                                                        sms_gateway)
    await ready_for_renewal(practitioner, live.client, token)
    browser = live.browser
    browser.cookies.set(session_cookie_name(live.settings), token)
    browser.cookies.set("lang", "ar")
    renewal_id = await start(browser)
    await answer_all(browser, renewal_id, bls="NO", disciplinary="YES")
    documents = await browser.get(f"/renewals/{renewal_id}/documents")
    assert 'name="EVIDENCE"' in documents.text
    saved = await post(browser, f"/renewals/{renewal_id}/documents", letter_date(), files={
        "EMPLOYER_LETTER": pdf("letter.pdf"), "EVIDENCE": pdf("committee.pdf")})
    assert saved.status_code == 303
    submitted = await post(browser, f"/renewals/{renewal_id}/check", {})
    assert submitted.headers["location"] == f"/applications/{renewal_id}/pay"
    await pay_in_sandbox(live, deliver, token, renewal_id)
    assert (await Application.get(id=renewal_id)).status == "SUBMITTED"  # a risk answer

    reviewer, _ = await create_staff("reviewer@sijil.example", "reviewer",
                                     "quiet meadow lantern 9")
    returned = await gql(live.client, ROOT_CONTRACT.operation("DecideApplication"), {
        "input": {"applicationId": renewal_id, "decision": "RETURN",
                  "reason": "Attach the committee's final decision."}},
        token=await open_session(reviewer))
    assert returned["data"]["decideApplication"]["errors"] == []

    tasks = await browser.get(f"/renewals/{renewal_id}")
    assert "Attach the committee&#39;s final decision." in tasks.text
    assert "أعاد المُراجِع طلب التجديد إليك" in tasks.text
    corrected = await post(browser, f"/renewals/{renewal_id}/documents", {
        "then": "later"}, files={"EVIDENCE": pdf("final-decision.pdf")})
    assert corrected.status_code == 303
    check = await browser.get(f"/renewals/{renewal_id}/check")
    assert "final-decision.pdf" in check.text and "لن تدفع مرة أخرى" in check.text
    again = await post(browser, f"/renewals/{renewal_id}/check", {})
    assert again.status_code == 303
    assert again.headers["location"] == f"/renewals/{renewal_id}?sent=1"
    assert (await Application.get(id=renewal_id)).status == "SUBMITTED"
    assert await Payment.filter(application_id=renewal_id).count() == 1
    sent = await browser.get(again.headers["location"])
    assert "أُرسل طلب التجديد المصحّح إلى المُراجِع" in sent.text


def pdf_of(name: str, size: int) -> tuple[str, bytes, str]:
    """A PDF of `size` bytes: the padding sits in a comment line."""
    padding = size - len(MINIMAL_PDF) - 2
    return (name, MINIMAL_PDF[:9] + b"%" + b"x" * padding + b"\n" + MINIMAL_PDF[9:], PDF)


async def test_documents_of_several_megabytes_pass_on_every_upload_form(
        browser_like, client, deliver, smtp_server, sms_gateway):
    """Each upload form accepts files up to the 5 MB a document may have, as many as it
    has file fields: the body limit of a plain form (256 KiB) must not apply to them."""
    from server.middleware import FILE_LIMIT, body_limit
    from server.pages.renewals.renewing import DOCUMENTS

    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    renewal_id = await start(browser_like)
    await answer_all(browser_like, renewal_id, bls="YES")
    four_mib = 4 * 1024 * 1024
    assert body_limit(f"/renewals/{renewal_id}/documents") > len(DOCUMENTS) * FILE_LIMIT

    letter = await post(browser_like, f"/renewals/{renewal_id}/experience", letter_date(),
                        files={"EMPLOYER_LETTER": pdf_of("letter.pdf", four_mib)})
    assert letter.status_code == 303, letter.text[:300]
    both = await post(browser_like, f"/renewals/{renewal_id}/documents", letter_date(), files={
        "EMPLOYER_LETTER": pdf_of("letter-2.pdf", four_mib),
        "BLS_CERTIFICATE": pdf_of("bls.pdf", four_mib)})
    assert both.status_code == 303, both.text[:300]
    sizes = await ApplicationDocument.filter(application_id=renewal_id) \
        .values_list("document__size", flat=True)
    assert sorted(sizes) == [four_mib, four_mib]

    service = await post(browser_like, "/services/training-certificate", {
        "programme": "Residency", "institution": "King Fahad Medical City",
        "startDate-day": "1", "startDate-month": "7", "startDate-year": "2015",
        "endDate-day": "30", "endDate-month": "6", "endDate-year": "2019"},
        files={"evidence": pdf_of("training.pdf", four_mib)})
    assert service.status_code == 303, service.text[:300]
    application = await Application.get(kind="TRAINING_CERTIFICATE")
    assert application.status == "AWAITING_PAYMENT"



async def test_a_new_employer_letter_needs_the_date_it_bears_within_3_months(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await practitioner_in_browser(browser_like, client, deliver, smtp_server, sms_gateway)
    renewal_id = await start(browser_like)
    undated = await post(browser_like, f"/renewals/{renewal_id}/experience", {},
                         files={"EMPLOYER_LETTER": pdf("letter.pdf")}, htmx=True)
    assert undated.status_code == 422
    assert 'href="#field-letterIssuedOn"' in undated.text
    assert "letter.pdf" in undated.text  # the file stays chosen
    old = await post(browser_like, f"/renewals/{renewal_id}/experience", letter_date(120),
                     files={"EMPLOYER_LETTER": pdf("letter.pdf")}, htmx=True)
    assert old.status_code == 422 and 'href="#field-letterIssuedOn"' in old.text
    assert 'value="' + letter_date(120)["letterIssuedOn-year"] + '"' in old.text  # kept
    assert not await ApplicationDocument.filter(application_id=renewal_id,
                                                kind="EMPLOYER_LETTER").exists()
    fresh = await post(browser_like, f"/renewals/{renewal_id}/experience", letter_date(20),
                       files={"EMPLOYER_LETTER": pdf("letter.pdf")})
    assert fresh.status_code == 303
    renewal = await Application.get(id=renewal_id)
    assert renewal.data["issued_on"]["EMPLOYER_LETTER"] == (
        clock.today() - dt.timedelta(days=20)).isoformat()
