"""axe-core on every page of the app, in Arabic and English, as the people who use it
(anonymous, a practitioner, a reviewer): zero WCAG 2.2 AA violations."""

import json

import pytest

from server.config import load_settings
from server.context import session_cookie_name
from server.i18n import LANG_COOKIE
from tests.browser import screenshots
from tests.browser.helpers import assert_accessible, assert_fits
from tests.browser.journeys import seed

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(base_url):
    if "token" not in screenshots.SEEDED:  # once per app server, whichever module asks first
        screenshots.SEEDED.update(json.loads(seed(base_url, screenshots.SEED).strip()
                                             .splitlines()[-1]), app=base_url)
    values = {k: v for k, v in screenshots.SEEDED.items() if k != "app"}
    return {**values, "cookie": session_cookie_name(load_settings(
        {"DATA_DIR": str(base_url.data_dir)}))}


SESSION_OF = {screenshots.as_practitioner: "token", screenshots.as_reviewer: "reviewer",
              screenshots.as_admin: "admin"}


def open_as(new_page, base_url, seeded, name: str, lang: str, width: int):
    """The page `name` of screenshots.PAGES, in `lang`, as the person it is for."""
    shot = screenshots.PAGES[name]
    page = new_page(width=width)
    cookies = [{"name": LANG_COOKIE, "value": lang, "url": base_url}]
    if shot.prepare in SESSION_OF:
        cookies.append({"name": seeded["cookie"], "value": seeded[SESSION_OF[shot.prepare]],
                        "url": base_url})
    elif shot.prepare is not None:  # an anonymous page that needs data of its own
        screenshots.SEEDED.setdefault("app", base_url)
        shot.prepare(page)
    page.context.add_cookies(cookies)
    page.goto(shot.path.format(**seeded))
    return page


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("name", sorted(screenshots.PAGES))
def test_page_has_no_accessibility_violations(new_page, base_url, seeded, name, lang):
    page = open_as(new_page, base_url, seeded, name, lang, 1280)
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


@pytest.mark.parametrize("name", sorted(screenshots.PAGES))
def test_every_page_fits_a_320_px_phone(new_page, base_url, seeded, name):
    """Nothing sticks out at 320 px (the narrowest phone; WCAG 1.4.10 reflow), in Arabic,
    whose words run longest. Wide tables scroll inside their own region."""
    assert_fits(open_as(new_page, base_url, seeded, name, "ar", 320), 320)
