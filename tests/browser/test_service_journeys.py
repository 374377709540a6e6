"""One journey per service, in Chromium: the practitioner applies in Arabic on a phone
(390 px), pays in the sandbox gateway where there is a fee, a reviewer decides it in the
review console at 1280 px where it needs one, and the result is delivered and visible
(certificates by email and on the public check page, the record, the CPD hours, the card).
The last journey cancels a paid application and an administrator refunds it.

Practitioners and staff are seeded into the app's database with a session each (as
tests/browser/screenshots.py does): the account journey is tested on its own, and signing
up through the captcha for every journey would make this file slow."""

from __future__ import annotations

import email
import json
import re
from dataclasses import dataclass

import pytest

from server.config import load_settings
from server.context import session_cookie_name
from server.domain import codes
from server.domain.identity import saudi_id_check_digit
from server.i18n import gettext
from tests.browser.helpers import assert_accessible, page_language
from tests.browser.journeys import last_email, seed, submit_cpd_activity
from tests.browser.test_renewal_journey import pdf_file

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f-]{36}"
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))


def ar(message: str, **values) -> str:
    """The Arabic the page shows for an English message id."""
    return gettext("ar", message, **values)


def text_of(locator) -> str:
    """Visible text without the bidi isolation marks the templates put around values."""
    return locator.inner_text().translate(ISOLATES)


@dataclass(frozen=True)
class Person:
    email: str
    mobile: str  # E.164
    identity: str
    number: str  # registration number; "" for no record


def national_id(serial: int) -> str:
    first_nine = f"1{serial:08d}"
    return first_nine + saudi_id_check_digit(first_nine)


def seed_practitioner(app, who: Person, *, rank: str = "CONSULTANT",
                      valid_from_days_ago: int = 400, valid_for_days: int = 700) -> str:
    """An account with its record linked (an internal-medicine physician, active
    registration); returns a session token."""
    return _last_line(seed(app, f"""
import datetime as dt
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
now = dt.datetime.now(dt.UTC)
today = clock.today()
account = await Account.create(email="{who.email}", mobile="{who.mobile}",
    first_name="نورة", family_name="العتيبي", password_hash="x", status="ACTIVE",
    email_verified_at=now, mobile_verified_at=now)
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="{who.identity}", first_name_ar="نورة", father_name_ar="خالد",
    grandfather_name_ar="فهد", family_name_ar="العتيبي", first_name_en="Noura",
    father_name_en="Khalid", grandfather_name_en="Fahad", family_name_en="Alotaibi",
    date_of_birth=dt.date(1986, 3, 14), gender="F", nationality="SA", category="PHYSICIAN",
    specialty="INTERNAL_MEDICINE", rank="{rank}", claimed_at=now)
await Registration.create(practitioner=p, number="{who.number}", rank="{rank}",
    specialty="INTERNAL_MEDICINE",
    valid_from=today - dt.timedelta(days={valid_from_days_ago}),
    valid_until=today + dt.timedelta(days={valid_for_days}))
print(await open_session(account))
"""))


def seed_account(app, who: Person) -> str:
    """An account with no record yet; returns a session token."""
    return _last_line(seed(app, f"""
import datetime as dt
from server.models.accounts import Account
from server.resolvers.accounts.sessions import open_session
now = dt.datetime.now(dt.UTC)
account = await Account.create(email="{who.email}", mobile="{who.mobile}",
    first_name="عمر", family_name="الحربي", password_hash="x", status="ACTIVE",
    email_verified_at=now, mobile_verified_at=now)
print(await open_session(account))
"""))


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def staff(base_url) -> dict:
    """One reviewer and one administrator for the whole module: a reviewer's decision
    claims the next waiting application, which another reviewer could then not decide."""
    return json.loads(_last_line(seed(base_url, """
import json
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
reviewer, _ = await create_staff(
    "reviewer.services@sijil.example", "reviewer", "amber canyon willow 17")
admin, _ = await create_staff("admin.services@sijil.example", "admin", "amber canyon willow 17")
print(json.dumps({"reviewer": await open_session(reviewer), "admin": await open_session(admin)}))
""")))


def as_signed_in(new_page, app, token: str, width: int):
    page = new_page(width=width, height=844 if width < 600 else 800)
    name = session_cookie_name(load_settings(app.env))
    page.context.add_cookies([{"name": name, "value": token, "url": str(app)}])
    return page


@pytest.fixture
def practitioner_page(new_page, base_url):
    return lambda token: as_signed_in(new_page, base_url, token, 390)


