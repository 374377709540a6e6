"""Fuzzing /graphql from the schema (hypothesis-graphql) with hostile values: huge strings,
control characters, bidi overrides, SQL and HTML fragments, extreme numbers and dates; as a
signed-in practitioner. Never a 500, never a traceback, never an INTERNAL_SERVER_ERROR; a
mutation fails only with UserErrors or a top-level validation (or access) error.

Examples are generated deterministically (derandomize) so CI is stable; set
SIJIL_FUZZ_EXAMPLES=1000 locally to search longer with fresh randomness."""

from __future__ import annotations

import json
import os

import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from server.resolvers.accounts.sessions import find_session, open_session
from server.schema import printed_schema

SDL = printed_schema()
EXAMPLES = int(os.environ.get("SIJIL_FUZZ_EXAMPLES", "60"))

HOSTILE_TEXT = [
    "", " ", "\u202egnp.exe", "\u200f\u202b\u2066x\u2069", "\x00", "a\x00b", "\r\n\t\x07\x1b[31m",
    "' OR 1=1 --", "'; DROP TABLE account; --", '" OR ""="', "\\", "%", "_", "%%' --",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "${7*7}",
    "../../../../etc/passwd", "..\\..\\windows", "javascript:alert(1)", "\ud7ff\ue000\uffff",
    "سجل ١٢٣٤٥٦٧٨٩٠", "٠٥٥١٢٣٤٥٦٧", "😀" * 50, "A" * 5000, "ا" * 3000, "9" * 400,
    "1000000008", "24-R-0000101", "null", "undefined", "NaN", "-1", "0", "1e309",
    "2024-02-30", "0000-00-00", "9999-12-31", "1900-01-01",
]
HOSTILE_INTS = [0, 1, -1, 2**31 - 1, -(2**31), 100, 101, 1001, 999999]
HOSTILE_FLOATS = [0.0, -0.0, 1e308, -1e308, 1e-308, 0.1, 99999.999, -1.5]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "1900-02-28", "2100-01-01", "1970-01-01",
                 "2024-02-29", "2024-13-01", "2024-02-30", "not a date", "", "+99999-01-01"]
HOSTILE_DATETIMES = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00",
                     "2024-01-01T00:00:00", "2024-01-01T25:61:61Z", "yesterday", ""]
HOSTILE_IDS = ["", "0", "-1", "99999999999999999999999999", "' OR 1=1 --",
               "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
               "not-a-uuid", "1; SELECT pg_sleep(5)", "\u202e", "A" * 300]

FUZZ_IDS = HOSTILE_IDS
MALFORMED_UUIDS = ["", "0", "-1", "not-a-uuid", "' OR 1=1 --", "\u202e", "A" * 300]

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
SCALARS = {
    "String": texts.map(nodes.String),
    "ID": st.one_of(st.sampled_from(HOSTILE_IDS), st.uuids().map(str)).map(nodes.String),
    "Int": st.one_of(st.sampled_from(HOSTILE_INTS),
                     st.integers(-(2**31), 2**31 - 1)).map(nodes.Int),
    "Float": st.one_of(st.sampled_from(HOSTILE_FLOATS),
                       st.floats(allow_nan=False, allow_infinity=False)).map(nodes.Float),
    "Date": st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(str)).map(nodes.String),
    "DateTime": st.sampled_from(HOSTILE_DATETIMES).map(nodes.String),
    "JSON": st.sampled_from(['{"a": 1}', "null", "[]"]).map(nodes.String),
}

# Codes a top-level error may carry: validation and limits (no code), access, paging.
ACCEPTED_TOP_LEVEL = {None, "UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT",
                      "TOO_MANY_SIGN_IN_MUTATIONS"}


