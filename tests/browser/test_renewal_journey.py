"""The renewal journey in Arabic on a phone (390 px), in Chromium.

1. An imported record is claimed through the pages, a CPD activity is submitted, paid and
   recognised by a reviewer, and the registration renewed for a year (questions,
   employer letter, BLS certificate, check your answers), paid in the sandbox gateway and
   approved at once; the card arrives by email and downloads from the dashboard; the public
   register shows the new expiry.
2. A renewal with a CPD gap and unanswered questions says what is missing and cannot be
   submitted; once complete, a risk answer sends it to a reviewer, who returns it; the
   practitioner corrects it and sends it back without paying again.

axe checks every renewal page. With SIJIL_SCREENSHOTS=1 the journeys also write
docs/screenshots/renewal-<state>-ar-<390|1280>.png (these pages need a signed-in
practitioner with a renewal, which tests/browser/screenshots.py cannot prepare)."""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import os
import re
import time
import urllib.request
from dataclasses import dataclass

import pytest
from PIL import Image

from server import clock
from server.config import ROOT
from server.domain.applications import renewal_period
from tests.browser.helpers import assert_accessible, page_language
from tests.browser.journeys import last_email, last_sms_code, seed, submit_cpd_activity
from tests.browser.test_account_journey import PASSWORD, register
from tests.builders import MINIMAL_PDF

pytestmark = pytest.mark.browser

VALID_FOR_DAYS = 60
SCREENSHOTS = ROOT / "docs" / "screenshots"
DECIDE = """mutation Decide($input: DecideApplicationInput!) {
  decideApplication(input: $input) { application { status } errors { message } }
}"""


@dataclass(frozen=True)
class Practitioner:
    email: str
    mobile: str  # as typed: 05XXXXXXXX
    identity: str
    number: str
    born: dt.date = dt.date(1984, 9, 3)

    @property
    def mobile_e164(self) -> str:
        return "+966" + self.mobile[1:]


REEM = Practitioner("renewal.journey@example.com", "0551239876", "1000000016", "24-R-0007788")
HIND = Practitioner("returned.journey@example.com", "0551239877", "1000000024", "24-R-0007789")


def fill_letter_date(page, days_ago: int = 14) -> None:
    """The date printed on the employer's letter (it must be within 3 months)."""
    on = clock.today() - dt.timedelta(days=days_ago)
    page.fill("#field-letterIssuedOn", str(on.day))
    page.fill("#field-letterIssuedOn-month", str(on.month))
    page.fill("#field-letterIssuedOn-year", str(on.year))


def seed_record(app, who: Practitioner) -> None:
    """An imported record: a consultant physician whose registration ends in 60 days."""
    born = who.born
    seed(app, f"""
import datetime as dt
from server.models.practitioners import Practitioner, Registration
today = clock.today()
p = await Practitioner.create(
    identity_type="NATIONAL_ID", identity_number="{who.identity}",
    first_name_ar="ريم", father_name_ar="عبدالله", grandfather_name_ar="سعد",
    family_name_ar="الشهري", first_name_en="Reem", father_name_en="Abdullah",
    grandfather_name_en="Saad", family_name_en="Alshehri",
    date_of_birth=dt.date({born.year}, {born.month}, {born.day}), gender="F",
    nationality="SA", category="PHYSICIAN", specialty="INTERNAL_MEDICINE", rank="CONSULTANT")
until = today + dt.timedelta(days={VALID_FOR_DAYS})
await Registration.create(
    practitioner=p, number="{who.number}", rank="CONSULTANT", specialty="INTERNAL_MEDICINE",
    valid_from=until - dt.timedelta(days=3 * 365), valid_until=until)
""")


def seed_experience(app, who: Practitioner) -> None:
    """Where the claimed practitioner works now, with its certificate (an upload of theirs)."""
    seed(app, f"""
import datetime as dt
from server.models.accounts import Account
from server.models.practitioners import Experience, Practitioner
from server.resolvers.kernel.documents import mark_attached, store_upload
p = await Practitioner.get(identity_number="{who.identity}")
account = await Account.get(id=p.account_id)
certificate = await store_upload(
    account, "EXPERIENCE_CERTIFICATE", "experience.pdf", {MINIMAL_PDF!r})
await mark_attached([certificate.id])
await Experience.create(
    practitioner=p, city="الرياض", country="SA", workplace="مدينة الملك فهد الطبية",
    specialty="الباطنة", start_date=dt.date(2017, 2, 1), organization_type="GOVERNMENT",
    certificate_id=certificate.id)
""")