@pytest.fixture
def reviewer_page(new_page, base_url, staff):
    return lambda: as_signed_in(new_page, base_url, staff["reviewer"], 1280)


@pytest.fixture
def admin_page(new_page, base_url, staff):
    return lambda: as_signed_in(new_page, base_url, staff["admin"], 1280)


# ------------------------------------------------------------------ steps

def open_service(page, path: str) -> None:
    page.goto(path)
    assert page_language(page) == ("ar", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert_accessible(page)


def apply(page) -> str:
    """Presses "Apply" on a service page; returns the new application's id."""
    page.click("main form[action^='/services/'] button[type=submit]")
    page.wait_for_url(re.compile(rf"/applications/{UUID}(/pay|\?new=1)$"))
    return re.search(rf"/applications/({UUID})", page.url).group(1)


def pay(page, application_id: str, amount: str) -> None:
    """From the payment page: a method, the sandbox's hosted page, "Pay", then the return
    page until the gateway's confirmation has arrived."""
    if not page.url.endswith(f"/applications/{application_id}/pay"):
        page.goto(f"/applications/{application_id}/pay")
    assert ar("%(amount)s SAR", amount=amount) in text_of(page.locator("main"))
    assert_accessible(page)
    page.check("input[name=method][value=MADA]")
    page.click("main form[action$='/pay'] button[type=submit]")
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    assert ar("%(amount)s SAR", amount=amount) in text_of(page.locator("main"))
    page.click("button[name=outcome][value=paid]")
    page.wait_for_url(re.compile(rf"/applications/{application_id}/payment/{UUID}$"))
    page.get_by_text(ar("Payment received. Thank you.")).first.wait_for(timeout=30_000)


def approve(page, application_id: str, kind: str, recognised_hours: str | None = None,
            reason: str | None = None, held: bool = False):
    """The reviewer: the queue (filtered to the kind), the application, the decision. With
    fewer hours than claimed and a `reason`, the decision is first sent without the reason
    (and refused: the applicant must be told why), then with it."""
    page.goto(f"/review?kind={kind}")
    page.click(f"main table a[href^='/review/{application_id}']")
    page.wait_for_url(re.compile(rf"/review/{application_id}"))
    assert_accessible(page)
    form = page.locator("form#decision")
    form.locator("input[name=decision][value=APPROVE]").check()
    if recognised_hours is not None:
        form.locator("[name=recognisedHours]").fill(recognised_hours)
    if reason is not None:
        form.locator("button[type=submit]").click()
        page.locator("form#decision [data-error-summary] a[href='#field-reason']").wait_for()
        form = page.locator("form#decision")
        form.locator("input[name=decision][value=APPROVE]").check()
        form.locator("[name=recognisedHours]").fill(recognised_hours or "")
        form.locator("[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    # Held (four eyes: a Consultant rank, an identity change): it waits for a second admin.
    page.wait_for_url(re.compile(r"decided=IN_REVIEW" if held else r"decided=APPROVED"))


def second_admin_approves(page, application_id: str) -> None:
    """An admin (not the reviewer) approves the request a held approval waits on."""
    page.goto("/admin/approvals")
    card = page.locator(".card", has=page.locator(f"a[href='/review/{application_id}']"))
    card.locator(".card__title a").click()
    page.wait_for_url(re.compile(r"/admin/approvals/"))
    assert_accessible(page)
    page.locator("input[name=decision][value=approve]").check()
    page.locator("form[action$='/decide'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"done=approved"))


def assert_status(page, application_id: str, status: str) -> None:
    """The status tag on the practitioner's page of the application."""
    page.goto(f"/applications/{application_id}")
    tag = page.locator("main .summary-list .tag").first
    assert f"tag--{status.lower().replace('_', '-')}" in tag.get_attribute("class"), \
        text_of(tag)


def certificate_mail(app, to: str):
    """The certificate email: its PDF attached and the code the QR code points at."""
    mail = last_email(app, to, ar("Your certificate is issued"))
    raw = email.message_from_bytes((app.data_dir / "mailbox" / f"{mail.id}.eml").read_bytes())
    [attachment] = [p for p in raw.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_payload(decode=True).startswith(b"%PDF-")
    code = re.search(r"/verify/certificate/([A-Z0-9-]+)", mail.text).group(1)
    return mail, code


def check_certificate_is_valid(page, code: str) -> None:
    page.goto(f"/verify/certificate/{code}")
    main = text_of(page.locator("main"))
    assert ar("This certificate is genuine and valid.") in main
    assert code in main
    assert_accessible(page)


def registration_number(page) -> str:
    row = page.locator(".dashboard__registration .summary-list__row").filter(
        has_text=ar("Registration number"))
    return text_of(row.locator("dd")).strip()


# ------------------------------------------------------------------ the journeys

def test_good_standing_certificate_is_issued_at_once_after_payment(
        practitioner_page, base_url):
    who = Person("good.standing@example.com", "+966551230001", national_id(5001),
                 "24-R-0005001")
    page = practitioner_page(seed_practitioner(base_url, who))

    open_service(page, "/services/good-standing")
    application_id = apply(page)
    pay(page, application_id, "100.00")

    mail, code = certificate_mail(base_url, who.email)
    page.goto("/dev/mailbox")
    assert mail.subject in page.inner_text("main")
    page.goto("/services/good-standing")
    listed = page.locator(f"main a[href='/certificates/{code}.pdf']")
    assert code in text_of(listed)
    assert_status(page, application_id, "APPROVED")
    with page.expect_download() as download:
        page.goto("/services/good-standing")
        page.click(f"main a[href='/certificates/{code}.pdf']")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    check_certificate_is_valid(page, code)
    assert ar("Valid until") in page.inner_text("main")


def test_training_certificate_is_approved_by_a_reviewer_and_emailed(
        practitioner_page, reviewer_page, base_url, tmp_path):
    who = Person("training.cert@example.com", "+966551230002", national_id(5002),
                 "24-R-0005002")
    page = practitioner_page(seed_practitioner(base_url, who))

    open_service(page, "/services/training-certificate")
    page.fill("#field-programme", "برنامج الزمالة في الباطنة")
    page.fill("#field-institution", "مدينة الملك سعود الطبية")
    page.fill("#field-startDate", "1")
    page.fill("#field-startDate-month", "9")
    page.fill("#field-startDate-year", "2019")
    page.fill("#field-endDate", "30")
    page.fill("#field-endDate-month", "6")
    page.fill("#field-endDate-year", "2023")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "training.pdf"))
    application_id = apply(page)
    pay(page, application_id, "100.00")

    reviewer = reviewer_page()
    approve(reviewer, application_id, "TRAINING_CERTIFICATE")

    _, code = certificate_mail(base_url, who.email)
    assert_status(page, application_id, "APPROVED")
    check_certificate_is_valid(page, code)
    assert ar("Training certificate") in page.inner_text("main")


def test_qualification_evaluation_needs_no_fee_and_shows_verified_on_the_record(
        practitioner_page, reviewer_page, base_url, tmp_path):
    who = Person("qualification@example.com", "+966551230003", national_id(5003),
                 "24-R-0005003")
    page = practitioner_page(seed_practitioner(base_url, who))

    open_service(page, "/services/qualification-evaluation")
    page.fill("#field-degree", "ماجستير الصحة العامة")
    page.fill("#field-institution", "جامعة الملك سعود")
    page.select_option("#field-country", "SA")
    page.fill("#field-awardedOn", "15")
    page.fill("#field-awardedOn-month", "6")
    page.fill("#field-awardedOn-year", "2021")
    page.fill("#field-verificationReference", "DF-2021-448812")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "master.pdf"))
    application_id = apply(page)
    assert page.url.endswith(f"/applications/{application_id}?new=1")  # no fee: no payment

    approve(reviewer_page(), application_id, "QUALIFICATION_EVALUATION")

    page.goto("/record")
    entry = page.locator("#qualifications .entry").filter(has_text="ماجستير الصحة العامة")
    assert ar("Verified") in text_of(entry)
    assert_accessible(page)


