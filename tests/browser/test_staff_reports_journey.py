"""Issue 21 in Chromium, Arabic then English, phone and desktop: the admin's reports (charts
with titles and tables, right to left in Arabic), the payments and audit pages, and a
reviewer's application with the documents and the decision side by side, labels instead of
codes, times in Riyadh's time and keyboard shortcuts that never fire while typing.
Screenshots go to /tmp/shots-staff-reports/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from server.config import load_settings
from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.i18n import LANG_COOKIE
from tests.browser.helpers import assert_accessible
from tests.browser.journeys import seed

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-staff-reports")
IDENTITY = "1730000" + "01"
IDENTITY += str(saudi_id_check_digit(IDENTITY))

SEED = """
import datetime as dt, hashlib, json, uuid
from decimal import Decimal
from server.models.accounts import Account
from server.models.applications import ApplicationDocument
from server.models.documents import Document
from server.models.payments import Payment, PaymentEvent
from server.models.practitioners import Practitioner
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
from server.resolvers.kernel import audit, lifecycle
from server.integrations.storage import storage_for
account = await Account.create(email="staff-reports-applicant@example.test",
    mobile="+966500000073", first_name="Reem", family_name="Alzahrani", password_hash="x",
    status="ACTIVE")
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="IDENTITY", first_name_ar="ريم", father_name_ar="سعد",
    grandfather_name_ar="", family_name_ar="الزهراني", first_name_en="Reem",
    father_name_en="Saad", grandfather_name_en="", family_name_en="Alzahrani",
    date_of_birth=dt.date(1988, 3, 1), gender="F", nationality="SA", category="PHYSICIAN",
    specialty="INTERNAL_MEDICINE", rank="RESIDENT")
application = await lifecycle.create("RECLASSIFICATION", account, p, status="SUBMITTED",
    data={"targetRank": "CONSULTANT", "targetSpecialty": "INTERNAL_MEDICINE", "note": "Board"})
pdf = (b"%PDF-1.4\\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\\n"
       b"trailer<</Root 1 0 R>>\\n%%EOF\\n")
for kind, name in (("BLS_CERTIFICATE", "bls.pdf"), ("EXPERIENCE_CERTIFICATE", "exp.pdf")):
    key = await storage_for(settings).save(pdf)
    d = await Document.create(owner=account, kind=kind, content_type="application/pdf",
        size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), storage_key=key,
        original_name=name)
    await ApplicationDocument.create(application=application, document=d, kind="EVIDENCE")
paid = await Payment.create(application=application, provider="sandbox", method="MADA",
    status="PAID", amount=Decimal("1800.00"), idempotency_key=uuid.uuid4().hex,
    provider_payment_id="sbx_staff_reports_1", paid_at=dt.datetime.now(dt.UTC))
await PaymentEvent.create(provider="sandbox", event_id="evt_staff_reports_1", payment=paid,
    verified=True, outcome="applied")
reviewer, _ = await create_staff("staff-reports-reviewer@sijil.example", "reviewer",
    "quiet meadow lantern 9")
admin, _ = await create_staff("staff-reports-admin@sijil.example", "admin",
    "quiet meadow lantern 9")
await Account.filter(id=admin.id).update(first_name="Nora", family_name="Alotaibi")
await audit.record("decision.rejected", actor=admin, target_type="application",
    target_id=application.id, kind="RENEWAL", reason="The employer letter is too old.")
print(json.dumps({"application": str(application.id), "payment": str(paid.id),
                  "reviewer": await open_session(reviewer), "admin": await open_session(admin)}))
