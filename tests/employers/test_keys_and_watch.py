"""Organisations, API keys and watch lists through the contract's operations: a key is
shown once and stored hashed, has scopes, its own rate limit and a last-used time, is
refused at once when revoked, never reaches another organisation's rows, and never
appears in the logs."""

from __future__ import annotations

import logging

from server.models.employers import ApiKey, WatchedPractitioner
from tests.builders import imported_record
from tests.conftest import gql
from tests.employers.helpers import admin_token, api_key, identity, op, organization

WATCH = op("WatchPractitioners")
WATCH_LIST = op("MyWatchList")


async def watched_numbers(client, secret: str) -> list[str]:
    body = await gql(client, WATCH_LIST, {"first": 100}, token=secret)
    assert "errors" not in body, body
    return [e["node"]["registrationNumber"] for e in body["data"]["myWatchList"]["edges"]]


async def test_an_admin_issues_a_key_shown_once_and_stored_hashed(client):
    admin = await admin_token()
    org = await organization(client, admin)
    key_id, secret = await api_key(client, admin, org, ("WATCH",))
    assert secret.startswith("sjk_") and len(secret) > 40
    row = await ApiKey.get(id=key_id)
    assert secret not in (row.secret_hash, row.prefix) and secret.startswith(row.prefix)
    body = await gql(client, "query($id: ID!) { organization(id: $id) { apiKeys { id prefix "
                             "scopes lastUsedAt revokedAt } } }", {"id": org}, token=admin)
    [shown] = body["data"]["organization"]["apiKeys"]
    assert shown["scopes"] == ["WATCH"] and shown["lastUsedAt"] is None
    assert secret not in str(body)
    await watched_numbers(client, secret)
    assert (await ApiKey.get(id=key_id)).last_used_at is not None


async def test_bad_input_is_a_user_error_in_the_callers_language(client):
    admin = await admin_token("ar")
    body = await gql(client, op("CreateOrganization"), {"input": {
        "nameAr": "", "nameEn": "X", "contactEmail": "not-an-email"}}, token=admin, lang="ar")
    errors = {e["field"]: e for e in body["data"]["createOrganization"]["errors"]}
    assert errors["nameAr"]["code"] == "REQUIRED" and errors["contactEmail"]["code"] == "INVALID"
    assert any("\u0600" <= ch <= "\u06ff" for ch in errors["contactEmail"]["message"])
    org = await organization(client, admin)
    body = await gql(client, op("CreateApiKey"), {"input": {
        "organizationId": org, "name": "x", "scopes": []}}, token=admin)
    assert body["data"]["createApiKey"]["errors"][0]["field"] == "scopes"
    assert body["data"]["createApiKey"]["secret"] is None


async def test_watch_unwatch_and_the_watch_list(client):
    admin = await admin_token()
    _, secret = await api_key(client, admin, await organization(client, admin), ("WATCH",))
    await imported_record(number="24-R-0000101", identity="1000000008")
    await imported_record(number="24-R-0000102", identity="1000000016")
    body = await gql(client, WATCH, {"input": {"registrationNumbers": [
        "24-R-0000101", "24-R-0999999"]}}, token=secret)
    [error] = body["data"]["watchPractitioners"]["errors"]
    assert error["field"] == "registrationNumbers" and error["code"] == "NOT_FOUND"
    assert "24-R-0999999" in error["message"]
    assert await watched_numbers(client, secret) == []  # nothing, until every number is known
    for _ in range(2):  # idempotent
        body = await gql(client, WATCH, {"input": {"registrationNumbers": [
            "24-r-0000101 ", "24-R-0000102"]}}, token=secret)
        payload = body["data"]["watchPractitioners"]
        assert payload["errors"] == []
        assert {w["registrationNumber"]: w["status"] for w in payload["watched"]} == {
            "24-R-0000101": "ACTIVE", "24-R-0000102": "ACTIVE"}
    assert await watched_numbers(client, secret) == ["24-R-0000101", "24-R-0000102"]
    assert await WatchedPractitioner.all().count() == 2
    body = await gql(client, op("UnwatchPractitioners"), {"input": {
        "registrationNumbers": ["24-R-0000101"]}}, token=secret)
    assert body["data"]["unwatchPractitioners"]["errors"] == []
    assert await watched_numbers(client, secret) == ["24-R-0000102"]
    # Paging.
    await gql(client, WATCH, {"input": {"registrationNumbers": ["24-R-0000101"]}}, token=secret)
    first = (await gql(client, WATCH_LIST, {"first": 1}, token=secret))["data"]["myWatchList"]
    assert first["pageInfo"]["hasNextPage"]
    rest = (await gql(client, WATCH_LIST, {"first": 5, "after": first["pageInfo"]["endCursor"]},
                      token=secret))["data"]["myWatchList"]
    assert [e["node"]["registrationNumber"] for e in first["edges"] + rest["edges"]] == [
        "24-R-0000102", "24-R-0000101"]
    assert not rest["pageInfo"]["hasNextPage"]


