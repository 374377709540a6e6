"""The anonymous public register page can be kept by a shared cache (a QR code on a card
is scanned by many): public with a short max-age, an ETag answered with 304, no visitor's
cookie or CSRF token in it. Signed in, the page is private."""

from __future__ import annotations

import re

from server.context import session_cookie_name
from server.middleware import tokens_match
from server.models.practitioners import Registration
from server.resolvers.accounts.sessions import open_session
from tests.register.test_public_register import NUMBER, account, practitioner

HTML = {"accept": "text/html"}


def max_age(cache_control: str) -> int:
    return int(re.search(r"max-age=(\d+)", cache_control).group(1))


async def test_the_anonymous_page_is_shared_cacheable_with_an_etag(client, clean_db):
    await practitioner()
    first = await client.get(f"/verify/{NUMBER}", headers=HTML)
    assert first.status_code == 200
    control = first.headers["cache-control"]
    assert control.startswith("public") and 30 <= max_age(control) <= 300
    assert {"cookie", "accept-language"} <= {
        v.strip().lower() for v in first.headers["vary"].split(",")}
    # Nothing of this visitor's in what the next one may be handed.
    assert "set-cookie" not in first.headers
    assert '"X-CSRF-Token": ""' in first.text
    assert 'name="csrf_token" value=""' in first.text
    etag = first.headers["etag"]

    again = await client.get(f"/verify/{NUMBER}", headers={**HTML, "if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == control

    # The register changes, so does the page and its tag.
    await Registration.filter(number=NUMBER).update(suspended=True)
    changed = await client.get(f"/verify/{NUMBER}", headers={**HTML, "if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "هذا التسجيل موقوف" in changed.text


async def test_a_visitor_with_a_csrf_cookie_keeps_it_and_forms_still_work(browser_like,
                                                                          clean_db):
    await practitioner()
    page = await browser_like.get(f"/verify/{NUMBER}")
    assert page.headers["cache-control"].startswith("public")
    token = next(v for k, v in browser_like.cookies.items() if k.endswith("csrf"))
    # Their own token (masked), in a variant kept only for the same Cookie header.
    shown = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert tokens_match(shown, token)
    switched = await browser_like.post("/language", data={
        "csrf_token": shown, "lang": "en", "next": f"/verify/{NUMBER}"})
    assert switched.status_code == 303


async def test_an_anonymous_visitor_can_switch_language_from_the_cached_page(client,
                                                                             clean_db):
    await practitioner()
    page = await client.get(f"/verify/{NUMBER}", headers=HTML)
    assert 'name="csrf_token" value=""' in page.text
    switched = await client.post("/language", data={
        "csrf_token": "", "lang": "en", "next": f"/verify/{NUMBER}"})
    assert switched.status_code == 303


async def test_signed_in_the_page_is_private(client, clean_db, settings):
    owner = await account("owner@example.com")
    await practitioner(account=owner)
    token = await open_session(owner)
    page = await client.get(f"/verify/{NUMBER}", headers={
        **HTML, "cookie": f"{session_cookie_name(settings)}={token}"})
    assert page.status_code == 200
    assert page.headers["cache-control"].startswith("private")
    assert "no-store" in page.headers["cache-control"]
    assert "etag" not in page.headers