""".replace("IDENTITY", IDENTITY)


@pytest.fixture(scope="module")
def seeded(base_url):
    values = json.loads(seed(base_url, SEED).strip().splitlines()[-1])
    SHOTS.mkdir(exist_ok=True)
    return {**values, "cookie": session_cookie_name(load_settings(
        {"DATA_DIR": str(base_url.data_dir)}))}


def signed_in(new_page, base_url, seeded, who: str, lang: str, width: int = 1280):
    page = new_page(width=width, height=900 if width > 400 else 844)
    page.context.add_cookies([
        {"name": LANG_COOKIE, "value": lang, "url": base_url},
        {"name": seeded["cookie"], "value": seeded[who], "url": base_url}])
    return page


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_admin_reads_the_reports_as_charts_and_tables(new_page, base_url, seeded, lang):
    for width in (390, 1280):
        page = signed_in(new_page, base_url, seeded, "admin", lang, width)
        page.goto("/admin/reports")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        charts = page.locator("svg[role=img]")
        assert charts.count() == 3
        title = charts.first.locator("title").first.text_content()
        assert title == ("الطلبات المقدمة في كل أسبوع" if lang == "ar"
                         else "Applications submitted per week")
        money = page.locator("#money-t").locator("xpath=..").inner_text()
        # The browser suite shares one server: the day's totals hold the 1,800.00 seeded
        # here and whatever other journeys paid today, never less.
        amounts = [float(a) for a in re.findall(r"\b(\d+\.\d{2})\b", money)]
        assert amounts and max(amounts) >= 1800.00, money
        page.screenshot(path=str(SHOTS / f"reports-{lang}-{width}.png"), full_page=True)
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_payments_and_audit_pages_give_context_and_fit(new_page, base_url, seeded, lang):
    for width in (390, 1280):
        page = signed_in(new_page, base_url, seeded, "admin", lang, width)
        page.goto("/admin/payments")
        text = page.locator("main").inner_text()
        assert "Reem Alzahrani" in text
        assert ("إعادة التصنيف" in text) if lang == "ar" else ("Reclassification" in text)
        if width == 1280:  # nothing runs off the page at 1280 px
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= 1280, overflow
            wrap = page.locator(".table-wrap").first
            assert page.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1",
                                 wrap.element_handle())
        page.screenshot(path=str(SHOTS / f"payments-{lang}-{width}.png"), full_page=True)
        page.goto("/admin/audit?action=decision.")
        main = page.locator("main").inner_text()
        assert "Nora Alotaibi" in main and "The employer letter is too old." in main
        assert ("رفض طلبًا" in main) if lang == "ar" else ("Rejected an application" in main)
        if width == 1280:
            wrap = page.locator(".table-wrap").first
            assert page.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1",
                                 wrap.element_handle())
        page.screenshot(path=str(SHOTS / f"audit-{lang}-{width}.png"), full_page=True)
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_reviewer_decides_beside_the_documents_with_shortcuts(new_page, base_url, seeded,
                                                                   lang):
    page = signed_in(new_page, base_url, seeded, "reviewer", lang, 1280)
    page.goto(f"/review/{seeded['application']}")
    decision = page.locator("#decision")
    box = decision.bounding_box()
    assert box is not None and box["y"] < 900, box  # in the first screen, not 4,000 px down
    viewer = page.locator("iframe.document-viewer")
    assert viewer.count() == 1 and viewer.bounding_box()["y"] < 2000
    main = page.locator("main").inner_text()
    for code in ("PHYSICIAN", "INTERNAL_MEDICINE", "CONSULTANT", "EVIDENCE", "UTC"):
        assert code not in main, code
    if lang == "ar":
        assert "شهادة دعم الحياة الأساسي" in main or "دعم الحياة" in main
    else:
        assert "BLS" in main and "Supporting evidence" not in main
    # Shortcuts: "r" chooses Reject and puts the cursor in the reason…
    page.locator("body").press("r")
    assert page.locator('#decision input[value="REJECT"]').is_checked()
    assert page.evaluate("document.activeElement.id") == "field-reason"
    # …and typing there types, it does not switch the decision.
    page.keyboard.type("a clear scan")
    assert page.locator('#decision input[value="REJECT"]').is_checked()
    assert page.locator("#field-reason").input_value() == "a clear scan"
    assert page.locator("#shortcuts").count() == 1
    page.screenshot(path=str(SHOTS / f"review-{lang}-1280.png"), full_page=False)
    assert_accessible(page)
    phone = signed_in(new_page, base_url, seeded, "reviewer", lang, 390)
    phone.goto(f"/review/{seeded['application']}")
    phone.screenshot(path=str(SHOTS / f"review-{lang}-390.png"), full_page=True)