def test_cpd_recognition_recognises_fewer_hours_than_claimed(
        practitioner_page, reviewer_page, base_url, tmp_path):
    who = Person("cpd.recognition@example.com", "+966551230004", national_id(5004),
                 "24-R-0005004")
    page = practitioner_page(seed_practitioner(base_url, who))

    open_service(page, "/record/cpd")
    application_id = submit_cpd_activity(page, "المؤتمر السعودي للباطنة",
                                         "الجمعية السعودية للباطنة", 10,
                                         pdf_file(tmp_path, "conference.pdf"))
    page.click(f"main a[href='/applications/{application_id}/pay']")
    pay(page, application_id, "50.00")

    approve(reviewer_page(), application_id, "CPD_RECOGNITION", recognised_hours="6",
            reason="الشهادة تذكر 6 ساعات معتمدة فقط.")

    page.goto("/")
    meter = page.locator("section[aria-labelledby=cpd-title] meter")
    assert float(meter.get_attribute("value")) == 6
    page.goto("/record/cpd")
    assert float(page.locator("main meter").get_attribute("value")) == 6
    row = page.locator("main table tbody tr").filter(has_text="المؤتمر السعودي للباطنة")
    assert float(text_of(row.locator("td").nth(2)).strip()) == 6
    assert ar("Recognised") in text_of(row)


