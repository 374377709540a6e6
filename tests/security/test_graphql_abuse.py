"""What GraphQL scanners try, beyond tests/test_graphql_limits.py (which covers introspection,
GraphiQL and suggestions in production, GET queries, arrays, 16 aliases, depth 9, 1,001
tokens and 100 KiB): GET mutations, fragment-hidden aliases and depth, sign-in mutations
hidden in fragments or split over operations, introspection dodges in production, and the
CSRF check on /graphql for every content type a browser can send."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from server.app import create_app
from server.context import session_cookie_name
from server.models.accounts import Session
from tests.conftest import NoCookies, csrf_of, gql
from tests.security.conftest import staff_actor


@pytest.fixture
async def production_client(settings, clean_db):
    production = dataclasses.replace(settings, env="production",
                                     base_url="https://sijil.example")
    transport = httpx.ASGITransport(app=create_app(production))
    async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example",
                                 cookies=NoCookies()) as c:
        yield c


def messages(body: dict) -> list[str]:
    return [e["message"] for e in body.get("errors") or []]


# ------------------------------------------------------------------ transport

async def test_a_mutation_over_get_is_refused_and_changes_nothing(client, clean_db):
    reviewer = await staff_actor("reviewer", "REVIEWER")
    response = await client.get("/graphql", params={
        "query": "mutation { logout { errors { code } } }"},
        headers={"authorization": f"Bearer {reviewer.token}", "accept": "application/json"})
    assert response.status_code in (400, 405)
    assert await Session.filter(account_id=reviewer.account.id).count() == 1


async def test_a_batch_of_one_is_refused_too(client):
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}])
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x",
                                          "application/graphql"])
async def test_only_json_bodies_are_graphql(client, content_type):
    response = await client.post("/graphql", content=b'{"query":"{ __typename }"}',
                                 headers={"content-type": content_type})
    assert response.status_code in (400, 415)
    assert "__typename" not in response.text


async def test_a_body_just_over_100_kib_without_content_length_is_refused_with_413(client):
    async def chunks():
        for _ in range(11):
            yield b" " * 10_000

    response = await client.post("/graphql", content=chunks(),
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413


# ------------------------------------------------------------------ limits through fragments

async def test_aliases_hidden_in_fragments_are_counted_per_spread(client):
    eight = " ".join(f"a{i}: __typename" for i in range(8))
    body = await gql(client, f"query {{ ...F ...G }} fragment F on Query {{ {eight} }} "
                             f"fragment G on Query {{ b: __typename {eight} }}")
    assert any("aliases" in m.lower() for m in messages(body)), body
    nested = await gql(client, "query { ...F } fragment F on Query { ...G ...H } "
                               f"fragment G on Query {{ {eight} }} "
                               "fragment H on Query { " + " ".join(
                                   f"c{i}: __typename" for i in range(8)) + " }")
    assert any("aliases" in m.lower() for m in messages(nested)), nested


async def test_depth_hidden_in_fragments_is_counted(client):
    inner = "id"
    for level in range(9):
        inner = f"f{level}: me {{ {inner} }}"
    body = await gql(client, f"query {{ ...Deep }} fragment Deep on Query {{ {inner} }}")
    assert any("maximum operation depth" in m for m in messages(body)), body


async def test_a_fragment_cycle_is_a_validation_error_not_a_hang(client):
    body = await gql(client, "query { ...A } fragment A on Query { ...B } "
                             "fragment B on Query { ...A }")
    assert body.get("data") is None and messages(body)


async def test_many_fields_without_aliases_hit_the_token_limit(client):
    body = await gql(client, "{ " + " ".join(["me { id }"] * 300) + " }")
    assert any("token" in m.lower() for m in messages(body)), body


async def test_directive_overloading_hits_the_token_limit(client):
    body = await gql(client, "{ __typename " + "@include(if: true) " * 300 + "}")
    assert body.get("data") is None and messages(body)


# ------------------------------------------------------------------ one sign-in mutation

VERIFY = 'verifyLogin(input: {challengeId: "00000000-0000-0000-0000-000000000000", ' \
         'code: "%s"}) { errors { code } }'


def refused_as_sign_in_flood(body: dict) -> bool:
    return body.get("data") is None and any(
        (e.get("extensions") or {}).get("code") == "TOO_MANY_SIGN_IN_MUTATIONS"
        for e in body.get("errors") or [])


async def test_sign_in_mutations_hidden_in_a_fragment_are_counted(client):
    body = await gql(client, "mutation { ...Guess } fragment Guess on Mutation { "
                             f"a: {VERIFY % '111111'} b: {VERIFY % '222222'} }}")
    assert refused_as_sign_in_flood(body), body


async def test_one_sign_in_mutation_in_the_operation_and_one_in_a_fragment_is_refused(client):
    body = await gql(client, f"mutation {{ a: {VERIFY % '111111'} ...Guess }} "
                             f"fragment Guess on Mutation {{ b: {VERIFY % '222222'} }}")
    assert refused_as_sign_in_flood(body), body


async def test_only_the_operation_chosen_by_operation_name_is_counted(client):
    """A client's whole operations file in one document: the one that runs has one sign-in
    mutation, so it runs (issue 20, point 3)."""
    response = await client.post("/graphql", json={
        "query": f"mutation One {{ {VERIFY % '111111'} }} "
                 f"mutation Two {{ {VERIFY % '222222'} }} "
                 "query Three { me { id } }", "operationName": "One"})
    assert response.json() == {"data": {"verifyLogin": {"errors": [{"code": "NOT_FOUND"}]}}}


async def test_an_operation_with_two_is_refused_even_when_another_is_chosen(client):
    response = await client.post("/graphql", json={
        "query": f"mutation One {{ {VERIFY % '111111'} }} "
                 f"mutation Two {{ a: {VERIFY % '222222'} b: {VERIFY % '333333'} }}",
        "operationName": "One"})
    assert refused_as_sign_in_flood(response.json()), response.text


async def test_different_sign_in_mutations_in_one_document_are_refused(client):
    body = await gql(client, 'mutation { login(input: {identifier: "a@b.co", password: "x"}) '
                             "{ errors { code } } "
                             f"{VERIFY % '111111'} }}")
    assert refused_as_sign_in_flood(body), body


async def test_a_fragment_spread_twice_runs_its_sign_in_mutation_once(client):
    """Identical fields merge: the spread twice is one execution, not two guesses."""
    body = await gql(client, "mutation { ...Guess ...Guess } fragment Guess on Mutation { "
                             f"{VERIFY % '111111'} }}")
    assert refused_as_sign_in_flood(body) or list(body["data"]) == ["verifyLogin"]


# ------------------------------------------------------------------ production

async def test_production_refuses_introspection_by_type_and_through_fragments(
        production_client):
    for query in ('{ __type(name: "Mutation") { fields { name } } }',
                  "{ ...I } fragment I on Query { __schema { types { name } } }",
                  "{ a: __schema { queryType { name } } }"):
        body = (await production_client.post("/graphql", json={"query": query})).json()
        assert body.get("data") is None, (query, body)
        assert "Mutation" not in str(body.get("data"))


async def test_production_still_answers_typename(production_client):
    body = (await production_client.post("/graphql",
                                         json={"query": "{ __typename }"})).json()
    assert body == {"data": {"__typename": "Query"}}


async def test_production_gives_no_field_suggestions_through_fragments(production_client):
    body = (await production_client.post("/graphql", json={
        "query": "{ ...F } fragment F on Query { mee { id } }"})).json()
    assert messages(body) and not any("Did you mean" in m for m in messages(body)), body


async def test_production_gives_no_suggestions_for_arguments_enums_or_input_fields(
        production_client):
    for query in ('{ verifyPractitioner(registrationNumbr: "x") { fullNameEn } }',
                  "mutation { claimNextApplication(input: {kind: RENEWL}) { errors { code } } }",
                  "mutation { claimNextApplication(input: {knd: RENEWAL}) { errors { code } } }"):
        body = (await production_client.post("/graphql", json={"query": query})).json()
        assert messages(body), query
        assert not any("Did you mean" in m for m in messages(body)), (query, body)


async def test_production_sends_hsts_for_a_year(production_client):
    response = await production_client.get("/healthz")
    assert "max-age=31536000" in response.headers["strict-transport-security"]


# ------------------------------------------------------------------ CSRF on /graphql

async def signed_in_browser(browser_like, settings) -> str:
    reviewer = await staff_actor("reviewer", "REVIEWER")
    browser_like.cookies.set(session_cookie_name(settings), reviewer.token)
    return reviewer


LOGOUT = b'{"query":"mutation { logout { errors { code } } }"}'


async def test_a_cookie_session_mutation_without_the_token_is_refused_with_403(
        browser_like, settings):
    reviewer = await signed_in_browser(browser_like, settings)
    response = await browser_like.post("/graphql", content=LOGOUT,
                                       headers={"content-type": "application/json"})
    assert response.status_code == 403
    assert await Session.filter(account_id=reviewer.account.id).count() == 1


async def test_a_cookie_session_mutation_with_a_wrong_token_is_refused(browser_like, settings):
    reviewer = await signed_in_browser(browser_like, settings)
    response = await browser_like.post("/graphql", content=LOGOUT, headers={
        "content-type": "application/json", "x-csrf-token": csrf_of(browser_like)[:-2] + "xx"})
    assert response.status_code == 403
    assert await Session.filter(account_id=reviewer.account.id).count() == 1


async def test_a_simple_form_content_type_on_graphql_runs_nothing(browser_like, settings):
    """What an HTML form on another site can send: refused by the CSRF check or by the
    GraphQL view, never executed."""
    reviewer = await signed_in_browser(browser_like, settings)
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; "
                         "boundary=x", "text/plain"):
        response = await browser_like.post("/graphql", content=LOGOUT,
                                           headers={"content-type": content_type})
        assert response.status_code in (400, 403, 415), content_type
    assert await Session.filter(account_id=reviewer.account.id).count() == 1


async def test_a_crafted_form_content_type_cannot_smuggle_json_past_csrf(browser_like,
                                                                         settings):
    reviewer = await signed_in_browser(browser_like, settings)
    response = await browser_like.post("/graphql", content=LOGOUT, headers={
        "content-type": "application/x-www-form-urlencoded, application/json"})
    assert response.status_code in (400, 403, 415), response.text
    assert await Session.filter(account_id=reviewer.account.id).count() == 1


async def test_list_size_first_is_kept_to_1_to_100_and_bad_input_is_never_top_level(
        client, clean_db):
    """The contract: a bad input is never a top-level error. `first` outside 1..100 is
    brought to the nearest bound; a cursor this server did not make is the first page."""
    from server.models.applications import Application

    reviewer = await staff_actor("reviewer", "REVIEWER")
    for _ in range(3):
        await Application.create(applicant_id=reviewer.account.id, kind="GOOD_STANDING",
                                 status="DRAFT")
    for first, size in ((0, 1), (-1, 1), (101, 3), (1, 1), (100, 3), (2, 2)):
        for after in (None, "not-a-cursor", "fHx8", "MjAyNnwx"):
            body = await gql(client, "query($n: Int, $a: String) { myApplications(first: $n, "
                                     "after: $a) { edges { cursor } } }",
                             {"n": first, "a": after}, token=reviewer.token)
            assert "errors" not in body, (first, after, body)
            assert len(body["data"]["myApplications"]["edges"]) == size, (first, after)
