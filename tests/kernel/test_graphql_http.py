"""/graphql as client developers expect it (issue 20): GraphQL over HTTP media types and
status codes, every refusal GraphQL-shaped with `extensions.code`, limits in headers, the
request's language, CORS for listed origins, and ended tokens saying UNAUTHENTICATED."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from server.app import create_app
from server.models.accounts import Account
from tests.conftest import NoCookies
from tests.security.conftest import staff_actor

GRAPHQL_RESPONSE = "application/graphql-response+json"
ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN = re.compile(r"[A-Za-z]")


def codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json()["errors"]}


@pytest.mark.parametrize(("query", "variables", "code"), [
    ("{ __typename", None, "GRAPHQL_PARSE_FAILED"),
    ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("query($n: Int) { myApplications(first: $n) { edges { cursor } } }", {"n": "x"},
     "BAD_USER_INPUT"),
])
async def test_request_errors_have_a_code_and_the_status_the_media_type_asks_for(
        client, query, variables, code):
    body = {"query": query, "variables": variables}
    modern = await client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json() and codes(modern) == {code}
    legacy = await client.post("/graphql", json=body, headers={"accept": "application/json"})
    assert legacy.status_code == 200  # application/json: 200 for any well-formed request
    assert legacy.headers["content-type"].startswith("application/json")
    assert "data" not in legacy.json() and codes(legacy) == {code}


async def test_a_success_answers_in_the_accepted_media_type(client):
    for accept, media in ((GRAPHQL_RESPONSE, GRAPHQL_RESPONSE), (None, "application/json"),
                          ("*/*", "application/json"), ("text/html", "application/json"),
                          (f"application/json;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE)):
        headers = {"accept": accept} if accept else {}
        response = await client.post("/graphql", json={"query": "{ __typename }"},
                                     headers=headers)
        assert response.status_code == 200, accept
        assert response.headers["content-type"].startswith(media), accept


async def test_every_refusal_is_graphql_shaped_in_the_callers_language(client):
    arabic = {"accept-language": "ar"}
    refusals = [
        (await client.get("/graphql", headers=arabic), 405, "METHOD_NOT_ALLOWED"),
        (await client.put("/graphql", json={"query": "{ __typename }"}, headers=arabic),
         405, "METHOD_NOT_ALLOWED"),
        (await client.post("/graphql", content=b"{ __typename }", headers={
            **arabic, "content-type": "text/plain"}), 415, "UNSUPPORTED_MEDIA_TYPE"),
        (await client.post("/graphql", content=b"{not json", headers={
            **arabic, "content-type": "application/json"}), 400, "BAD_REQUEST"),
        (await client.post("/graphql", json=[{"query": "{ __typename }"}], headers=arabic),
         400, "BAD_REQUEST"),
        (await client.post("/graphql", json={"query": 1}, headers=arabic), 400, "BAD_REQUEST"),
        (await client.post("/graphql", content=b"x" * 200_000, headers={
            **arabic, "content-type": "application/json"}), 413, "TOO_LARGE"),
        (await client.post("/graphql", json={"query": "{ __typename }"}, headers={
            **arabic, "cookie": "sijil-sid=s; sijil-csrf=a", "x-csrf-token": "b"}),
         403, "CSRF_FAILED"),
        (await client.post("/graphql", json={"query": "{ me { id } }"}, headers={
            **arabic, "authorization": "Bearer not-a-token"}), 401, "UNAUTHENTICATED"),
    ]
    for response, status, code in refusals:
        assert response.status_code == status, (code, response.text)
        assert codes(response) == {code}, response.text
        message = response.json()["errors"][0]["message"]
        assert ARABIC.search(message), message
        assert not LATIN.search(message.replace("GraphQL", "").replace("POST", "").replace(
            "JSON", "").replace("application/json", "")), message
    assert refusals[0][0].headers["allow"] == "POST"
    assert refusals[-1][0].headers["www-authenticate"].startswith("Bearer")


async def test_an_ended_token_says_unauthenticated_and_no_token_is_simply_anonymous(client):
    anonymous = await client.post("/graphql", json={"query": "{ me { id } }"})
    assert anonymous.json() == {"data": {"me": None}}
    reviewer = await staff_actor("reviewer", "REVIEWER")
    alive = await client.post("/graphql", json={"query": "{ me { id } }"},
                              headers={"authorization": f"Bearer {reviewer.token}"})
    assert alive.json()["data"]["me"]["id"]
    await client.post("/graphql", json={"query": "mutation { logout { errors { code } } }"},
                      headers={"authorization": f"Bearer {reviewer.token}"})
    ended = await client.post("/graphql", json={"query": "{ me { id } }"},
                              headers={"authorization": f"Bearer {reviewer.token}"})
    assert ended.status_code == 401 and codes(ended) == {"UNAUTHENTICATED"}


async def test_the_requests_language_wins_over_the_accounts(client):
    reviewer = await staff_actor("reviewer", "REVIEWER")
    await Account.filter(id=reviewer.account.id).update(language="ar")
    forbidden = "{ adminPayments { edges { cursor } } }"
    bearer = {"authorization": f"Bearer {reviewer.token}"}

    async def message(**headers) -> str:
        response = await client.post("/graphql", json={"query": forbidden},
                                     headers={**bearer, **headers})
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        return error["message"]

    assert ARABIC.search(await message())  # the account's saved language by default
    assert not ARABIC.search(await message(**{"accept-language": "en-GB,en;q=0.9"}))
    await Account.filter(id=reviewer.account.id).update(language="en")
    assert ARABIC.search(await message(**{"accept-language": "ar"}))
    assert not ARABIC.search(await message(**{"accept-language": "fr"}))  # no choice: en


async def test_mutations_carry_the_ratelimit_headers(client, settings):
    response = await client.post("/graphql", json={
        "query": "mutation { logout { errors { code } } }"})
    assert response.headers["ratelimit-limit"] == str(settings.mutations_per_minute)
    assert int(response.headers["ratelimit-remaining"]) == settings.mutations_per_minute - 1
    assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
    query = await client.post("/graphql", json={"query": "{ __typename }"})
    assert "ratelimit-limit" not in query.headers  # reads are not counted


async def test_the_mutation_rate_refusal_is_429_in_arabic_without_english(settings, clean_db):
    limited = dataclasses.replace(settings, mutations_per_minute=1)
    transport = httpx.ASGITransport(app=create_app(limited), client=("127.0.0.1", 50030))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        logout = {"query": "mutation { logout { errors { code } } }"}
        assert (await c.post("/graphql", json=logout)).status_code == 200
        refused = await c.post("/graphql", json=logout, headers={"accept-language": "ar"})
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert refused.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    assert ARABIC.search(error["message"]) and not LATIN.search(error["message"])


# ------------------------------------------------------------------ CORS

@pytest.fixture
async def cors_client(settings, clean_db):
    listed = dataclasses.replace(settings, cors_allow_origins=("https://app.example",))
    transport = httpx.ASGITransport(app=create_app(listed), client=("127.0.0.1", 50031))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        yield c


def cross_site(origin: str) -> dict[str, str]:
    return {"origin": origin, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"}


async def test_a_preflight_from_a_listed_origin_is_answered(cors_client):
    asked = {"access-control-request-method": "POST",
             "access-control-request-headers": "authorization, content-type"}
    listed = await cors_client.options("/graphql", headers={
        **cross_site("https://app.example"), **asked})
    assert listed.status_code == 204
    assert listed.headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in listed.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in listed.headers
    other = await cors_client.options("/graphql", headers={
        **cross_site("https://evil.example"), **asked})
    assert "access-control-allow-origin" not in other.headers


async def test_a_cross_site_bearer_request_is_served_with_cors_headers(cors_client):
    reviewer = await staff_actor("reviewer", "REVIEWER")
    response = await cors_client.post("/graphql", json={
        "query": "mutation { logout { errors { code } } }"}, headers={
        **cross_site("https://app.example"), "authorization": f"Bearer {reviewer.token}"})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "ratelimit-remaining" in response.headers["access-control-expose-headers"]


async def test_a_listed_app_may_sign_in_anonymously_an_unlisted_one_may_not(cors_client):
    login = {"query": 'mutation { login(input: {identifier: "x@y.example", password: "p"}) '
                      "{ errors { code } } }"}
    listed = await cors_client.post("/graphql", json=login,
                                    headers=cross_site("https://app.example"))
    assert listed.status_code == 200 and "errors" not in listed.json(), listed.text
    unlisted = await cors_client.post("/graphql", json=login,
                                      headers=cross_site("https://evil.example"))
    assert unlisted.status_code == 403 and codes(unlisted) == {"CSRF_FAILED"}
    assert "access-control-allow-origin" not in unlisted.headers


async def test_a_user_error_refused_for_its_rate_says_when_in_the_payload_and_header(client):
    """A code was just sent at registration: asking again within 60 s is RATE_LIMITED, with
    the seconds in `UserError.retryAfter` and in Retry-After."""
    from tests.journeys import RESEND_MOBILE, register

    account = (await register(client))["account"]
    response = await client.post("/graphql", json={
        "query": RESEND_MOBILE.replace("errors { field code message }",
                                       "errors { field code message retryAfter }"),
        "variables": {"input": {"accountId": account["id"]}}},
        headers={"accept-language": "ar"})
    assert response.status_code == 200
    [error] = response.json()["data"]["resendMobileCode"]["errors"]
    assert error["code"] == "RATE_LIMITED" and 0 < error["retryAfter"] <= 61
    assert response.headers["retry-after"] == str(error["retryAfter"])
    assert ARABIC.search(error["message"]) and not LATIN.search(error["message"])
