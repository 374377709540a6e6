"""The public look-up's documents answered without graphql-core
(server/schema/register/verify_plan.py) answer byte for byte what GraphQL answers, and any
other shape of document still goes through GraphQL."""

from __future__ import annotations

import datetime as dt

import pytest

import server.graphql_view as view
from server.clock import today
from server.schema import MAX_TOKENS
from server.schema.register.verify_plan import plan_for
from tests.register.test_public_register import VERIFY, VERIFY_ALL, practitioner

ANONYMOUS = "{ verifyPractitioner(registrationNumber: \"25-R-0004321\") { status } }"
SHAPES_FOR_GRAPHQL = [
    VERIFY_ALL,  # labels: they need the request's language
    VERIFY.replace("registrationNumber fullNameAr", "n: registrationNumber fullNameAr"),
    VERIFY.replace("registrationNumber fullNameAr", "__typename registrationNumber fullNameAr"),
    VERIFY.replace("status validUntil", "status @include(if: true) validUntil"),
    VERIFY.replace("verifyPractitioner(", "v: verifyPractitioner("),
    VERIFY.replace("fullNameAr", "fullNameAr fullNameAr"),
    "query Q($n: String!) { verifyPractitioner(registrationNumber: $n) { ...F } }\n"
    "fragment F on PublicPractitioner { status }",
    "query Q($n: String) { verifyPractitioner(registrationNumber: $n) { status } }",
    "query Q($n: String!) { verifyPractitioner(registrationNumber: $n) { status } me { id } }",
    ANONYMOUS,  # a literal, no variable
    "query Q($n: String!) { verifyPractitioner(registrationNumber: $n) { nope } }",
    "query Q($n: String!) { verifyPractitioner(registrationNumber: $n) { status ",  # syntax
]


async def test_the_contract_document_has_a_plan_and_other_shapes_do_not():
    plan = plan_for(VERIFY, MAX_TOKENS)
    assert plan is not None
    assert plan.fields == ("registrationNumber", "fullNameAr", "fullNameEn", "category",
                           "specialty", "rank", "status", "validUntil")
    reordered = "query($x: String!){verifyPractitioner(registrationNumber:$x){validUntil status}}"
    assert plan_for(reordered, MAX_TOKENS).fields == ("validUntil", "status")
    for query in SHAPES_FOR_GRAPHQL:
        assert plan_for(query, MAX_TOKENS) is None, query


@pytest.mark.parametrize("body", [
    {"query": VERIFY, "variables": {"registrationNumber": "25-R-0004321"}},
    {"query": VERIFY, "variables": {"registrationNumber": "25-r-٠٠٠٤٣٢١"}},  # as typed
    {"query": VERIFY, "variables": {"registrationNumber": "25-R-0009999"}},  # unknown
    {"query": VERIFY, "variables": {"registrationNumber": "x" * 500}},  # junk
    {"query": VERIFY, "variables": {"registrationNumber": 7}},  # wrong type
    {"query": VERIFY, "variables": {}},  # missing
    {"query": VERIFY, "variables": {"registrationNumber": "25-R-0004321", "other": 1}},
    {"query": VERIFY, "operationName": "VerifyPractitioner",
     "variables": {"registrationNumber": "25-R-0004321"}},
    {"query": VERIFY, "operationName": "Other",
     "variables": {"registrationNumber": "25-R-0004321"}},
    {"query": "query($x: String!){verifyPractitioner(registrationNumber:$x){validUntil status}}",
     "variables": {"x": "25-R-0004321"}},
    *({"query": q, "variables": {"n": "25-R-0004321",
                                 "registrationNumber": "25-R-0004321"}}
      for q in SHAPES_FOR_GRAPHQL),
])
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize("suspended", [False, True])
async def test_same_answer_as_graphql(client, monkeypatch, body, accept, suspended):
    await practitioner("25-R-0004321", suspended=suspended,
                       valid_until=today() + dt.timedelta(days=30))
    headers = {"accept": accept}
    fast = await client.post("/graphql", json=body, headers=headers)
    monkeypatch.setattr(view, "plan_for", lambda *_: None)
    slow = await client.post("/graphql", json=body, headers=headers)
    assert fast.status_code == slow.status_code
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.content == slow.content


async def test_the_look_up_is_one_statement_and_uses_the_plan(client, monkeypatch, queries):
    await practitioner("25-R-0004321")
    executed = []

    async def execute(*args, **kwargs):
        executed.append(args)
        raise AssertionError("GraphQL ran")

    monkeypatch.setattr(type(view.build_schema(False)), "execute", execute)
    with queries() as counter:
        response = await client.post("/graphql", json={
            "query": VERIFY, "variables": {"registrationNumber": "25-R-0004321"}})
    assert response.json()["data"]["verifyPractitioner"]["status"] == "ACTIVE"
    assert executed == []
    assert counter.count == 1