def generated(strategy) -> list[str]:
    found: list[str] = []

    @hsettings(max_examples=EXAMPLES, deadline=None, database=None,
               derandomize="SIJIL_FUZZ_EXAMPLES" not in os.environ,
               suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(document: str) -> None:
        found.append(document)

    collect()
    return found


def problems(response, document: str, mutation: bool) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    if "Traceback" in response.text or 'File "' in response.text:
        found.append("traceback in the body")
    if response.status_code != 200:
        return found
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in ACCEPTED_TOP_LEVEL:
            found.append(f"top-level {code}: {error['message']}")
        # A mutation that ran answers a failure as a UserError in its payload; only being
        # signed out or not allowed is a top-level error with a path.
        if mutation and error.get("path") and code not in ("UNAUTHENTICATED", "FORBIDDEN"):
            found.append(f"a mutation failure that is not a UserError: {error}")
    return found


async def signed_in_token(account, token: str) -> str:
    """`token` while its session lives, else a new session: a generated `logout`,
    `endSession` or `changePassword` must not leave the rest of the run anonymous."""
    if await find_session(token) is not None:
        return token
    return await open_session(account)


@pytest.mark.parametrize("kind", ["queries", "mutations"])
async def test_hostile_documents_never_break_the_server(shared_client, shared_world, kind):
    client, world = shared_client, shared_world
    strategy = getattr(hg, kind)(SDL, custom_scalars=SCALARS, allow_x00=True)
    failures = []
    token = world.a.token
    documents = generated(strategy)
    for document in documents:
        token = await signed_in_token(world.a.account, token)
        response = await client.post(
            "/graphql", content=json.dumps({"query": document}, ensure_ascii=False).encode(),
            headers={"authorization": f"Bearer {token}",
                     "content-type": "application/json", "accept-language": "en"})
        found = problems(response, document, kind == "mutations")
        if found:
            failures.append((found, document[:2000], response.text[:500]))
    assert len(documents) >= EXAMPLES // 2, len(documents)  # the run did generate
    assert not failures, "\n\n".join(f"{f}\n{d}\n→ {r}" for f, d, r in failures[:5])


async def test_hostile_values_as_variables_in_every_id_and_text_argument(shared_client,
                                                                        shared_world):
    client, world = shared_client, shared_world
    """The same values through variables (no document escaping in the way), for the
    fields whose ids reach the database."""
    failures = []
    for value in HOSTILE_TEXT + HOSTILE_IDS:
        failures += await _hostile_variables(client, world, value)
    assert not failures, failures


async def _hostile_variables(client, world, value) -> list:
    failures = []
    for query, variables in (
            ("query($id: ID!) { myApplication(id: $id) { id } renewal(id: $id) { id } }",
             {"id": value}),
            ("query($n: String!) { verifyPractitioner(registrationNumber: $n) { fullNameEn } "
             "verifyCertificate(code: $n) { valid } }", {"n": value}),
            ("mutation($id: ID) { removeExperience(input: {id: $id}) { errors { code } } }",
             {"id": value}),
            ("mutation($id: ID) { payApplication(input: {applicationId: $id, method: MADA}) "
             "{ errors { code } } }", {"id": value}),
            ("mutation($id: ID) { cancelApplication(input: {applicationId: $id}) "
             "{ errors { code } } }", {"id": value}),
            ("mutation($id: ID!) { attachDocuments(input: {applicationId: $id, documents: "
             "[{kind: \"EVIDENCE\", documentId: $id}]}) { errors { code } } }", {"id": value}),
    ):
        response = await client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"authorization": f"Bearer {world.a.token}"})
        found = problems(response, query, query.startswith("mutation"))
        if found:
            failures.append((value, query[:60], found))
    return failures


async def test_end_session_with_an_id_past_bigint_is_not_found(shared_client, shared_world):
    client, world = shared_client, shared_world
    for value in ("9223372036854775808", "9" * 26, "9" * 400):
        response = await client.post("/graphql", json={
            "query": "mutation($id: ID) { endSession(input: {sessionId: $id}) "
                     "{ errors { code } } }", "variables": {"id": value}},
            headers={"authorization": f"Bearer {world.a.token}"})
        assert not problems(response, "endSession", True), (value, response.text[:300])
        assert response.json()["data"]["endSession"]["errors"][0]["code"] == "NOT_FOUND"


async def test_malformed_uuid_ids_are_not_found(shared_client, shared_world):
    client, world = shared_client, shared_world
    failures = []
    for value in MALFORMED_UUIDS:
        failures += await _hostile_variables(client, world, value)
    assert not failures, failures


def test_the_checks_flag_what_they_are_meant_to():
    import httpx

    def answer(body: dict, status: int = 200) -> httpx.Response:
        return httpx.Response(status, json=body)

    internal = {"errors": [{"message": "Unexpected error.", "path": ["addExperience"],
                            "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    uncoded = {"errors": [{"message": "Boom", "path": ["addExperience"]}]}
    forbidden = {"errors": [{"message": "Not allowed.", "path": ["decideApplication"],
                             "extensions": {"code": "FORBIDDEN"}}], "data": None}
    assert problems(answer(internal), "", True)
    assert problems(answer(uncoded), "", True)
    assert problems(answer(uncoded), "", False) == []  # a query's validation error
    assert problems(answer(forbidden), "", True) == []
    assert problems(httpx.Response(500, text="oops"), "", False) == ["HTTP 500"]
    assert problems(httpx.Response(400, text='File "x.py", line 1'), "", False) \
        == ["traceback in the body"]
