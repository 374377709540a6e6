"""The portal's navigation, "My documents", the notification inbox and the header's layout
stability, in Arabic and English, on a phone and a desktop, with and without JavaScript
(issue 16: points 1, 2, 15 and 17)."""

import pytest

from server.i18n import LANG_COOKIE, gettext
from tests.browser import screenshots
from tests.browser.test_every_page_accessible import open_as, seeded  # noqa: F401

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots-portal-nav"
SECTIONS = [("/", "My services"), ("/record", "My record"),
            ("/applications", "My applications"), ("/documents", "My documents"),
            ("/notifications", "Notifications"), ("/account/security", "Account security")]


def _menu(page, width):
    """The menu's links: on a phone behind the "Menu" button (a <details>), which opens it
    (with or without JavaScript); on a desktop in view at once."""
    if width < 1024:
        toggle = page.locator(".site-menu__toggle")
        assert toggle.is_visible()
        assert not page.locator(".site-menu__list").is_visible()
        toggle.click()
    return page.locator(".site-menu__list")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_portal_section_is_reachable_and_the_current_one_is_marked(
        new_page, base_url, seeded, lang, width, javascript):  # noqa: F811
    page = new_page(width=width, javascript=javascript)
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url},
                              {"name": seeded["cookie"], "value": seeded["token"],
                               "url": base_url}])
    page.goto("/")
    for href, label in SECTIONS[1:4]:
        menu = _menu(page, width)
        link = menu.get_by_role("link", name=gettext(lang, label), exact=False)
        link.click()
        page.wait_for_url(f"**{href}")
        menu = _menu(page, width) if width >= 1024 else page.locator(".site-menu__list")
        current = page.locator('.site-menu__list [aria-current="page"]')
        assert current.count() == 1 and current.get_attribute("href") == href
    menu = _menu(page, width)
    for text in ("Download my data", "Public register", "Sign out"):
        assert gettext(lang, text) in menu.inner_text()
    assert page.locator(".site-header__lang button").is_visible()
    page.screenshot(path=f"{SHOTS}/nav-{lang}-{width}-{'js' if javascript else 'nojs'}.png")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_my_documents_and_the_inbox_open_without_javascript(
        new_page, base_url, seeded, lang):  # noqa: F811
    page = new_page(width=390, javascript=False)
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url},
                              {"name": seeded["cookie"], "value": seeded["token"],
                               "url": base_url}])
    page.goto("/documents")
    assert page.locator("h1").inner_text() == gettext(lang, "My documents")
    page.goto("/notifications")
    assert page.locator("h1").inner_text() == gettext(lang, "Notifications")
    page.screenshot(path=f"{SHOTS}/inbox-{lang}-390-nojs.png", full_page=True)


CLS_SCRIPT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 1500);
})"""


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "practitioner"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pages_do_not_shift_when_the_web_font_arrives_late_on_a_phone(
        new_page, base_url, seeded, lang, signed_in):  # noqa: F811
    """The fonts held back 600 ms, as on a phone network: the layout-shift entries the
    browser reports add up to (almost) nothing."""
    page = new_page(width=390, height=844)
    cookies = [{"name": LANG_COOKIE, "value": lang, "url": base_url}]
    if signed_in:
        cookies.append({"name": seeded["cookie"], "value": seeded["token"], "url": base_url})
    page.context.add_cookies(cookies)

    def slow_font(route):
        page.wait_for_timeout(600)
        route.continue_()

    page.route("**/*.woff2", slow_font)
    page.goto("/" if signed_in else "/verify", wait_until="commit")
    cls = page.evaluate(CLS_SCRIPT)
    assert cls < 0.05, f"CLS {cls:.3f} on {lang}"


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_new_pages(new_page, base_url, seeded, lang, width):  # noqa: F811
    for name in ("dashboard", "documents", "notifications", "security", "application"):
        page = open_as(new_page, base_url, seeded, name, lang, width)
        page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)
        assert page.locator(".site-header").count() == 1, screenshots.PAGES[name].path


TOTP_SEED = """
import datetime as dt, json
from server.models.accounts import Account
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.signup import hash_password
account = await Account.create(email="portal-nav-totp-{lang}@example.test",
    mobile="+966559100{n}", first_name="Huda", family_name="Alharbi", language="{lang}",
    password_hash=await hash_password("{password}"), status="ACTIVE",
    email_verified_at=dt.datetime.now(dt.UTC), mobile_verified_at=dt.datetime.now(dt.UTC))
print(json.dumps({{"token": await open_session(account, ip="127.0.0.1")}}))
"""


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_authenticator_section_shows_its_new_state_and_message_at_once(
        new_page, base_url, seeded, lang):  # noqa: F811
    import json
    import time

    from server.domain import otp
    from tests.browser.journeys import seed
    from tests.journeys import PASSWORD

    token = json.loads(seed(base_url, TOTP_SEED.format(
        lang=lang, n="101" if lang == "ar" else "102", password=PASSWORD)
    ).strip().splitlines()[-1])["token"]
    page = new_page(width=390)
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url},
                              {"name": seeded["cookie"], "value": token, "url": base_url}])
    page.goto("/account/security")
    section = page.locator("#totp")
    section.get_by_role("button", name=gettext(lang, "Set up an authenticator app")).click()
    secret = section.locator("code").inner_text()
    section.get_by_label(gettext(lang, "Code from the app")).fill(
        otp.hotp(secret, otp.totp_step(time.time())))
    section.get_by_role("button", name=gettext(lang, "Confirm")).click()
    section.get_by_text(gettext(lang, "Your authenticator app is set up.")).wait_for()
    assert gettext(lang, "The authenticator app is removed. Codes now come by SMS.") \
        not in section.inner_text()
    assert section.get_by_role("button", name=gettext(
        lang, "Remove the authenticator app")).is_visible()
    page.screenshot(path=f"{SHOTS}/totp-set-up-{lang}-390.png", full_page=True)

    section.get_by_label(gettext(lang, "Your password")).fill(PASSWORD)
    section.get_by_role("button", name=gettext(lang, "Remove the authenticator app")).click()
    section.get_by_text(gettext(
        lang, "The authenticator app is removed. Codes now come by SMS.")).wait_for()
    assert gettext(lang, "Your authenticator app is set up.") not in section.inner_text()
    assert section.get_by_role("button", name=gettext(
        lang, "Set up an authenticator app")).is_visible()
