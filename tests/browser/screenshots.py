"""Screenshots of pages in Arabic and English, on a phone and a desktop, for review:
`python -m tests.browser.screenshots` (or `make screenshots`) writes
docs/screenshots/<page>-<lang>-<width>.png. Add your page to PAGES."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from server.config import ROOT
from server.i18n import LANG_COOKIE
from tests.browser.app_server import launch_options, running_app

OUT = ROOT / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    """A page to photograph. `prepare(page)` runs first in a fresh browser context whose
    base URL is the app's (sign in, fill a form…); then `path` is opened."""

    path: str
    prepare: Callable[[Page], None] | None = None


# Filled by main(): the running app and the sessions seeded into it.
SEEDED: dict = {}

EMPLOYER = "0b6f1c1e-4a39-4d5e-9a51-6f0d8e2c7a11"
SEED = """
import datetime as dt, json
EMPLOYER = "0b6f1c1e-4a39-4d5e-9a51-6f0d8e2c7a11"
from server import clock
from server.models.accounts import Account, Passkey
from server.models.practitioners import CpdActivity, Experience, Practitioner, Registration
from server.resolvers.kernel import lifecycle
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
today = clock.today()
account = await Account.create(email="sara@example.com", mobile="+966551234567",
    first_name="Sara", family_name="Alqahtani", password_hash="x", status="ACTIVE",
    email_verified_at=dt.datetime.now(dt.UTC), mobile_verified_at=dt.datetime.now(dt.UTC))
await Passkey.create(account=account, credential_id="seeded-passkey", public_key=b"-",
    name="iPhone", last_used_at=dt.datetime.now(dt.UTC))
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="1000000008", first_name_ar="سارة", father_name_ar="محمد",
    grandfather_name_ar="علي", family_name_ar="القحطاني", first_name_en="Sara",
    father_name_en="Mohammed", grandfather_name_en="Ali", family_name_en="Alqahtani",
    date_of_birth=dt.date(1985, 4, 12), gender="F", nationality="SA", category="PHYSICIAN",
    specialty="INTERNAL_MEDICINE", rank="CONSULTANT", claimed_at=dt.datetime.now(dt.UTC))
await Registration.create(practitioner=p, number="24-R-0000101", rank="CONSULTANT",
    specialty="INTERNAL_MEDICINE", valid_from=today - dt.timedelta(days=1035),
    valid_until=today + dt.timedelta(days=60))
experience = await Experience.create(practitioner=p, city="Riyadh", country="SA",
    workplace="King Fahad Medical City", specialty="Internal Medicine",
    start_date=dt.date(2018, 1, 1), organization_type="GOVERNMENT")
await CpdActivity.create(practitioner=p, title="Saudi Heart Association annual meeting",
    provider="SHA", hours=24, recognised_hours=24, completed_on=today - dt.timedelta(days=40),
    status="RECOGNISED")
application = await lifecycle.create("CPD_RECOGNITION", account, p,
    status="AWAITING_PAYMENT", fee=50, data={"title": "ACLS"})
submitted = await lifecycle.create("PERSONAL_DATA_CHANGE", account, p, status="SUBMITTED",
    data={"changes": {"familyNameEn": "Al-Qahtani"}, "before": {"familyNameEn": "Alqahtani"}})
renewal = await lifecycle.create("RENEWAL", account, p, years=1,
    data={"answers": {}})
returned = await lifecycle.create("TRAINING_CERTIFICATE", account, p, status="RETURNED",
    data={"programme": "Internal medicine residency", "institution": "KFMC", "corrections": [{
        "returned_at": dt.datetime.now(dt.UTC).isoformat(), "reason": "The letter is unsigned.",
        "points": ["Upload the signed training letter", "Correct the programme's name"],
        "record": None, "documents": [], "answers": None, "added_documents": [],
        "resubmitted_at": None}]})
reviewer, _ = await create_staff("reviewer@sijil.example", "reviewer", "quiet meadow lantern 9")
admin, _ = await create_staff("admin@sijil.example", "admin", "quiet meadow lantern 9")
from server.models.employers import ApiKey, Organization, WebhookDelivery, WebhookEndpoint
org = await Organization.create(id=EMPLOYER, name_ar="مستشفى الملك فهد",
    name_en="King Fahd Hospital", contact_email="hr@kfh.example")
await ApiKey.create(organization=org, name="HR system", prefix="sjk_Q2hY3kLm",
    secret_hash="0" * 64, scopes="REGISTER_READ,WATCH", last_used_at=dt.datetime.now(dt.UTC))
await WebhookEndpoint.create(organization=org, url="https://hr.kfh.example/sijil/webhooks",
    events="registration.suspended,registration.reinstated", secret="whsec_x")
await WebhookDelivery.create(organization=org, webhook_id="msg_1", body="{}",
    event_type="registration.suspended", registration_number="24-R-0000101", attempts=2,
    status_code=200, delivered_at=dt.datetime.now(dt.UTC))
from server.models.outbox import OutboxMessage
await OutboxMessage.create(channel="email", recipient=account.email, account=account,
    next_attempt_at=dt.datetime.now(dt.UTC), read_at=dt.datetime.now(dt.UTC), payload={
    "subject": "Your application is submitted", "text": "Dear Sara, your request to change "
    "your personal details is submitted. A reviewer usually decides within 5 days."})
await OutboxMessage.create(channel="sms", recipient=account.mobile, account=account,
    next_attempt_at=dt.datetime.now(dt.UTC), payload={"body": "Sijil: your professional "
    "registration expires in 60 days. Renew it at https://sijil.example/renewals/new"})
from server.models.workflow import ApplicationNote, ApprovalRequest
admin2, _ = await create_staff("admin2@sijil.example", "admin", "quiet meadow lantern 9")
await ApplicationNote.create(application=submitted, author=reviewer,
    body="طلبنا أصل عقد الزواج من مقدّم الطلب. Asked for the original marriage certificate.")
approval = await ApprovalRequest.create(action="EXTEND_REGISTRATIONS", target="",
    params={"expiring_from": today.isoformat(), "expiring_to": (today + dt.timedelta(days=90)
    ).isoformat(), "months": 3, "count": 1}, summary="+3", requested_by=admin2)
from server.models.settings import Setting
eid = today + dt.timedelta(days=30)
await Setting.update_or_create(key="holidays", defaults={"value": [
    {"date": (today - dt.timedelta(days=20)).isoformat(), "nameAr": "اليوم الوطني",
     "nameEn": "National Day"},
    {"date": eid.isoformat(), "nameAr": "عيد الفطر", "nameEn": "Eid al-Fitr"},
    {"date": (eid + dt.timedelta(days=1)).isoformat(), "nameAr": "عيد الفطر (اليوم الثاني)",
     "nameEn": "Eid al-Fitr (second day)"}]})
print(json.dumps({"token": await open_session(account), "application": str(application.id),
                  "approval": str(approval.id), "holiday": eid.isoformat(),
                  "submitted": str(submitted.id), "renewal": str(renewal.id),
                  "experience": str(experience.id), "reviewer": await open_session(reviewer),
                  "returned": str(returned.id), "practitioner": str(p.id),
                  "admin": await open_session(admin)}))
"""


