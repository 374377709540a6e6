"""Prepared decision reasons (issue 21, point 11): an admin keeps them in Arabic and English,
reviewers read them and pick one on the decision form (with or without JavaScript), and no
one else may change them."""

from __future__ import annotations

import pytest

from server.context import session_cookie_name
from server.models.applications import Application
from server.models.audit import AuditEntry
from tests.builders import staff_session
from tests.conftest import csrf_of, gql

UPDATE = """mutation U($input: UpdateCannedReasonsInput!) { updateCannedReasons(input: $input) {
  reasons { textAr textEn } errors { field code } } }"""
READ = "query { cannedReasons { textAr textEn } }"
UNREADABLE = {"textAr": "المستند غير واضح.", "textEn": "The document is unreadable."}


async def test_an_admin_keeps_them_in_both_languages_and_reviewers_read_them(client):
    _, admin = await staff_session("admin")
    _, reviewer = await staff_session("reviewer")
    half = await gql(client, UPDATE, {"input": {"reasons": [{"textAr": "", "textEn": "Only"}]}},
                     token=admin)
    assert half["data"]["updateCannedReasons"]["errors"] == [
        {"field": "reasons.0.textAr", "code": "REQUIRED"}]
    saved = await gql(client, UPDATE, {"input": {"reasons": [
        UNREADABLE, {"textAr": "", "textEn": ""}]}}, token=admin)
    assert saved["data"]["updateCannedReasons"]["reasons"] == [UNREADABLE]
    assert await AuditEntry.filter(action="settings.canned_reasons").count() == 1
    assert (await gql(client, READ, token=reviewer))["data"]["cannedReasons"] == [UNREADABLE]
    refused = await gql(client, UPDATE, {"input": {"reasons": []}}, token=reviewer)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(client, READ))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_admin_page_and_the_picker_on_the_decision_form(browser_like, settings, lang):
    from tests.review.test_review import submitted

    _, admin = await staff_session("admin")
    browser_like.cookies.set(session_cookie_name(settings), admin)
    browser_like.cookies.set("lang", lang)
    saved = await browser_like.post("/admin/canned-reasons", data={
        "rows": "2", "r0-textAr": UNREADABLE["textAr"], "r0-textEn": UNREADABLE["textEn"],
        "r1-textAr": "", "r1-textEn": "", "csrf_token": csrf_of(browser_like)})
    assert saved.status_code == 303
    page = (await browser_like.get("/admin/canned-reasons")).text
    assert UNREADABLE["textAr"] in page and UNREADABLE["textEn"] in page
    _, reviewer = await staff_session("reviewer")
    browser_like.cookies.set(session_cookie_name(settings), reviewer)
    application = await submitted("PERSONAL_DATA_CHANGE", data={"changes": {}, "before": {}})
    review = (await browser_like.get(f"/review/{application.id}")).text
    assert 'name="cannedReason"' in review
    assert (UNREADABLE["textAr"] if lang == "ar" else UNREADABLE["textEn"]) in review
    # Without JavaScript the pick itself is the reason.
    done = await browser_like.post(f"/review/{application.id}/decide", data={
        "decision": "REJECT", "reason": "", "cannedReason": "0",
        "csrf_token": csrf_of(browser_like)})
    assert done.status_code == 303, done.text[:300]
    decided = await Application.get(id=application.id)
    assert decided.status == "REJECTED"
    assert decided.decision_reason == f"{UNREADABLE['textAr']}\n{UNREADABLE['textEn']}"