async def test_a_key_reaches_only_its_own_organisations_rows(client):
    admin = await admin_token()
    _, mine = await api_key(client, admin, await organization(client, admin, "One"))
    _, theirs = await api_key(client, admin, await organization(client, admin, "Two"))
    await imported_record(number="24-R-0000101", identity="1000000008")
    await gql(client, WATCH, {"input": {"registrationNumbers": ["24-R-0000101"]}}, token=mine)
    await gql(client, op("SetWebhookEndpoint"), {"input": {
        "url": "https://one.example/hooks", "events": ["REGISTRATION_SUSPENDED"]}}, token=mine)
    assert await watched_numbers(client, theirs) == []
    body = await gql(client, "{ myWebhookEndpoint { url } }", token=theirs)
    assert body["data"]["myWebhookEndpoint"] is None
    body = await gql(client, op("UnwatchPractitioners"), {"input": {
        "registrationNumbers": ["24-R-0000101"]}}, token=theirs)
    assert await watched_numbers(client, mine) == ["24-R-0000101"]


async def test_scopes_are_enforced(client):
    admin = await admin_token()
    org = await organization(client, admin)
    _, reader = await api_key(client, admin, org, ("REGISTER_READ",))
    _, watcher = await api_key(client, admin, org, ("WATCH",))
    body = await gql(client, WATCH_LIST, {"first": 5}, token=reader)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, "{ registerChanges(first: 5) { edges { cursor } } }", token=watcher)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, "{ registerChanges(first: 5) { edges { cursor } } }", token=reader)
    assert "errors" not in body
    # A key is no admin, and an admin's session is no key.
    body = await gql(client, op("CreateOrganization"), {"input": {
        "nameAr": "س", "nameEn": "S", "contactEmail": "s@s.example"}}, token=watcher)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(client, WATCH_LIST, {"first": 5}, token=admin)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_revoked_or_unknown_key_is_refused_at_once(client):
    admin = await admin_token()
    key_id, secret = await api_key(client, admin, await organization(client, admin))
    assert await watched_numbers(client, secret) == []
    body = await gql(client, op("RevokeApiKey"), {"input": {"apiKeyId": key_id}}, token=admin)
    assert body["data"]["revokeApiKey"]["apiKey"]["revokedAt"]
    public = '{ verifyPractitioner(registrationNumber: "24-R-0000101") { __typename } }'
    for token in (secret, "sjk_" + "x" * 43):
        for document in (WATCH_LIST, public):
            # Refused as a whole, as an ended session token is (docs/api.md, "Sessions").
            response = await client.post("/graphql", json={
                "query": document, "variables": {"first": 5}},
                headers={"authorization": f"Bearer {token}"})
            assert response.status_code == 401, response.text
            body = response.json()
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
            assert body.get("data") is None
    body = await gql(client, op("RevokeApiKey"), {"input": {"apiKeyId": key_id}}, token=admin)
    assert body["data"]["revokeApiKey"]["errors"][0]["code"] == "INVALID_STATE"


async def test_each_key_has_its_own_rate_limit(client, clock):
    import datetime as dt

    admin = await admin_token()
    org = await organization(client, admin)
    key_id, busy = await api_key(client, admin, org)
    _, calm = await api_key(client, admin, org)
    await ApiKey.filter(id=key_id).update(requests_per_minute=3)
    for _ in range(3):
        assert "errors" not in await gql(client, WATCH_LIST, {"first": 5}, token=busy)
    response = await client.post("/graphql", json={"query": WATCH_LIST,
                                                   "variables": {"first": 5}},
                                 headers={"authorization": f"Bearer {busy}"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "errors" not in await gql(client, WATCH_LIST, {"first": 5}, token=calm)
    clock.shift(dt.timedelta(minutes=1))
    assert "errors" not in await gql(client, WATCH_LIST, {"first": 5}, token=busy)


async def test_keys_never_appear_in_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    admin = await admin_token()
    key_id, secret = await api_key(client, admin, await organization(client, admin))
    await watched_numbers(client, secret)
    await gql(client, op("RevokeApiKey"), {"input": {"apiKeyId": key_id}}, token=admin)
    refused = await client.post("/graphql", json={"query": WATCH_LIST},
                                headers={"authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    logged = "\n".join(r.getMessage() + str(getattr(r, "fields", "")) + str(r.args)
                       for r in caplog.records)
    # The requests were logged (so the check below looked at them).
    assert any(getattr(r, "fields", {}).get("path") == "/graphql" for r in caplog.records)
    assert secret not in logged and secret[12:] not in logged


async def test_the_watch_list_costs_the_same_queries_for_3_or_30(client, queries):
    admin = await admin_token()
    _, secret = await api_key(client, admin, await organization(client, admin), ("WATCH",))
    numbers = []
    for i in range(30):
        number = f"24-R-{1000 + i:07d}"
        await imported_record(number=number, identity=identity(5000 + i))
        numbers.append(number)
    counts = []
    for size in (3, 30):
        await gql(client, WATCH, {"input": {"registrationNumbers": numbers[:size]}},
                  token=secret)
        await watched_numbers(client, secret)  # last_used_at written by now
        with queries() as counted:
            assert len(await watched_numbers(client, secret)) == size
        counts.append(counted.count)
    # The key (1), its rate counter (3) and the page with its registrations (1).
    assert counts[0] == counts[1] <= 5, counts