def as_practitioner(page: Page) -> None:
    _session(page, SEEDED["token"])


def as_reviewer(page: Page) -> None:
    _session(page, SEEDED["reviewer"])


def as_admin(page: Page) -> None:
    _session(page, SEEDED["admin"])


REGISTER_PEOPLE = """
import datetime as dt
from server.models.practitioners import Practitioner, Registration
today = dt.date.today()
people = [
    ("محمد", "Mohammed", "عبد الله", "Abdullah", "PHYSICIAN", "CARDIOLOGY", "CONSULTANT",
     400, False),
    ("يوسف", "Yousef", "سعد", "Saad", "NURSE", "GENERAL_NURSING", "SPECIALIST", -20, False),
    ("عبدالرحمن", "Abdulrahman", "علي", "Ali", "PHARMACIST", "CLINICAL_PHARMACY",
     "SENIOR_PHARMACIST", 200, True)]
for i, person in enumerate(people):
    ar, en, father_ar, father_en, category, specialty, rank, days, suspended = person
    p = await Practitioner.create(identity_type="PASSPORT", identity_number=f"SHOT{i:04d}",
        first_name_ar=ar, father_name_ar=father_ar, grandfather_name_ar="",
        family_name_ar="القحطاني", first_name_en=en, father_name_en=father_en,
        grandfather_name_en="", family_name_en="Al-Qahtani", date_of_birth=dt.date(1980, 1, 1),
        gender="M", nationality="SA", category=category, specialty=specialty, rank=rank)
    await Registration.create(practitioner=p, number=f"22-R-{500 + i:07d}", rank=rank,
        specialty=specialty, valid_from=today - dt.timedelta(days=700),
        valid_until=today + dt.timedelta(days=days), suspended=suspended)
"""