def seed_cpd(app, who: Practitioner, hours: int) -> None:
    seed(app, f"""
import datetime as dt
from server.models.practitioners import CpdActivity, Practitioner
p = await Practitioner.get(identity_number="{who.identity}")
await CpdActivity.create(
    practitioner=p, title="المؤتمر السنوي للباطنة", provider="SHA", hours={hours},
    recognised_hours={hours}, completed_on=clock.today() - dt.timedelta(days=40),
    status="RECOGNISED")
""")


def decide_as_reviewer(app, application_id: str, decision: str, reason: str = "",
                       reviewer: str = "reviewer.journey@sijil.example") -> str:
    """A reviewer decides it, through the API with a staff session; returns the status."""
    token = seed(app, f"""
from server.models.accounts import Account
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
found = await Account.get_or_none(email="{reviewer}")
if found is None:
    found, _ = await create_staff("{reviewer}", "reviewer", "quiet meadow lantern 9")
print(await open_session(found))
""").strip().splitlines()[-1]
    body = json.dumps({"query": DECIDE, "variables": {"input": {
        "applicationId": application_id, "decision": decision, "reason": reason}}}).encode()
    request = urllib.request.Request(f"{app}/graphql", data=body, headers={
        "content-type": "application/json", "authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        decided = json.load(response)["data"]["decideApplication"]
    assert decided["errors"] == [], decided["errors"]
    return decided["application"]["status"]


def return_to_applicant(app, renewal_id: str, reason: str) -> None:
    assert decide_as_reviewer(app, renewal_id, "RETURN", reason) == "RETURNED"


def cpd_recognised(page, app, tmp_path, hours: int) -> None:
    """The practitioner submits a CPD activity on /record/cpd and pays its fee; a reviewer
    recognises the hours."""
    page.goto("/record/cpd")
    application_id = submit_cpd_activity(page, "المؤتمر السنوي للباطنة",
                                         "الجمعية السعودية للباطنة", hours,
                                         pdf_file(tmp_path, "congress.pdf"))
    page.click(f"main a[href='/applications/{application_id}/pay']")
    pay_in_sandbox(page, application_id)
    # The gateway's confirmation arrives through the outbox: the return page says when.
    page.get_by_text("تم استلام الدفعة").first.wait_for(timeout=30_000)
    assert decide_as_reviewer(app, application_id, "APPROVE") == "APPROVED"


def sign_up_and_in(page, app, who: Practitioner) -> None:
    """The account journey, quickly: register, both confirmations, sign in with the code."""
    started = time.time()
    register(page, who.email, who.mobile)
    page.fill("#field-code", last_sms_code(app, who.mobile_e164, after=started))
    page.click("#mobile-step form button[type=submit]")
    page.wait_for_url(re.compile(r"done=1"))
    link = re.search(r"(http://\S+/register/confirm\?token=\S+)",
                     last_email(app, who.email).text).group(1)
    page.goto(link)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login\?ready=1"))
    page.fill("#field-identifier", who.email)
    page.fill("#field-password", PASSWORD)
    signing_in = time.time()
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login/code"))
    page.fill("#field-code", last_sms_code(app, who.mobile_e164, after=signing_in))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{app}/")


def claim_record(page, who: Practitioner) -> None:
    page.goto("/record/claim")
    page.fill("#field-registrationNumber", who.number)
    page.fill("#field-identityNumber", who.identity)
    page.fill("#field-dateOfBirth", str(who.born.day))
    page.fill("#field-dateOfBirth-month", str(who.born.month))
    page.fill("#field-dateOfBirth-year", str(who.born.year))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/\?claimed=1"))


def check_page(page, name: str) -> None:
    """Arabic, right to left, nothing wider than the phone, no axe violation; photographed
    at 390 and 1280 px when asked."""
    assert page_language(page) == ("ar", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    assert_accessible(page)
    if os.environ.get("SIJIL_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((390, 844), (1280, 800)):
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("document.fonts.ready.then(() => true)")
            png = page.screenshot(full_page=True, type="png")
            image = Image.open(io.BytesIO(png)).convert("RGB").quantize(
                128, dither=Image.Dither.NONE)
            image.save(SCREENSHOTS / f"renewal-{name}-ar-{width}.png", optimize=True)
        page.set_viewport_size({"width": 390, "height": 844})


def press(page, button_text: str) -> None:
    page.locator("main form button[type=submit]", has_text=button_text).first.click()


def open_task(page, label: str, path: str) -> None:
    page.click(f"a.task-list__link:has-text('{label}')")
    page.wait_for_url(re.compile(path + "$"))


def start_renewal(page, years_field: str) -> str:
    """From the dashboard's link; returns the renewal's address."""
    page.goto("/")
    page.click("a[href='/renewals/new']")
    page.wait_for_url(re.compile(r"/renewals/new$"))
    page.check(years_field)
    press(page, "بدء طلب التجديد")
    page.wait_for_url(re.compile(r"/renewals/[0-9a-f-]{36}$"))
    return page.url


def pay_in_sandbox(page, renewal_id: str) -> None:
    page.wait_for_url(re.compile(rf"/applications/{renewal_id}/pay$"))
    page.click("main form button[type=submit]")  # mada, the default
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.click("button[value=paid]")
    page.wait_for_url(re.compile(rf"/applications/{renewal_id}/payment/"))


def pdf_file(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(MINIMAL_PDF)
    return str(path)


def test_renew_for_a_year_pay_and_get_the_new_card_in_arabic_on_a_phone(
        new_page, base_url, tmp_path):
    page = new_page(width=390, height=844)
    seed_record(base_url, REEM)
    sign_up_and_in(page, base_url, REEM)
    claim_record(page, REEM)
    seed_experience(base_url, REEM)
    cpd_recognised(page, base_url, tmp_path, 95)

    # 1. The period, with the fee of each from the schedule (a consultant: 250 SAR a year).
    page.goto("/renewals/new")
    assert "250 ريال" in page.inner_text("main").replace("\u2068", "").replace("\u2069", "")
    check_page(page, "new")
    renewal_url = start_renewal(page, "#field-years")  # 1 year
    renewal_id = renewal_url.rsplit("/", 1)[1]
    assert "تجديد تسجيلك المهني لمدة سنة واحدة" in page.inner_text("h1")
    check_page(page, "tasks")

    # 2. The questions: the BLS "yes" asks for its certificate.
    open_task(page, "أسئلة الأهلية", "/questions")
    check_page(page, "questions")
    page.check("#field-PRACTISING_IN_KINGDOM")  # yes
    page.check("#field-DISCIPLINARY_ACTION-2")  # no
    page.check("#field-VALID_BLS")  # yes
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=questions$"))
    assert "تم حفظ إجاباتك." in page.inner_text("main")

    # 3. Personal details and CPD: from the record.
    open_task(page, "البيانات الشخصية", "/details")
    assert "ريم عبدالله سعد الشهري" in page.inner_text("main")
    check_page(page, "details")
    page.goto(f"{renewal_url}/cpd")
    assert "تم استيفاء المتطلب" in page.inner_text("main")
    check_page(page, "cpd")

    # 4. The employer letter, beside the experience it comes from.
    page.goto(renewal_url)
    open_task(page, "الخبرات العملية والتراخيص", "/experience")
    assert "مدينة الملك فهد الطبية" in page.inner_text("main")
    check_page(page, "experience")
    page.set_input_files("#field-EMPLOYER_LETTER", pdf_file(tmp_path, "employer-letter.pdf"))
    fill_letter_date(page)
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=experience$"))

    # 5. The documents the answers asked for.
    open_task(page, "المستندات", "/documents")
    assert "employer-letter.pdf" in page.inner_text("main")
    check_page(page, "documents")
    page.set_input_files("#field-BLS_CERTIFICATE", pdf_file(tmp_path, "bls-certificate.pdf"))
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=documents$"))
    assert page.locator(".task-list__status", has_text="مكتمل").count() == 5
    check_page(page, "tasks-done")

    # 6. Check your answers, submit, pay in the sandbox: approved the moment it is paid.
    open_task(page, "مراجعة الإجابات والتقديم", "/check")
    summary = page.inner_text("main")
    assert "bls-certificate.pdf" in summary and "employer-letter.pdf" in summary
    check_page(page, "check")
    press(page, "التقديم والدفع")
    pay_in_sandbox(page, renewal_id)
    page.get_by_text("تمت الموافقة على طلبك.").first.wait_for(timeout=30_000)

    # 7. The card: by email with the PDF attached, and from the dashboard.
    mail = last_email(base_url, REEM.email, "بطاقة")
    raw = email.message_from_bytes(
        (base_url.data_dir / "mailbox" / f"{mail.id}.eml").read_bytes())
    [attachment] = [p for p in raw.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_payload(decode=True).startswith(b"%PDF-")
    page.goto("/dev/mailbox")
    assert mail.subject in page.inner_text("main")
    page.goto("/")
    with page.expect_download() as download:
        page.click(f"a[href='/cards/{REEM.number}.pdf']")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as card:
        assert card.read(5) == b"%PDF-"

    # 8. The public register has the new expiry.
    old_until = clock.today() + dt.timedelta(days=VALID_FOR_DAYS)
    new_until = renewal_period(old_until, clock.today(), 1)[1]
    page.goto(f"/verify/{REEM.number}")
    assert new_until.isoformat() in page.inner_text("main")
    page.goto(renewal_url)
    assert "تمت الموافقة على طلب التجديد." in page.inner_text("main")
    check_page(page, "approved")


def test_a_gap_blocks_submission_and_a_returned_renewal_goes_back_without_paying_again(
        new_page, base_url, tmp_path):
    page = new_page(width=390, height=844)
    seed_record(base_url, HIND)
    sign_up_and_in(page, base_url, HIND)
    claim_record(page, HIND)
    seed_experience(base_url, HIND)
    seed_cpd(base_url, HIND, 40)  # of the 90 hours a 3-year period needs

    renewal_url = start_renewal(page, "#field-years-2")  # 3 years
    renewal_id = renewal_url.rsplit("/", 1)[1]
    assert "عدد ساعات التعليم المهني المستمر المتبقية: 50." in page.inner_text("main")
    check_page(page, "tasks-gap")
    open_task(page, "ساعات التعليم المهني المستمر", "/cpd")
    assert "ساعة إضافية من التعليم المهني المستمر" in page.inner_text("main")
    check_page(page, "cpd-gap")

    # Nothing answered: each question is named, and the summary takes the focus.
    page.goto(f"{renewal_url}/questions")
    press(page, "حفظ ومتابعة")
    page.locator("[data-error-summary]").wait_for()
    assert page.locator(".error-summary__list li").count() == 3
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    check_page(page, "questions-errors")
    page.check("#field-PRACTISING_IN_KINGDOM")
    page.check("#field-DISCIPLINARY_ACTION")  # yes: a reviewer decides, with evidence
    page.check("#field-VALID_BLS-2")
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=questions$"))

    # Check your answers lists what is missing, and offers no submit button.
    page.goto(f"{renewal_url}/check")
    missing = page.inner_text("#check .card")
    assert "50" in missing and "خطاب جهة العمل" in missing
    assert page.locator("button", has_text="التقديم والدفع").count() == 0
    check_page(page, "check-missing")

    seed_cpd(base_url, HIND, 50)
    page.goto(f"{renewal_url}/documents")
    page.set_input_files("#field-EMPLOYER_LETTER", pdf_file(tmp_path, "letter.pdf"))
    fill_letter_date(page)
    page.set_input_files("#field-EVIDENCE", pdf_file(tmp_path, "committee.pdf"))
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=documents$"))
    page.goto(f"{renewal_url}/check")
    press(page, "التقديم والدفع")
    pay_in_sandbox(page, renewal_id)
    page.get_by_text("تم استلام الدفعة").first.wait_for(timeout=30_000)

    return_to_applicant(base_url, renewal_id, "أرفق القرار النهائي للجنة.")
    page.goto(renewal_url)
    assert "أرفق القرار النهائي للجنة." in page.inner_text("main")
    check_page(page, "returned")
    open_task(page, "المستندات", "/documents")
    page.set_input_files("#field-EVIDENCE", pdf_file(tmp_path, "final-decision.pdf"))
    press(page, "حفظ ومتابعة")
    page.wait_for_url(re.compile(r"\?saved=documents$"))
    open_task(page, "مراجعة الإجابات والتقديم", "/check")
    assert "final-decision.pdf" in page.inner_text("main")
    check_page(page, "check-returned")
    press(page, "تقديم طلب التجديد بعد التصحيح")
    page.wait_for_url(re.compile(r"\?sent=1$"))
    assert "أُرسل طلب التجديد المصحّح إلى المُراجِع." in page.inner_text("main")
    assert "/pay" not in page.content()
