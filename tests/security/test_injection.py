"""SQL injection and LIKE wildcards, on SQLite and on PostgreSQL (both passes of make test
run this file): text that reaches a query is a bound value, and a prefix search treats `%`,
`_` and `\\` as the characters they are."""

import pytest

from server.models.audit import AuditEntry
from tests.admin.test_admin import op, payload
from tests.builders import staff_session
from tests.conftest import gql
from tests.journeys import LOGIN

HOSTILE = ["' OR '1'='1", "'; DROP TABLE account; --", "\" OR \"\"=\"", "1; SELECT pg_sleep(5)",
           "%", "_", "\\", "%' --", "admin%", "a_min"]


async def test_a_prefix_search_matches_its_characters_literally(client):
    admin, token = await staff_session("admin")
    for action in ("admin.fee_set", "admin%x", "a_min.y", "login.failed", "b\\c"):
        await AuditEntry.create(action=action, actor_id=admin.id, target_type="x",
                                target_id="t")
    found = {}
    for prefix in [*HOSTILE, "b\\"]:
        page = payload(await gql(client, op("AdminAuditLog"), {
            "first": 50, "actionPrefix": prefix}, token=token), "auditLog")
        found[prefix] = sorted(e["node"]["action"] for e in page["edges"])
    assert found["%"] == [] and found["_"] == [] and found["' OR '1'='1"] == []
    assert found["admin%"] == ["admin%x"] and found["a_min"] == ["a_min.y"]
    assert found["b\\"] == ["b\\c"]
    assert await AuditEntry.filter(action="admin.fee_set").exists()  # nothing dropped


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_lookups_find_nothing_and_break_nothing(client, value):
    found = await gql(client, """query V($n: String!) { verifyPractitioner(registrationNumber: $n)
        { registrationNumber } }""", {"n": value})
    assert found == {"data": {"verifyPractitioner": None}}
    signed = await gql(client, LOGIN, {"input": {"identifier": value, "password": "x" * 12}})
    assert [e["code"] for e in signed["data"]["login"]["errors"]] == ["INVALID"]
