"""Four eyes over an identity change in Chromium, in Arabic and in English: a reviewer
approves a change of identity number, and the page says it waits for a second approval
(no decision form any more); the applicant's page says so too; the admin who opens the
request sees what changes, from → to, and approves it; the applicant's record then has the
new number. axe checks each page on the way; screenshots at 1280 and 390 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import assert_accessible, assert_fits
from tests.browser.journeys import open_as, seeded_sessions

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-foureyes")

SEED = """
import datetime as dt, json
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel import lifecycle
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
today = clock.today()
out = {}
for lang, identity, new_identity, number in (
        ("ar", "1720000114", "1720000122", "24-R-0720101"),
        ("en", "1720000130", "1720000148", "24-R-0720102")):
    account = await Account.create(email=f"four-eyes-{lang}@example.test",
        mobile="+966551234567", first_name="Huda", family_name="Alharbi", password_hash="x",
        status="ACTIVE", language=lang, email_verified_at=dt.datetime.now(dt.UTC),
        mobile_verified_at=dt.datetime.now(dt.UTC))
    p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
        identity_number=identity, first_name_ar="هدى", father_name_ar="سعد",
        grandfather_name_ar="علي", family_name_ar="الحربي", first_name_en="Huda",
        father_name_en="Saad", grandfather_name_en="Ali", family_name_en="Alharbi",
        date_of_birth=dt.date(1988, 2, 3), gender="F", nationality="SA", category="NURSE",
        specialty="GENERAL_NURSING", rank="SPECIALIST", claimed_at=dt.datetime.now(dt.UTC))
    await Registration.create(practitioner=p, number=number, rank="SPECIALIST",
        specialty="GENERAL_NURSING", valid_from=today - dt.timedelta(days=100),
        valid_until=today + dt.timedelta(days=900))
    application = await lifecycle.create("PERSONAL_DATA_CHANGE", account, p,
        status="SUBMITTED", data={"changes": {"identityNumber": new_identity},
                                  "before": {"identityNumber": identity}})
    reviewer, _ = await create_staff(f"four-eyes-reviewer-{lang}@example.test", "reviewer",
        "quiet meadow lantern 9")
    admin, _ = await create_staff(f"four-eyes-admin-{lang}@example.test", "admin",
        "quiet meadow lantern 9")
    out[lang] = {"application": str(application.id), "identity": identity,
                 "new": new_identity, "applicant": await open_session(account),
                 "reviewer": await open_session(reviewer), "admin": await open_session(admin)}
print(json.dumps(out))
"""

WORDS = {
    "ar": {"approve": "اعتماد", "save": "حفظ القرار", "waits": "بانتظار اعتماد مشرف ثانٍ",
           "applicant": "بانتظار اعتماد ثانٍ", "action": "تغيير رقم الهوية أو تاريخ الميلاد",
           "do": "اعتماد وتنفيذ", "record": "تسجيل القرار", "done": "اعتُمد ونُفّذ",
           "saved": "حُفظت موافقتك", "back": "إعادته إلى قائمة الانتظار"},
    "en": {"approve": "Approve", "save": "Save the decision",
           "waits": "waiting for a second approval by an admin",
           "applicant": "waiting for a second approval",
           "action": "Change of identity number or date of birth",
           "do": "Approve: do it", "record": "Record the decision", "done": "Approved and done",
           "saved": "Your approval is saved", "back": "Give it back to the queue"},
}


@pytest.fixture(scope="module")
def seeded(base_url):
    return seeded_sessions(base_url, SEED)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_identity_change_waits_for_a_second_admin_then_takes_effect(
        new_page, base_url, seeded, lang):
    SHOTS.mkdir(exist_ok=True)
    words, mine = WORDS[lang], seeded[lang]
    application = mine["application"]

    reviewer = open_as(new_page, base_url, seeded, mine["reviewer"], lang)
    reviewer.goto(f"/review/{application}")
    assert reviewer.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    reviewer.get_by_label(words["approve"], exact=True).check()
    reviewer.get_by_role("button", name=words["save"]).click()
    reviewer.wait_for_url("**decided=IN_REVIEW")
    assert words["saved"] in reviewer.locator("main").inner_text()
    if reviewer.get_by_role("button", name=words["back"]).count():
        # The page took the next application in the queue (perhaps another test's): it
        # goes back, so that nobody else's journey finds it claimed.
        reviewer.get_by_role("button", name=words["back"]).click()
        reviewer.wait_for_load_state()
    reviewer.goto(f"/review/{application}")
    decision = reviewer.locator("#decision")
    assert words["waits"] in decision.inner_text()
    assert decision.locator("form").count() == 0
    assert_accessible(reviewer)
    reviewer.screenshot(path=str(SHOTS / f"review-held-{lang}-1280.png"), full_page=True)

    applicant = open_as(new_page, base_url, seeded, mine["applicant"], lang, 390)
    applicant.goto(f"/applications/{application}")
    assert words["applicant"] in applicant.locator("main").inner_text()
    assert_fits(applicant, 390)
    assert_accessible(applicant)
    applicant.screenshot(path=str(SHOTS / f"application-held-{lang}-390.png"), full_page=True)

    for width in (390, 1280):
        admin = open_as(new_page, base_url, seeded, mine["admin"], lang, width)
        admin.goto("/admin/approvals")
        card = admin.locator(".card", has_text=mine["new"])
        assert words["action"] in card.inner_text()
        assert_fits(admin, width)
        assert_accessible(admin)
        admin.screenshot(path=str(SHOTS / f"approvals-{lang}-{width}.png"), full_page=True)
    card.get_by_role("link", name=words["action"]).click()
    admin.wait_for_url("**/admin/approvals/*")
    changes = admin.locator("table").first.inner_text()
    assert mine["identity"] in changes and mine["new"] in changes
    assert_accessible(admin)
    admin.screenshot(path=str(SHOTS / f"approval-{lang}-1280.png"), full_page=True)
    admin.get_by_label(words["do"]).check()
    admin.get_by_role("button", name=words["record"]).click()
    admin.wait_for_url("**done=approved")
    assert words["done"] in admin.content()

    applicant.goto(f"/applications/{application}")
    assert words["applicant"] not in applicant.locator("main").inner_text()
    applicant.goto("/record")
    shown = applicant.locator("main").inner_text()  # the number masked but its last four
    assert mine["new"][-4:] in shown and mine["identity"][-4:] not in shown
