"""Python's `gql` against the app over real HTTP, with each of its transports keeping cookies
as a client app does (issue 20, point 2): schema fetch, an anonymous look-up, sign-in (Login
then VerifyLogin on one client), a signed-in query with paging and a mutation answering with
a UserError. The operations are the contract's, sent as ONE document with `operationName`
choosing each (point 3)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from graphql import DocumentNode, OperationDefinitionNode, parse, print_ast

from server.models.applications import Application
from tests.conftest import ROOT_CONTRACT
from tests.journeys import PASSWORD, active_account

OPERATIONS = ("VerifyPractitioner", "Login", "VerifyLogin", "MyApplications",
              "RemoveExperience")


def contract_document() -> str:
    document = parse(ROOT_CONTRACT.path.read_text())
    chosen = tuple(d for d in document.definitions
                   if isinstance(d, OperationDefinitionNode) and d.name.value in OPERATIONS)
    assert len(chosen) == len(OPERATIONS)
    return print_ast(DocumentNode(definitions=chosen))


Call = Callable[[str, dict], Awaitable[dict]]


def transports(url: str, cookies: dict[str, str], token: str | None):
    """Each transport of gql, keeping cookies (a CSRF cookie from an earlier page visit
    included), as `(name, make_client)`."""
    from gql.transport.aiohttp import AIOHTTPTransport
    from gql.transport.httpx import HTTPXAsyncTransport
    from gql.transport.requests import RequestsHTTPTransport

    headers = {"accept-language": "en"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return [
        ("httpx", lambda: HTTPXAsyncTransport(url=url, headers=headers, cookies=cookies)),
        ("aiohttp", lambda: AIOHTTPTransport(url=url, headers=headers, cookies=cookies)),
        ("requests", lambda: RequestsHTTPTransport(url=url, headers=headers,
                                                   cookies=cookies)),
    ]


async def run_with(make_transport, steps: Callable[[Call], Awaitable[None]]) -> None:
    from gql import Client, GraphQLRequest

    document = contract_document()
    transport = make_transport()
    client = Client(transport=transport, fetch_schema_from_transport=True)

    def request(name: str, variables: dict) -> GraphQLRequest:
        return GraphQLRequest(document, variable_values=variables, operation_name=name)

    if hasattr(transport, "connect") and asyncio.iscoroutinefunction(transport.connect):
        async with client as session:
            await steps(lambda name, variables: session.execute(request(name, variables)))
    else:  # requests: a synchronous client, run beside the event loop serving the app
        session = await asyncio.to_thread(client.connect_sync)
        try:
            await steps(lambda name, variables: asyncio.to_thread(
                session.execute, request(name, variables)))
        finally:
            await asyncio.to_thread(client.close_sync)
    assert client.schema is not None and client.schema.query_type.name == "Query"


@pytest.mark.parametrize("transport_name", ["httpx", "aiohttp", "requests"])
async def test_a_whole_journey_with_a_cookie_keeping_gql_client(
        live, deliver, smtp_server, sms_gateway, transport_name):
    account = await active_account(live.client, deliver, smtp_server, sms_gateway)
    for _ in range(3):
        await Application.create(applicant_id=account["id"], kind="GOOD_STANDING",
                                 status="DRAFT")
    healthz = await live.browser.get("/healthz")
    assert healthz.status_code == 200
    cookies = dict(live.browser.cookies)  # the CSRF cookie a page visit left behind
    assert cookies
    url = f"{live.url}/graphql"
    [make] = [m for name, m in transports(url, cookies, None) if name == transport_name]
    found: dict[str, str] = {}

    async def anonymous(call: Call) -> None:
        looked_up = await call("VerifyPractitioner", {"registrationNumber": "00-X-0000000"})
        assert looked_up == {"verifyPractitioner": None}
        login = (await call("Login", {"input": {"identifier": account["email"],
                                                "password": PASSWORD}}))["login"]
        assert login["errors"] == []
        await deliver()
        verified = (await call("VerifyLogin", {"input": {
            "challengeId": login["challenge"]["id"],
            "code": sms_gateway.last_code()}}))["verifyLogin"]
        assert verified["errors"] == [] and verified["token"]
        found["token"] = verified["token"]

    await run_with(make, anonymous)
    [make] = [m for name, m in transports(url, cookies, found["token"])
              if name == transport_name]

    async def signed_in(call: Call) -> None:
        first = (await call("MyApplications", {"first": 2}))["myApplications"]
        assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
        rest = (await call("MyApplications", {"first": 2, "after": first["pageInfo"][
            "endCursor"]}))["myApplications"]
        assert len(rest["edges"]) == 1 and not rest["pageInfo"]["hasNextPage"]
        removed = (await call("RemoveExperience", {"input": {
            "id": "00000000-0000-0000-0000-000000000000"}}))["removeExperience"]
        assert removed["removedId"] is None
        [error] = removed["errors"]
        assert error["code"] in ("NOT_FOUND", "INVALID_STATE") and error["message"]

    await run_with(make, signed_in)