def with_register_people(page: Page) -> None:
    """More than one Al-Qahtani on the register, once per run, for the search results."""
    if not SEEDED.get("register_people"):
        from tests.browser.journeys import seed

        seed(SEEDED["app"], REGISTER_PEOPLE)
        SEEDED["register_people"] = True


def _session(page: Page, token: str) -> None:
    from server.config import load_settings
    from server.context import session_cookie_name

    name = session_cookie_name(load_settings({"DATA_DIR": str(SEEDED["app"].data_dir)}))
    page.context.add_cookies([{"name": name, "value": token, "url": SEEDED["app"]}])


# name → Shot; the file is docs/screenshots/<name>-<lang>-<width>.png.
PAGES: dict[str, Shot] = {
    "home": Shot("/"),
    "gallery": Shot("/dev/components"),
    "404": Shot("/no-such-page"),
    "mailbox": Shot("/dev/mailbox"),
    "register": Shot("/register"),
    "login": Shot("/login"),
    "verify-search": Shot("/verify"),
    "verify-entry": Shot("/verify/24-R-0000101"),
    "verify-results": Shot("/verify?q=القحطاني", with_register_people),
    "dashboard": Shot("/", as_practitioner),
    "record": Shot("/record", as_practitioner),
    "cpd": Shot("/record/cpd", as_practitioner),
    "change": Shot("/record/change", as_practitioner),
    "history": Shot("/record/history", as_practitioner),
    "security": Shot("/account/security", as_practitioner),
    "application": Shot("/applications/{application}", as_practitioner),
    "pay": Shot("/applications/{application}/pay", as_practitioner),
    "renewal-start": Shot("/renewals/new", as_practitioner),
    "renewal-tasks": Shot("/renewals/{renewal}", as_practitioner),
    "renewal-questions": Shot("/renewals/{renewal}/questions", as_practitioner),
    "renewal-details": Shot("/renewals/{renewal}/details", as_practitioner),
    "renewal-experience": Shot("/renewals/{renewal}/experience", as_practitioner),
    "renewal-cpd": Shot("/renewals/{renewal}/cpd", as_practitioner),
    "renewal-documents": Shot("/renewals/{renewal}/documents", as_practitioner),
    "renewal-check": Shot("/renewals/{renewal}/check", as_practitioner),
    "applications": Shot("/applications", as_practitioner),
    "documents": Shot("/documents", as_practitioner),
    "notifications": Shot("/notifications", as_practitioner),
    "record-edit-experience": Shot("/record/experience/{experience}/edit", as_practitioner),
    "record-remove-experience": Shot("/record/experience/{experience}/remove",
                                     as_practitioner),
    "application-cancel": Shot("/applications/{application}/cancel", as_practitioner),
    "password-forgot": Shot("/password/forgot"),
    "review-queue": Shot("/review", as_reviewer),
    "review-application": Shot("/review/{submitted}", as_reviewer),
    "review-find": Shot("/review/find?q=Alqahtani", as_reviewer),
    "review-file": Shot("/review/practitioners/{practitioner}", as_reviewer),
    "application-resubmit": Shot("/applications/{returned}/resubmit", as_practitioner),
    "services-good-standing": Shot("/services/good-standing", as_practitioner),
    "services-classification": Shot("/services/classification", as_practitioner),
    "services-reclassification": Shot("/services/reclassification", as_practitioner),
    "services-training": Shot("/services/training-certificate", as_practitioner),
    "services-qualification": Shot("/services/qualification-evaluation", as_practitioner),
    "services-registration": Shot("/services/registration", as_practitioner),
    "admin": Shot("/admin", as_admin),
    "admin-fees": Shot("/admin/fees", as_admin),
    "admin-questions": Shot("/admin/questions", as_admin),
    "admin-targets": Shot("/admin/review-targets", as_admin),
    "admin-policy": Shot("/admin/renewal-policy", as_admin),
    "admin-staff": Shot("/admin/staff", as_admin),
    "admin-registrations": Shot("/admin/registrations", as_admin),
    "admin-extend": Shot("/admin/extend", as_admin),
    "admin-outbox": Shot("/admin/outbox", as_admin),
    "admin-payments": Shot("/admin/payments", as_admin),
    "admin-refunds": Shot("/admin/refunds", as_admin),
    "admin-audit": Shot("/admin/audit", as_admin),
    "admin-reports": Shot("/admin/reports", as_admin),
    "admin-employers": Shot("/admin/employers", as_admin),
    "admin-employer": Shot(f"/admin/employers/{EMPLOYER}", as_admin),
    "admin-approvals": Shot("/admin/approvals", as_admin),
    "admin-approval": Shot("/admin/approvals/{approval}", as_admin),
    "review-workflow": Shot("/review/{submitted}/workflow", as_admin),
    "admin-holidays": Shot("/admin/holidays", as_admin),
    "admin-holiday-remove": Shot("/admin/holidays/{holiday}/remove", as_admin),
}
LANGUAGES = ("ar", "en")
VIEWPORTS = ((390, 844), (1280, 800))
COLOURS = 128  # a palette keeps the PNGs small; the UI has few colours