def test_personal_data_change_is_approved_and_shows_on_the_record(
        practitioner_page, reviewer_page, base_url, tmp_path):
    who = Person("data.change@example.com", "+966551230005", national_id(5005),
                 "24-R-0005005")
    page = practitioner_page(seed_practitioner(base_url, who))

    open_service(page, "/record/change")
    page.fill("#field-registrationNumber", who.number)
    page.fill("#field-familyNameAr", "الدوسري")
    page.fill("#field-familyNameEn", "Aldosari")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "id-card.pdf"))
    page.click("main form[action='/record/change'] button[type=submit]")
    page.wait_for_url(re.compile(rf"/applications/{UUID}\?new=1$"))
    application_id = re.search(rf"/applications/({UUID})", page.url).group(1)

    approve(reviewer_page(), application_id, "PERSONAL_DATA_CHANGE")

    page.goto("/record")
    personal = text_of(page.locator("section[aria-labelledby=personal-title]"))
    assert "نورة خالد فهد الدوسري" in personal
    assert "Noura Khalid Fahad Aldosari" in personal
    page.goto("/record/history")
    history = page.locator(".timeline__item").filter(has_text=ar("Personal details changed"))
    assert history.count() == 1
    assert history.locator(f"a[href='/applications/{application_id}']").count() == 1
    assert_accessible(page)


def test_a_new_practitioner_is_classified_then_registered_and_gets_a_card(
        practitioner_page, reviewer_page, admin_page, base_url, tmp_path):
    who = Person("new.practitioner@example.com", "+966551230006", national_id(5006), "")
    page = practitioner_page(seed_account(base_url, who))

    open_service(page, "/services/classification")
    assert ar("About you") in page.inner_text("main h2")
    page.fill("#field-firstNameAr", "عمر")
    page.fill("#field-familyNameAr", "الحربي")
    page.fill("#field-firstNameEn", "Omar")
    page.fill("#field-familyNameEn", "Alharbi")
    page.fill("#field-dateOfBirth", "2")
    page.fill("#field-dateOfBirth-month", "11")
    page.fill("#field-dateOfBirth-year", "1982")
    page.check("input[name=gender][value=M]")
    page.select_option("#field-nationality", "SA")
    page.check("input[name=identityType][value=NATIONAL_ID]")
    page.fill("#field-identityNumber", who.identity)
    page.select_option("#field-category", "PHYSICIAN")
    page.select_option("#field-specialty", "INTERNAL_MEDICINE")
    page.check("input[name=qualificationLevel][value=BOARD]")
    page.fill("#field-yearsOfExperience", "4")  # a board and 3+ years: consultant
    page.check("input[name=examPassed][value=YES]")
    page.fill("#field-examReference", "SCFHS-EX-99812")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "board.pdf"))
    classification_id = apply(page)
    pay(page, classification_id, "1800.00")

    reviewer = reviewer_page()
    approve(reviewer, classification_id, "CLASSIFICATION", held=True)
    second_admin_approves(admin_page(), classification_id)
    page.goto("/record")
    assert codes.label("rank", "CONSULTANT", "ar") in text_of(
        page.locator("section[aria-labelledby=professional-title]"))

    open_service(page, "/services/registration")
    page.check("input[name=years][value='1']")
    registration_id = apply(page)
    pay(page, registration_id, "250.00")
    approve(reviewer, registration_id, "REGISTRATION")

    page.goto("/")
    number = registration_number(page)
    assert re.fullmatch(r"\d{2}-R-\d{7}", number), number
    mail = last_email(base_url, who.email, ar("Your registration card"))
    raw = email.message_from_bytes((base_url.data_dir / "mailbox" / f"{mail.id}.eml").read_bytes())
    [card] = [p for p in raw.walk() if p.get_content_type() == "application/pdf"]
    assert number in card.get_filename()
    with page.expect_download() as download:
        page.click(f"a[href='/cards/{number}.pdf']")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as card:
        assert card.read(5) == b"%PDF-"
    assert_accessible(page)


