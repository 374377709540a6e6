"""Passkeys in Chromium, with the DevTools virtual authenticator (a platform authenticator
that holds discoverable credentials and verifies the user): add a passkey from account
security, sign out, sign in with the passkey alone, remove it, in Arabic and in English;
a staff account signs in with a passkey instead of its authenticator app. The app runs on
http://localhost (tests/browser/conftest.py): Chromium refuses an IP address as a WebAuthn
relying party."""

from __future__ import annotations

import json
import re

import pytest

from server.config import load_settings
from server.context import session_cookie_name
from server.i18n import LANG_COOKIE
from tests.browser.helpers import assert_accessible
from tests.browser.helpers import sign_out as header_sign_out
from tests.browser.journeys import seed

pytestmark = pytest.mark.browser

PASSWORD = "cedar harbour lantern 42"
TEXTS = {
    "ar": {"add": "إضافة مفتاح مرور", "added": "أُضيف مفتاح المرور", "remove": "إزالة مفتاح المرور",
           "removed": "أُزيل مفتاح المرور.", "none": "ليس لديك مفاتيح مرور بعد.",
           "sign_in": "تسجيل الدخول بمفتاح مرور", "refused": "لم يُقبل مفتاح المرور",
           "name": "هاتفي"},
    "en": {"add": "Add a passkey", "added": "Your passkey is added", "remove":
           "Remove the passkey", "removed": "The passkey is removed.",
           "none": "You have no passkeys yet.", "sign_in": "Sign in with a passkey",
           "refused": "The passkey was not accepted", "name": "My phone"},
}


@pytest.fixture
def app(base_url):
    return base_url  # served as http://localhost (tests/browser/conftest.py)


def seeded_session(app, email: str, staff: bool = False) -> str:
    """A signed-in session (as after the password and the second factor) for a new account."""
    if staff:
        make = (f"account, _ = await create_staff({email!r}, 'reviewer', {PASSWORD!r})")
    else:
        make = (f"account = await Account.create(email={email!r}, mobile='+966551234567', "
                "first_name='Sara', family_name='Alqahtani', status='ACTIVE', "
                f"password_hash=await hash_password({PASSWORD!r}), "
                "email_verified_at=dt.datetime.now(dt.UTC), "
                "mobile_verified_at=dt.datetime.now(dt.UTC))")
    out = seed(app, f"""
import datetime as dt
from server.models.accounts import Account
from server.resolvers.accounts.signup import hash_password
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
{make}
print(await open_session(account))
""")
    return out.strip().splitlines()[-1]


def with_authenticator(browser, app, lang: str, width: int, token: str):
    context = browser.new_context(base_url=app, locale="ar-SA" if lang == "ar" else "en-GB",
                                  viewport={"width": width, "height": 900})
    name = session_cookie_name(load_settings({"DATA_DIR": str(app.data_dir)}))
    context.add_cookies([{"name": name, "value": token, "url": app},
                         {"name": LANG_COOKIE, "value": lang, "url": app}])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})["authenticatorId"]
    return context, page, lambda: cdp.send("WebAuthn.getCredentials", {
        "authenticatorId": authenticator})["credentials"]


def sign_out(page) -> None:
    header_sign_out(page)
    page.wait_for_url(re.compile(r"/login\?signed_out=1"))


def add_passkey(page, text: dict, name: str) -> None:
    page.goto("/account/security")
    form = page.locator("form[data-passkey-register]")
    assert form.is_visible()
    form.locator("input[name=name]").fill(name)
    form.get_by_role("button", name=text["add"]).click()
    page.wait_for_url(re.compile(r"passkey_added=1"))
    assert text["added"] in page.inner_text("#passkeys")
    assert name in page.inner_text("#passkeys table")


def sign_in_with_passkey(page, text: dict) -> None:
    page.get_by_role("button", name=text["sign_in"]).click()


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_add_a_passkey_sign_out_sign_in_with_it_alone_and_remove_it(browser, app, lang, width):
    text = TEXTS[lang]
    email = f"passkey.{lang}@example.com"
    context, page, credentials = with_authenticator(browser, app, lang, width,
                                                    seeded_session(app, email))
    try:
        add_passkey(page, text, text["name"])
        [held] = credentials()
        assert held["isResidentCredential"] and held["rpId"] == "localhost"
        assert_accessible(page)
        sign_out(page)

        assert page.locator("html").get_attribute("lang") == lang
        sign_in_with_passkey(page, text)
        page.wait_for_url(f"{app}/")
        page.goto("/account/security")  # signed in: the page opens
        assert "/account/security" in page.url
        assert re.search(r"\d{4}-\d{2}-\d{2}", page.inner_text("#passkeys tbody td:nth-child(3)"))

        remove = page.locator("#passkeys form[action$='/remove']")
        remove.locator("input[name=password]").fill(PASSWORD)
        remove.get_by_role("button", name=text["remove"]).click()
        page.locator("#passkeys").get_by_text(text["removed"]).wait_for()
        section = page.inner_text("#passkeys")
        assert text["removed"] in section and text["none"] in section
        # The section came in by htmx: its add form works again, once the script has run
        # over the swapped-in section (waited for: it follows the swap).
        page.locator("form[data-passkey-register]").wait_for(state="visible", timeout=5000)

        sign_out(page)
        sign_in_with_passkey(page, text)  # the device still holds it; the site does not
        page.wait_for_selector("#passkey-signin [data-error-summary]")
        assert text["refused"] in page.inner_text("#passkey-signin")
        assert page.locator("#field-password").is_visible()
    finally:
        context.close()


def test_a_reviewer_signs_in_with_a_passkey_instead_of_the_authenticator_app(browser, app):
    context, page, _ = with_authenticator(browser, app, "en", 1280, seeded_session(
        app, "reviewer.passkey@sijil.example", staff=True))
    try:
        add_passkey(page, TEXTS["en"], "Office key")
        sign_out(page)
        visited = []
        page.on("framenavigated", lambda frame: visited.append(frame.url))
        sign_in_with_passkey(page, TEXTS["en"])
        page.wait_for_url(f"{app}/review")  # a reviewer's home is the review queue
        assert not any("/login/code" in url for url in visited)  # no code asked for
        roles = seed(app, """
import json
from server.models.audit import AuditEntry
row = await AuditEntry.filter(action="signin.succeeded").order_by("-id").first()
print(json.dumps(row.details))
""")
        assert json.loads(roles.strip().splitlines()[-1])["channel"] == "PASSKEY"
    finally:
        context.close()


def test_without_javascript_there_is_no_passkey_button_and_the_password_form_works(
        browser, app):
    context = browser.new_context(base_url=app, java_script_enabled=False, locale="ar-SA")
    try:
        page = context.new_page()
        page.goto("/login")
        assert not page.locator("form[data-passkey-signin]").is_visible()
        assert page.locator("#field-password").is_visible()
        page.fill("#field-identifier", "nobody@example.com")
        page.fill("#field-password", "not a password at all")
        page.click("main form[action='/login'] button[type=submit]")
        assert page.locator("[data-error-summary]").is_visible()
    finally:
        context.close()