def shoot(browser, base_url: str, name: str, shot: Shot, lang: str, width: int,
          height: int) -> int:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  locale="ar-SA" if lang == "ar" else "en-GB")
    context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url}])
    page = context.new_page()
    if shot.prepare:
        shot.prepare(page)
    page.goto(shot.path.format(**SEEDED), wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    png = page.screenshot(full_page=True, type="png")
    context.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(COLOURS, dither=Image.Dither.NONE)
    target = OUT / f"{name}-{lang}-{width}.png"
    image.save(target, optimize=True)
    return target.stat().st_size


def main(names: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    unknown = [n for n in names if n not in PAGES]
    if unknown:
        print(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(PAGES)}",
              file=sys.stderr)
        return 2
    total = 0
    with running_app(host="localhost") as base_url, sync_playwright() as playwright:
        import json

        from tests.browser.journeys import seed

        SEEDED.update(json.loads(seed(base_url, SEED).strip().splitlines()[-1]), app=base_url)
        browser = playwright.chromium.launch(**launch_options())
        for name in names or PAGES:
            for lang in LANGUAGES:
                for width, height in VIEWPORTS:
                    size = shoot(browser, base_url, name, PAGES[name], lang, width, height)
                    total += size
                    print(f"{name}-{lang}-{width}.png  {size // 1024} KiB")
        browser.close()
    print(f"{total / 1024 / 1024:.1f} MiB in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