def test_a_registrar_is_reclassified_as_a_consultant(
        practitioner_page, reviewer_page, admin_page, base_url, tmp_path):
    who = Person("reclassification@example.com", "+966551230007", national_id(5007),
                 "24-R-0005007")
    page = practitioner_page(seed_practitioner(base_url, who, rank="REGISTRAR"))
    page.goto("/record")
    professional = page.locator("section[aria-labelledby=professional-title]")
    assert codes.label("rank", "REGISTRAR", "ar") in text_of(professional)

    open_service(page, "/services/reclassification")
    page.select_option("#field-targetRank", "CONSULTANT")
    page.fill("#field-note", "حصلت على البورد السعودي في الباطنة.")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "saudi-board.pdf"))
    application_id = apply(page)
    pay(page, application_id, "1800.00")

    approve(reviewer_page(), application_id, "RECLASSIFICATION", held=True)
    second_admin_approves(admin_page(), application_id)

    page.goto("/record")
    rank_row = professional.locator(".summary-list__row").filter(has_text=ar("Rank"))
    assert codes.label("rank", "CONSULTANT", "ar") in text_of(rank_row)
    page.goto("/record/history")
    assert page.locator(".timeline__item").filter(has_text=ar("Rank changed")).count() == 1


def test_a_paid_application_cancelled_before_review_is_refunded(
        practitioner_page, admin_page, base_url, tmp_path):
    who = Person("refund@example.com", "+966551230008", national_id(5008), "24-R-0005008")
    page = practitioner_page(seed_practitioner(base_url, who))

    page.goto("/services/training-certificate")
    page.fill("#field-programme", "دبلوم الجودة الصحية")
    page.fill("#field-institution", "معهد الإدارة العامة")
    for field, (day, month, year) in (("startDate", (1, 1, 2022)),
                                      ("endDate", (31, 12, 2022))):
        page.fill(f"#field-{field}", str(day))
        page.fill(f"#field-{field}-month", str(month))
        page.fill(f"#field-{field}-year", str(year))
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "diploma.pdf"))
    application_id = apply(page)
    pay(page, application_id, "100.00")

    page.goto(f"/applications/{application_id}")
    page.click(f"a[href='/applications/{application_id}/cancel']")  # asks first
    page.wait_for_url(re.compile(r"/cancel$"))
    page.click(f"form[action='/applications/{application_id}/cancel'] button[type=submit]")
    page.wait_for_url(re.compile(r"done=cancel-refund$"))
    assert ar("Your application is cancelled and your refund request is sent.") in \
        page.inner_text("main")
    assert_accessible(page)

    admin = admin_page()
    admin.goto("/admin/refunds")
    requests = admin.locator("main section.card")
    assert requests.count() == 1
    assert "100" in text_of(requests)
    assert_accessible(admin)
    assert_status(page, application_id, "CANCELLED")
    requests.locator("button[name=decision][value=approve]").click()
    admin.wait_for_url(re.compile(r"/admin/refunds\?done=approved$"))
    assert ar("The refund is approved and the amount is refunded.") in admin.inner_text("main")
    assert admin.locator("main section.card").count() == 0

    admin.goto("/admin/payments?status=REFUNDED")
    rows = admin.locator("main table tbody tr")
    assert rows.count() == 1
    row = text_of(rows.first)
    assert "100" in row and ar("Refunded") in row


RENEWED = ("Your registration is renewed. Your new registration card is attached, and anyone "
           "can check it in the public register.")


def test_the_card_email_of_a_first_registration_does_not_say_renewed(
        reviewer_page, base_url):
    who = Person("first.card@example.com", "+966551230009", national_id(5009), "")
    application_id = _last_line(seed(base_url, f"""
import datetime as dt
from server.models.accounts import Account
from server.models.practitioners import Practitioner
from server.resolvers.kernel import lifecycle
now = dt.datetime.now(dt.UTC)
account = await Account.create(email="{who.email}", mobile="{who.mobile}",
    first_name="ليلى", family_name="الغامدي", password_hash="x", status="ACTIVE",
    email_verified_at=now, mobile_verified_at=now)
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="{who.identity}", first_name_ar="ليلى", family_name_ar="الغامدي",
    first_name_en="Layla", family_name_en="Alghamdi", date_of_birth=dt.date(1990, 1, 5),
    gender="F", nationality="SA", category="PHYSICIAN", specialty="INTERNAL_MEDICINE",
    rank="RESIDENT", claimed_at=now)
application = await lifecycle.create("REGISTRATION", account, p, status="SUBMITTED",
    years=1, data={{}})
print(application.id)
"""))
    approve(reviewer_page(), application_id, "REGISTRATION")
    mail = last_email(base_url, who.email, ar("Your registration card"))
    assert ar(RENEWED) not in mail.text
