"""The register search's documents answered without graphql-core
(server/schema/register/search_plan.py) answer byte for byte what GraphQL answers, and any
other shape of document, any variables GraphQL would refuse and any search that ends in a
user error still go through GraphQL."""

from __future__ import annotations

import datetime as dt

import pytest

import server.graphql_view as view
from server.clock import today
from server.schema import MAX_TOKENS
from server.schema.register.search_plan import search_plan_for
from tests.register.helpers import SEARCH, registered

CONTRACT = """query SearchRegister($query: String!, $category: String, $specialty: String,
    $first: Int, $after: String) {
  searchRegister(query: $query, category: $category, specialty: $specialty, first: $first,
                 after: $after) {
    edges { node { registrationNumber fullNameAr fullNameEn category specialty rank status
                   validUntil } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SMALL = "query($q:String!){searchRegister(query:$q){moreNotShown pageInfo{endCursor} " \
        "edges{node{status registrationNumber} cursor}}}"
SHAPES_FOR_GRAPHQL = [
    SMALL.replace("edges{", "e: edges{"),
    SMALL.replace("searchRegister(", "s: searchRegister("),
    SMALL.replace("moreNotShown", "__typename moreNotShown"),
    SMALL.replace("status registrationNumber", "status status"),
    SMALL.replace("status registrationNumber", "statusLabel registrationNumber"),
    SMALL.replace("status registrationNumber", "status @skip(if: false)"),
    SMALL.replace("(query:$q)", '(query:"Mohammed")').replace("($q:String!)", ""),
    SMALL.replace("($q:String!)", "($q:String)"),  # nullable for a non-null argument
    SMALL.replace("($q:String!)", "($q:String! = \"x\")"),
    SMALL.replace("($q:String!)", "($q:String!, $n: Int)"),  # declared, not used
    SMALL.replace("($q:String!)", "($q:Int!)"),
    SMALL.replace("($q:String!)", "($q:[String]!)"),
    SMALL.replace("(query:$q)", "(query:$q, category:$q)"),  # one variable twice
    SMALL.replace("moreNotShown", "errors"),  # no sub-selection
    SMALL.replace("moreNotShown", "errors { nope }"),
    SMALL.replace("pageInfo{endCursor}", "pageInfo{startCursor}"),
    SMALL.replace("moreNotShown", "moreNotShown moreNotShown"),
    SMALL + " fragment F on PublicPractitioner { status }",
    SMALL.replace("}}}", "}} me { id }}"),
    SMALL.replace("query(", "mutation("),
    SMALL.replace("edges{node{status registrationNumber} cursor}", "edges{...E}")
    + " fragment E on PublicPractitionerEdge { cursor }",
    SMALL[:-3],  # a syntax error
]


async def test_the_contract_documents_have_a_plan_and_other_shapes_do_not():
    for query in (CONTRACT, SEARCH, SMALL):
        assert search_plan_for(query, MAX_TOKENS) is not None, query
    plan = search_plan_for(SMALL, MAX_TOKENS)
    assert plan.arguments == {"query": "q"}
    assert plan.selection == (("moreNotShown", None), ("pageInfo", ("endCursor",)), (
        "edges", (("node", ("status", "registrationNumber")), ("cursor", None))))
    for query in SHAPES_FOR_GRAPHQL:
        assert search_plan_for(query, MAX_TOKENS) is None, query


def _bodies():
    variables = [
        {"query": "Mohammed"},
        {"query": "محمد القحطاني"},
        {"query": "Qahtani", "first": 2},
        {"query": "Qahtani", "first": 2, "specialty": "FAMILY_MEDICINE"},
        {"query": "Qahtani", "category": "NURSE"},
        {"query": "Nobody"},
        {"query": "25-R-0000002"},
        {"query": "Mo"},  # a user error: GraphQL answers it
        {"query": "Qahtani", "first": 0},
        {"query": "Qahtani", "after": "forged"},
        {"query": "Qahtani", "first": "2"},  # GraphQL refuses the variable
        {"query": "Qahtani", "first": 2.5},
        {"query": "Qahtani", "first": True},
        {"query": 7},
        {},
        {"query": "Qahtani", "other": 1},
    ]
    yield from ({"query": CONTRACT, "variables": v} for v in variables)
    with_status = [{"query": "Qahtani", "status": s} for s in ("ACTIVE", "SUSPENDED",
                                                                "EXPIRED", "active", "NOPE")]
    yield from ({"query": SEARCH, "variables": v} for v in variables + with_status)
    yield {"query": SEARCH, "operationName": "SearchRegister", "variables": {"query": "Moh"}}
    yield {"query": SEARCH, "operationName": "Other", "variables": {"query": "Moh"}}
    yield {"query": SMALL, "variables": {"q": "Qahtani"}}
    yield from ({"query": q, "variables": {"q": "Qahtani", "query": "Qahtani"}}
                for q in SHAPES_FOR_GRAPHQL)


@pytest.fixture
async def five(clean_db):
    for n in (3, 1, 4, 2, 5):
        await registered(number=f"25-R-000000{n}", suspended=n == 4,
                         specialty="FAMILY_MEDICINE" if n % 2 else "INTERNAL_MEDICINE",
                         category="NURSE" if n == 5 else "PHYSICIAN",
                         valid_until=today() - dt.timedelta(days=1) if n == 3 else None)


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_same_answer_as_graphql(client, monkeypatch, five, lang):
    """Every body twice, with the plan and without it, and the pages after each first page
    through their cursors: the same status, type and bytes."""
    from server.schema.register.search_plan import SearchPlan

    answered = []
    answer = SearchPlan.answer

    async def counted(self, *args):
        data = await answer(self, *args)
        answered.append(data is not None)
        return data

    monkeypatch.setattr(SearchPlan, "answer", counted)
    for body in _bodies():
        headers = {"accept-language": lang}
        fast = await client.post("/graphql", json=body, headers=headers)
        with monkeypatch.context() as m:
            m.setattr(view, "search_plan_for", lambda *_: None)
            slow = await client.post("/graphql", json=body, headers=headers)
        assert fast.status_code == slow.status_code, body
        assert fast.headers["content-type"] == slow.headers["content-type"]
        assert fast.content == slow.content, body
        found = (fast.json().get("data") or {}).get("searchRegister") or {}
        after = (found.get("pageInfo") or {}).get("endCursor")
        if after and "after" in body["query"]:
            following = {**body, "variables": {**body["variables"], "after": after}}
            fast = await client.post("/graphql", json=following, headers=headers)
            with monkeypatch.context() as m:
                m.setattr(view, "search_plan_for", lambda *_: None)
                slow = await client.post("/graphql", json=following, headers=headers)
            assert fast.content == slow.content, following
    # The plan answered the searches it can, and left the rest to GraphQL.
    assert answered.count(True) >= 20 and answered.count(False) >= 15, answered


async def test_the_search_uses_the_plan(client, monkeypatch, five):
    async def execute(*args, **kwargs):
        raise AssertionError("GraphQL ran")

    monkeypatch.setattr(type(view.build_schema(False)), "execute", execute)
    response = await client.post("/graphql", json={"query": CONTRACT,
                                                   "variables": {"query": "Qahtani"}})
    found = response.json()["data"]["searchRegister"]
    assert [e["node"]["registrationNumber"] for e in found["edges"]] == [
        f"25-R-000000{n}" for n in (1, 2, 3, 4, 5)]
    assert [e["node"]["status"] for e in found["edges"]] == [
        "ACTIVE", "ACTIVE", "EXPIRED", "SUSPENDED", "ACTIVE"]
