"""The admin console's employers pages: register an organisation, issue a key (shown
once, in that answer only), revoke it, see the endpoint and the delivery log; in Arabic
and English, every form working without JavaScript."""

from __future__ import annotations

import re

from server.context import session_cookie_name
from server.models.employers import ApiKey, Organization
from tests.conftest import csrf_of, gql
from tests.employers.helpers import admin_token


async def post(browser, path: str, data: dict):
    return await browser.post(path, data={"csrf_token": csrf_of(browser), **data})


async def test_an_admin_registers_an_organisation_issues_and_revokes_a_key(browser_like,
                                                                          client, settings):
    browser_like.cookies.set(session_cookie_name(settings), await admin_token())
    page = await browser_like.get("/admin/employers")
    assert page.status_code == 200 and "No organisations yet" in page.text
    bad = await post(browser_like, "/admin/employers", {"nameAr": "", "nameEn": "KFH",
                                                        "contactEmail": "x"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    done = await post(browser_like, "/admin/employers", {
        "nameAr": "مستشفى الملك فهد", "nameEn": "King Fahd Hospital",
        "contactEmail": "hr@kfh.example"})
    assert done.status_code == 303
    org = await Organization.get()
    assert done.headers["location"] == f"/admin/employers/{org.id}"
    detail = await browser_like.get(f"/admin/employers/{org.id}")
    assert "King Fahd Hospital" in detail.text and "No API keys yet" in detail.text
    none = await post(browser_like, f"/admin/employers/{org.id}/keys", {"name": "HR"})
    assert none.status_code == 422 and "Choose at least one scope." in none.text
    issued = await post(browser_like, f"/admin/employers/{org.id}/keys", {
        "name": "HR system", "scopeWatch": "1"})
    assert issued.status_code == 200 and "This is shown once" in issued.text
    secret = re.search(r"(sjk_[A-Za-z0-9_-]+)", issued.text).group(1)
    key = await ApiKey.get()
    assert key.scope_list == ["WATCH"]
    body = await gql(client, "{ myWatchList { edges { cursor } } }", token=secret)
    assert "errors" not in body
    detail = await browser_like.get(f"/admin/employers/{org.id}")
    assert secret not in detail.text and key.prefix in detail.text
    revoked = await post(browser_like, f"/admin/employers/{org.id}/keys/{key.id}/revoke", {})
    assert revoked.status_code == 303
    detail = await browser_like.get(revoked.headers["location"])
    assert "stopped working at once" in detail.text and "Revoked" in detail.text
    refused = await client.post("/graphql", json={"query": "{ myWatchList { edges { cursor } } }"},
                                headers={"authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await browser_like.get("/admin/employers/not-an-id")).status_code == 404
    browser_like.cookies.set("lang", "ar")
    arabic = await browser_like.get(f"/admin/employers/{org.id}")
    assert "مفاتيح الواجهة البرمجية" in arabic.text and "مستشفى الملك فهد" in arabic.text


async def test_only_admins_see_the_employers_pages(browser_like, settings):
    assert (await browser_like.get("/admin/employers")).status_code in (303, 401)
