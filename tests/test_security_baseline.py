"""Headers and CSRF of docs/security.md, and health."""

from tests.conftest import csrf_of


async def test_health_answers_ok_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/healthz", "/no-such-page"):
        response = await client.get(path, headers={"accept": "text/html"})
        headers = response.headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert "object-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store"
        assert "x-request-id" in headers


async def test_unknown_page_is_a_404_page_in_the_users_language(client):
    response = await client.get("/no-such-page", headers={"accept": "text/html",
                                                          "accept-language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.text and "Traceback" not in response.text


async def test_graphql_with_a_cookie_session_and_no_csrf_token_is_refused(browser_like,
                                                                          settings):
    browser_like.cookies.set(f"{settings.cookie_prefix}sid", "a-session-token")
    response = await browser_like.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"


async def test_graphql_with_a_cookie_and_the_csrf_header_is_accepted(browser_like):
    response = await browser_like.post("/graphql", json={"query": "{ __typename }"},
                                       headers={"x-csrf-token": csrf_of(browser_like)})
    assert response.status_code == 200 and response.json()["data"]["__typename"] == "Query"


async def test_a_plain_form_without_the_token_is_refused(browser_like):
    response = await browser_like.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 403


async def test_a_plain_form_with_the_token_is_accepted(browser_like):
    response = await browser_like.post("/language", data={
        "lang": "en", "next": "/", "csrf_token": csrf_of(browser_like)})
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_cross_site_requests_are_refused_even_with_the_token(browser_like):
    response = await browser_like.post("/graphql", json={"query": "{ __typename }"}, headers={
        "x-csrf-token": csrf_of(browser_like), "sec-fetch-site": "cross-site"})
    assert response.status_code == 403


async def test_a_client_app_with_no_cookie_needs_no_csrf_token(client):
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200


async def test_an_oversized_form_is_refused_with_413(browser_like):
    response = await browser_like.post("/language", content=b"a=" + b"x" * 300_000, headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


async def test_language_switch_is_remembered_and_only_redirects_inside_the_site(browser_like):
    token = csrf_of(browser_like)
    switched = await browser_like.post("/language", data={
        "lang": "en", "next": "https://evil.example/", "csrf_token": token})
    assert switched.headers["location"] == "/"
    page = await browser_like.get("/")
    assert '<html lang="en" dir="ltr">' in page.text
    back = await browser_like.post("/language", data={"lang": "ar", "next": "/",
                                                      "csrf_token": token})
    assert back.status_code == 303
    page = await browser_like.get("/")
    assert '<html lang="ar" dir="rtl">' in page.text


async def test_arabic_is_the_default_language(client):
    page = await client.get("/", headers={"accept": "text/html"})
    assert '<html lang="ar" dir="rtl">' in page.text
