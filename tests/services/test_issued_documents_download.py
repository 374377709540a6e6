"""Issue 16.2: what the regulator issues (the certificate and the payment's receipt) is
downloaded from the application's own page and from "My documents", by its owner only."""

import io

import httpx
import pikepdf

from server.context import session_cookie_name
from tests.builders import claimed_practitioner
from tests.conftest import gql
from tests.journeys import signed_in_practitioner
from tests.renewals.test_renewal import pay_in_sandbox


async def _session(live, token: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    client.cookies.set(session_cookie_name(live.settings), token)
    return client


async def test_the_certificate_and_the_receipt_download_from_the_application_and_my_documents(
        live, deliver, smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(live.client, deliver, smtp_server, sms_gateway)
    # Signed up before anything else is mailed: its confirmation is the newest email.
    _, stranger_token = await signed_in_practitioner(
        live.client, deliver, smtp_server, sms_gateway, email="stranger@example.test",
        emailConfirmation="stranger@example.test", mobile="0551234999")
    applied = (await gql(live.client, "mutation { applyForGoodStandingCertificate { "
                         "application { id } errors { code } } }", token=token)
               )["data"]["applyForGoodStandingCertificate"]
    assert applied["errors"] == []
    application_id = applied["application"]["id"]
    await pay_in_sandbox(live, deliver, token, application_id)

    listed = (await gql(live.client, """query($id: ID) { myDocuments(applicationId: $id) {
        kind downloadUrl applicationId } }""", {"id": application_id}, token=token)
              )["data"]["myDocuments"]
    kinds = sorted(d["kind"] for d in listed)
    assert kinds == ["GOOD_STANDING", "PAYMENT_RECEIPT"], listed
    assert {d["applicationId"] for d in listed} == {application_id}

    owner = await _session(live, token)
    stranger = await _session(live, stranger_token)
    try:
        for lang in ("ar", "en"):
            owner.cookies.set("lang", lang)
            page = await owner.get(f"/applications/{application_id}")
            assert page.status_code == 200
            mine = await owner.get("/documents")
            assert mine.status_code == 200
            for document in listed:
                assert f'href="{document["downloadUrl"]}"' in page.text, (lang, document)
                assert f'href="{document["downloadUrl"]}"' in mine.text, (lang, document)
        for document in listed:
            got = await owner.get(document["downloadUrl"])
            assert got.status_code == 200, document
            assert got.headers["content-type"] == "application/pdf"
            with pikepdf.open(io.BytesIO(got.content)) as pdf:
                assert len(pdf.pages) >= 1
            refused = await stranger.get(document["downloadUrl"])
            assert refused.status_code == 404, (document, refused.status_code)
    finally:
        await owner.aclose()
        await stranger.aclose()
