"""The review flow in Chromium: a reviewer returns an application (English, 1280 px), the
practitioner answers each point and sends it back (Arabic, 390 px), the reviewer sees what
changed; a second reviewer opening a claimed application is told who holds it; search and
a practitioner's whole file, in both languages.

Identity numbers 171xxxxxxC and emails review-flow-…@example.test are this module's own."""

from __future__ import annotations

import json
import re

import pytest

from server.domain.identity import saudi_id_check_digit
from server.i18n import LANG_COOKIE, gettext
from tests.browser.helpers import assert_accessible, page_language
from tests.browser.journeys import seed
from tests.browser.test_service_journeys import as_signed_in, text_of

pytestmark = pytest.mark.browser


def national_id(serial: int) -> str:
    first_nine = f"171{serial:06d}"
    return first_nine + saudi_id_check_digit(first_nine)


def seed_case(app, serial: int, kind: str = "TRAINING_CERTIFICATE") -> dict:
    """A practitioner with a waiting application of `kind`, and two reviewers."""
    identity = national_id(serial)
    return json.loads(seed(app, f"""
import datetime as dt, json
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
from server.resolvers.kernel import lifecycle
now = dt.datetime.now(dt.UTC)
today = clock.today()
account = await Account.create(email="review-flow-{serial}@example.test", mobile="",
    first_name="ريم", family_name="الشهري", password_hash="x", status="ACTIVE",
    email_verified_at=now, language="ar")
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="{identity}", first_name_ar="ريم", father_name_ar="سعد",
    grandfather_name_ar="ناصر", family_name_ar="الشهري", first_name_en="Reem",
    father_name_en="Saad", grandfather_name_en="Nasser", family_name_en="Alshehri",
    date_of_birth=dt.date(1990, 5, 2), gender="F", nationality="SA", category="PHYSICIAN",
    specialty="INTERNAL_MEDICINE", rank="REGISTRAR", claimed_at=now)
await Registration.create(practitioner=p, number="71-R-{serial:07d}", rank="REGISTRAR",
    specialty="INTERNAL_MEDICINE", valid_from=today - dt.timedelta(days=300),
    valid_until=today + dt.timedelta(days=700))
application = await lifecycle.create("{kind}", account, p, status="SUBMITTED",
    data={{"programme": "Internal medcine residency", "institution": "KFMC",
           "start": "2015-01-01", "end": "2019-01-01"}})
first, _ = await create_staff("review-flow-{serial}-a@example.test", "reviewer",
    "amber canyon willow 17")
second, _ = await create_staff("review-flow-{serial}-b@example.test", "reviewer",
    "amber canyon willow 17")
print(json.dumps({{"practitioner": await open_session(account), "id": str(application.id),
    "person": str(p.id), "identity": "{identity}", "first": await open_session(first),
    "second": await open_session(second)}}))
""").strip().splitlines()[-1])


def signed_in(new_page, app, token: str, lang: str, width: int):
    page = as_signed_in(new_page, app, token, width)
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": str(app)}])
    return page


def test_returned_corrected_and_sent_back_with_the_changes_shown(new_page, base_url):
    case = seed_case(base_url, 1)
    reviewer = signed_in(new_page, base_url, case["first"], "en", 1280)
    reviewer.goto(f"/review/{case['id']}?kind=TRAINING_CERTIFICATE")
    assert "You, until" in text_of(reviewer.locator("main"))  # opened: claimed
    form = reviewer.locator("form#decision")
    form.locator("input[name=decision][value=RETURN]").check()
    form.locator("[name=reason]").fill("The programme's name is misspelt.")
    form.locator("[name=whatToFix]").fill("1. Correct the programme's name\n"
                                          "2. Upload the signed letter")
    form.locator("button[type=submit]").click()
    reviewer.wait_for_url(re.compile(r"decided=RETURNED"))

    applicant = signed_in(new_page, base_url, case["practitioner"], "ar", 390)
    applicant.goto(f"/applications/{case['id']}")
    applicant.click(f"a[href='/applications/{case['id']}/resubmit']")
    applicant.wait_for_url(re.compile(r"/resubmit$"))
    assert page_language(applicant) == ("ar", "rtl")
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(applicant)
    main = text_of(applicant.locator("main"))
    assert "Correct the programme's name" in main and "Upload the signed letter" in main
    assert gettext("ar", "Point %(n)s", n=2) in main
    applicant.locator("[name=answer-0]").fill("صحّحت اسم البرنامج.")
    applicant.locator("main form button[type=submit]").click()
    applicant.locator("[data-error-summary] a[href='#field-answer-1']").wait_for()
    assert applicant.locator("[name=answer-0]").input_value() == "صحّحت اسم البرنامج."
    applicant.locator("[name=answer-1]").fill("أرفقت الخطاب موقّعًا.")
    applicant.locator("[name=programme]").fill("Internal medicine residency")
    applicant.locator("main form button[type=submit]").click()
    applicant.wait_for_url(re.compile(r"done=resubmit"))
    assert gettext("ar", "Your corrected application is sent back for review.") in \
        text_of(applicant.locator("main"))

    reviewer.goto(f"/review/{case['id']}?kind=TRAINING_CERTIFICATE")
    main = text_of(reviewer.locator("main"))
    assert "Corrected after the return" in main and "أرفقت الخطاب موقّعًا." in main
    assert "Internal medcine residency" in main and "Internal medicine residency" in main
    assert_accessible(reviewer)


def test_a_second_reviewer_is_told_who_holds_it(new_page, base_url):
    case = seed_case(base_url, 2, kind="GOOD_STANDING")
    first = signed_in(new_page, base_url, case["first"], "en", 1280)
    first.goto(f"/review/{case['id']}?kind=GOOD_STANDING")
    assert first.locator("form#decision").count() == 1
    second = signed_in(new_page, base_url, case["second"], "ar", 1280)
    second.goto(f"/review/{case['id']}?kind=GOOD_STANDING")
    assert page_language(second) == ("ar", "rtl")
    assert second.locator("form#decision").count() == 0
    assert "review-flow-2-a@example.test" in text_of(second.locator("#decision"))
    assert_accessible(second)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_search_then_the_practitioner_file(new_page, base_url, lang):
    case = seed_case(base_url, 3 if lang == "ar" else 4, kind="TRAINING_CERTIFICATE")
    staff = signed_in(new_page, base_url, case["first"], lang, 390)
    staff.goto("/review/find")
    staff.locator("[name=q]").fill(case["identity"])
    staff.locator("main form[role=search] button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/review/find\?q="))
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(staff)
    staff.click(f"main a[href='/review/practitioners/{case['person']}']")
    staff.wait_for_url(re.compile(r"/review/practitioners/"))
    main = text_of(staff.locator("main"))
    assert gettext(lang, "Practitioner's file") in main
    assert case["identity"][-4:] in main and case["identity"] not in main  # masked (PDPL)
    assert staff.locator(f"main a[href='/review/{case['id']}?look=1']").count() == 1
    assert_accessible(staff)
