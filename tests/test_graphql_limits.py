"""The GraphQL limits of docs/security.md, over HTTP."""

import dataclasses

import httpx
import pytest

from server.app import create_app
from tests.conftest import NoCookies, gql


def nested_query(depth: int) -> str:
    inner = "id"
    for level in range(depth):
        inner = f"f{level}: me {{ {inner} }}"
    return f"{{ {inner} }}"


def depth_errors(body: dict) -> list[str]:
    messages = [e["message"] for e in body.get("errors", [])]
    return [m for m in messages if "maximum operation depth" in m]


async def test_depth_8_passes_the_limiter_and_depth_9_is_refused(client):
    assert depth_errors(await gql(client, nested_query(8))) == []
    assert depth_errors(await gql(client, nested_query(9)))


async def test_sixteen_aliases_are_refused_fifteen_allowed(client):
    fifteen = "{ " + " ".join(f"a{i}: __typename" for i in range(15)) + " }"
    sixteen = "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"
    ok = await gql(client, fifteen)
    assert "errors" not in ok and len(ok["data"]) == 15
    refused = await gql(client, sixteen)
    assert any("aliases" in e["message"].lower() for e in refused["errors"])


async def test_more_than_1000_tokens_are_refused(client):
    # Each "__typename" is one token; braces add two.
    within = "{ " + " ".join(["__typename"] * 998) + " }"
    beyond = "{ " + " ".join(["__typename"] * 999) + " }"
    def token_errors(body):
        return [e for e in body.get("errors", []) if "token" in e["message"].lower()]

    assert token_errors(await gql(client, within)) == []
    assert token_errors(await gql(client, beyond))


async def test_queries_over_get_are_refused(client):
    response = await client.get("/graphql", params={"query": "{ __typename }"},
                                headers={"accept": "application/json"})
    assert response.status_code in (400, 405)


async def test_a_body_over_100_kib_is_refused_with_413(client):
    response = await client.post("/graphql", content=b'{"query":"' + b" " * 110_000 + b'"}',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"


async def test_a_malformed_document_gets_a_message_not_a_500(client):
    response = await client.post("/graphql", json={"query": "{ me { "})
    assert response.status_code == 200  # GraphQL over HTTP with application/json
    assert response.json().get("data") is None
    assert "Syntax Error" in response.json()["errors"][0]["message"]


async def test_not_json_is_a_clear_400(client):
    response = await client.post("/graphql", content=b"not json",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400


async def test_batched_requests_are_refused(client):
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400


@pytest.fixture
def production_settings(settings):
    import dataclasses

    return dataclasses.replace(settings, env="production", base_url="https://sijil.example")


@pytest.fixture
async def production_client(production_settings, clean_db):
    app = create_app(production_settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example",
                                 cookies=NoCookies()) as c:
        yield c


async def test_development_allows_introspection(client):
    body = await gql(client, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_production_refuses_introspection_graphiql_and_suggestions(production_client):
    body = (await production_client.post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"})).json()
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()

    ide = await production_client.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code in (400, 404, 405) and "graphiql" not in ide.text.lower()

    typo = (await production_client.post("/graphql", json={"query": "{ mee { id } }"})).json()
    assert "Did you mean" not in typo["errors"][0]["message"]


async def test_development_serves_graphiql(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_unexpected_errors_are_masked_and_logged(caplog):
    import strawberry

    from server.context import Context
    from server.schema.base import ErrorShaping

    @strawberry.type
    class Query:
        @strawberry.field
        def boom(self) -> str:
            raise RuntimeError("secret internal detail")

    schema = strawberry.Schema(Query, extensions=[ErrorShaping])
    result = await schema.execute("{ boom }", context_value=Context(settings=None, lang="en"))
    error = result.errors[0]
    assert error.message == "Unexpected error."
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(error.formatted)
    assert "secret internal detail" in caplog.text


async def test_mutations_are_rate_limited_per_address(settings, clean_db):
    limited = dataclasses.replace(settings, mutations_per_minute=5)
    transport = httpx.ASGITransport(app=create_app(limited), client=("127.0.0.1", 50009))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as client:
        logout = "mutation { logout { errors { code } } }"
        for _ in range(5):
            assert "errors" not in await gql(client, logout)
        response = await client.post("/graphql", json={"query": logout},
                                     headers={"accept-language": "en"})
        assert response.status_code == 429
        refused = response.json()
        assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        wait = refused["errors"][0]["extensions"]["retryAfter"]
        assert 0 < wait <= 60 and response.headers["retry-after"] == str(wait)
        assert response.headers["ratelimit-remaining"] == "0"
        assert "data" not in refused
        assert (await gql(client, "{ __typename }"))["data"] == {"__typename": "Query"}
