"""docs/security.md, "Schema exposure": the schema is public (schema.graphql and the client
contract are in the repository), so validation messages may name what a client asked for;
what production must not do is volunteer names it was not asked about. For each root field,
a misspelt field, argument, input field, enum value, type condition, variable type and
directive: production answers without a "Did you mean", while development (the same
documents) does suggest, which shows each document really reaches a suggestion."""

import dataclasses

import httpx
import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLNonNull, get_named_type

from server.app import create_app
from server.schema import build_schema
from tests.conftest import NoCookies


def misspelt(name: str) -> str:
    return name[:-1] if len(name) > 3 else name + "x"


def documents() -> list[str]:
    schema = build_schema(False)._schema
    found = []
    for root, keyword in ((schema.query_type, "query"), (schema.mutation_type, "mutation")):
        for name, field in root.fields.items():
            found.append(f"{keyword} {{ {misspelt(name)} }}")
            for arg_name, arg in field.args.items():
                found.append(f"{keyword} {{ {name}({misspelt(arg_name)}: 1) }}")
                named = get_named_type(arg.type)
                if isinstance(named, GraphQLInputObjectType):
                    first = next(iter(named.fields))
                    found.append(f"{keyword} {{ {name}({arg_name}: {{{misspelt(first)}: 1}}) }}")
                    for field_name, inner in named.fields.items():
                        enum = get_named_type(inner.type)
                        if isinstance(enum, GraphQLEnumType):
                            value = misspelt(next(iter(enum.values)))
                            found.append(f"{keyword} {{ {name}({arg_name}: "
                                         f"{{{field_name}: {value}}}) }}")
                if isinstance(named, GraphQLEnumType):
                    value = misspelt(next(iter(named.values)))
                    found.append(f"{keyword} {{ {name}({arg_name}: {value}) }}")
                if isinstance(arg.type, GraphQLNonNull):
                    found.append(f"{keyword}($v: {misspelt(named.name)}) "
                                 f"{{ {name}({arg_name}: $v) }}")
    found += ["{ ...F } fragment F on Qury { __typename }", "{ __typename @skp(if: true) }",
              "query($v: Strin) { __typename }"]
    return found


async def answers(env: str, settings, queries: list[str]) -> dict[str, list[str]]:
    app_settings = dataclasses.replace(settings, env=env, base_url="https://sijil.example")
    transport = httpx.ASGITransport(app=create_app(app_settings))
    seen = {}
    async with httpx.AsyncClient(transport=transport, base_url="https://sijil.example",
                                 cookies=NoCookies()) as client:
        for query in queries:
            body = (await client.post("/graphql", json={"query": query})).json()
            seen[query] = [e["message"] for e in body.get("errors") or []]
    return seen


@pytest.fixture(scope="module")
def queries() -> list[str]:
    return documents()


async def test_development_suggests_for_the_documents_used_below(settings, clean_db, queries):
    seen = await answers("development", settings, queries)
    suggesting = [q for q, m in seen.items() if any("Did you mean" in x for x in m)]
    assert len(suggesting) > len(queries) * 0.8, [q for q in queries if q not in suggesting]


async def test_production_never_suggests_a_name(settings, clean_db, queries):
    seen = await answers("production", settings, queries)
    assert all(seen.values()), [q for q, m in seen.items() if not m]
    leaking = {q: m for q, m in seen.items() if any("Did you mean" in x for x in m)}
    assert leaking == {}
