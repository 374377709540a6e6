"""Delivery: gzip for HTML, JSON, CSS and JavaScript; static files under content-hashed URLs
cached for a year; a favicon; a meta description on the pages."""

from __future__ import annotations

import hashlib
import re

from server.config import WEB_DIR

GZIP = {"accept-encoding": "gzip"}
HTML = {"accept": "text/html", **GZIP}
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


async def test_html_json_css_and_javascript_are_compressed_and_tiny_answers_are_not(client):
    page = await client.get("/verify", headers=HTML)
    assert page.headers["content-encoding"] == "gzip"
    assert int(page.headers["content-length"]) < len(page.content) / 2
    schema = await client.post("/graphql", headers=GZIP,
                               json={"query": "{ __schema { types { name } } }"})
    assert schema.headers["content-type"].startswith("application/json")
    assert schema.headers["content-encoding"] == "gzip"
    for url in STATIC_URL.findall(page.text):
        if url.endswith((".css", ".js")):
            asset = await client.get(url, headers=GZIP)
            assert asset.headers.get("content-encoding") == "gzip", url
    health = await client.get("/healthz", headers=GZIP)
    assert "content-encoding" not in health.headers  # 15 bytes: nothing to gain
    font = await client.get("/static/fonts/noto-sans-latin-400.woff2", headers=GZIP)
    assert "content-encoding" not in font.headers  # compressed already


async def test_static_files_have_content_hashed_urls_cached_for_a_year(client):
    page = await client.get("/verify", headers=HTML)
    found = STATIC_URL.findall(page.text)
    # The preloaded fonts keep the plain names fonts.css asks for (one download each).
    fonts = [u for u in found if u.startswith("/static/fonts/")]
    stylesheet = (WEB_DIR / "static" / "css" / "fonts.css").read_text()
    assert fonts and all(f"../fonts/{u.rsplit('/', 1)[1]}" in stylesheet for u in fonts)
    urls = [u for u in found if u not in fonts]
    assert len(urls) >= 5, urls
    for url in urls:
        name, digest, suffix = re.fullmatch(r"/static/(.+)\.([0-9a-f]{8})\.(\w+)", url).groups()
        content = (WEB_DIR / "static" / f"{name}.{suffix}").read_bytes()
        assert hashlib.sha256(content).hexdigest()[:8] == digest
        asset = await client.get(url)
        assert asset.status_code == 200
        assert asset.content == content
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A file a stylesheet refers to by its plain name: served, revalidated on every use.
    font = await client.get("/static/fonts/noto-sans-latin-400.woff2")
    assert font.status_code == 200 and font.headers["cache-control"] == "no-cache"
    # A hash that is not the file's (another version's) is no file at all.
    assert (await client.get("/static/css/sijil.00000000.css")).status_code == 404


async def test_a_favicon_and_a_meta_description(client):
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content == (WEB_DIR / "static" / "favicon.ico").read_bytes()
    for lang, words in (("ar", "سجل لتسجيل الممارسين الصحيين"),
                        ("en", "Sijil registers and licenses health practitioners")):
        page = await client.get("/", headers={**HTML, "accept-language": lang})
        assert re.search(rf'<meta name="description" content="{words}[^"]+">', page.text)
        svg = re.search(r'<link rel="icon" href="(/static/favicon\.[0-9a-f]{8}\.svg)" '
                        r'type="image/svg\+xml">', page.text)
        assert svg, page.text[:1500]
        served = await client.get(svg.group(1))
        assert served.headers["content-type"] == "image/svg+xml"


async def test_pages_carry_the_csrf_token_masked_afresh_each_time(browser_like, settings):
    """Compressed pages that echo what was typed must not hold a constant secret (BREACH)."""
    from server.context import session_cookie_name
    token = next(v for k, v in browser_like.cookies.items() if k.endswith("csrf"))
    shown = []
    for _ in range(2):
        page = await browser_like.get("/verify?number=25-R-000", headers=GZIP)
        assert page.headers["content-encoding"] == "gzip"
        assert token not in page.text
        shown.append(re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1))
    assert shown[0] != shown[1]
    # A session cookie rides on the request, so /graphql checks the token (an unknown
    # session is still a cookie a forged request could carry).
    browser_like.cookies.set(session_cookie_name(settings), "a-session")
    for masked in shown:
        answer = await browser_like.post("/graphql", json={"query": "{ __typename }"},
                                         headers={"x-csrf-token": masked})
        assert answer.status_code == 200, answer.text
    refused = await browser_like.post("/graphql", json={"query": "{ __typename }"},
                                      headers={"x-csrf-token": shown[0][::-1]})
    assert refused.status_code == 403
