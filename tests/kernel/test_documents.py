"""Uploads and downloads of documents: types by magic bytes, sizes counted while streaming,
the per-user quota, who may download, and the janitor for unattached uploads."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import os
import stat
import struct
import zlib

import pytest
from PIL import Image

from server import clock
from server.domain.errors import DomainError
from server.integrations.storage import FileSystemStorage, storage_for
from server.models.accounts import Account
from server.models.applications import Application, ApplicationDocument
from server.models.audit import AuditEntry
from server.models.documents import Document
from server.models.practitioners import License, Practitioner
from server.resolvers.accounts.sessions import open_session
from server.resolvers.kernel import documents
from tests.conftest import csrf_of
from tests.journeys import signed_in_practitioner

MIB = 1024 * 1024
BOUNDARY = "sijiltestboundary"


# ------------------------------------------------------------------ files

def pdf_bytes(size: int | None = None) -> bytes:
    body = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
            b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
            b"trailer <</Root 1 0 R>>\n")
    end = b"%%EOF\n"
    if size is None:
        return body + end
    # Padding inside a PDF comment keeps it a PDF of exactly `size` bytes.
    return body + b"%" + b"x" * (size - len(body) - len(end) - 2) + b"\n" + end


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def stored_files(settings) -> set[str]:
    root = settings.data_dir / "documents"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} \
        if root.exists() else set()


def multipart(filename: bytes, content: bytes, kind: str = "OTHER", **fields: str) -> bytes:
    """A multipart body written by hand, so a test can send bytes httpx would escape."""
    parts = [f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
             f"{value}\r\n".encode() for name, value in {"kind": kind, **fields}.items()]
    parts.append(f"--{BOUNDARY}\r\n".encode() + b'Content-Disposition: form-data; name="file"; '
                 b'filename="' + filename + b'"\r\nContent-Type: application/pdf\r\n\r\n'
                 + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


# ------------------------------------------------------------------ people

async def make_account(email: str, roles: str = "PRACTITIONER",
                       language: str = "ar") -> tuple[Account, str]:
    account = await Account.create(email=email, mobile="+966551234567", first_name="Test",
                                   family_name="User", password_hash="-", status="ACTIVE",
                                   roles=roles, language=language)
    return account, await open_session(account)


def bearer(token: str, lang: str = "en") -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "accept-language": lang}


async def upload(client, token: str | None, content: bytes, name: str = "file.pdf",
                 kind: str = "OTHER", lang: str = "en", **data):
    headers = bearer(token, lang) if token else {"accept-language": lang}
    return await client.post("/api/documents", data={"kind": kind, **data},
                             files={"file": (name, content, "application/octet-stream")},
                             headers=headers)


# ------------------------------------------------------------------ uploading

async def test_a_practitioner_uploads_a_pdf_a_jpeg_and_a_png_with_a_bearer_token(
        client, settings, deliver, smtp_server, sms_gateway):
    account, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    for content, name, kind, content_type in [
        (pdf_bytes(), "certificate.pdf", "CPD_CERTIFICATE", "application/pdf"),
        (jpeg_bytes(), "photo.jpg", "PHOTO", "image/jpeg"),
        (png_bytes(), "scan.png", "LICENSE", "image/png"),
    ]:
        response = await upload(client, token, content, name, kind)
        assert response.status_code == 201, response.text
        body = response.json()
        document = await Document.get(id=body["id"])
        # Stored outside the web root under a random name, readable by the app's user only.
        path = settings.data_dir / "documents" / document.storage_key
        stored = path.read_bytes()
        assert body == {"id": body["id"], "kind": kind, "contentType": content_type,
                        "size": len(stored), "sha256": hashlib.sha256(stored).hexdigest()}
        assert str(document.owner_id) == account["id"]
        assert document.original_name == name and document.attached_at is None
        if content_type == "application/pdf":
            assert stored == content
        else:  # encoded again (tests/kernel/test_document_content.py): the same picture
            with Image.open(io.BytesIO(stored)) as kept, Image.open(io.BytesIO(content)) as sent:
                assert kept.size == sent.size and kept.format == sent.format
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert name not in document.storage_key
    assert await AuditEntry.filter(action="document.uploaded").count() == 3


async def test_a_browser_uploads_with_the_csrf_header_or_the_form_field(browser_like, settings):
    _, token = await make_account("browser@example.com")
    browser_like.cookies.set(f"{settings.cookie_prefix}sid", token)
    files = {"file": ("scan.png", png_bytes(), "image/png")}
    with_header = await browser_like.post("/api/documents", data={"kind": "OTHER"}, files=files,
                                          headers={"x-csrf-token": csrf_of(browser_like),
                                                   "accept": "application/json"})
    assert with_header.status_code == 201, with_header.text
    # A plain form with JavaScript off carries the token as a field.
    with_field = await browser_like.post("/api/documents", files=files, data={
        "kind": "OTHER", "csrf_token": csrf_of(browser_like)})
    assert with_field.status_code == 201, with_field.text
    assert await Document.all().count() == 2


async def test_a_cookie_upload_without_the_csrf_token_is_refused_and_nothing_is_kept(
        browser_like, settings):
    _, token = await make_account("forged@example.com")
    browser_like.cookies.set(f"{settings.cookie_prefix}sid", token)
    before = stored_files(settings)
    response = await browser_like.post("/api/documents", data={"kind": "OTHER"}, files={
        "file": ("scan.png", png_bytes(), "image/png")})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CSRF_FAILED"
    wrong = await browser_like.post("/api/documents", data={"kind": "OTHER", "csrf_token": "x"},
                                    files={"file": ("scan.png", png_bytes(), "image/png")})
    assert wrong.status_code == 403
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_without_a_session_the_upload_is_refused_with_401(client):
    response = await upload(client, None, pdf_bytes())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    expired = await upload(client, "not-a-token", pdf_bytes())
    assert expired.status_code == 401


@pytest.mark.parametrize(("content", "name"), [
    (b"MZ\x90\x00" + b"\x00" * 300, "certificate.pdf"),           # right extension, wrong bytes
    (b"<html><body>%PDF-1.4 <script>alert(1)</script></body></html>", "x.pdf"),  # polyglot
    (b"GIF89a" + b"\x00" * 100, "x.pdf"),
    (b"\xef\xbb\xbf" + pdf_bytes(), "bom.pdf"),                      # %PDF- not at offset 0
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.png"),
    (b"  %PDF-1.4\n%%EOF", "padded.pdf"),
    # PDF/HTML polyglots: a true PDF header, a page inside (early, deep, split across the
    # 64 KiB chunks storage reads, and in upper case).
    (pdf_bytes() + b"<html><body><script>alert(1)</script></body></html>", "poly.pdf"),
    (pdf_bytes(200_000)[:-6] + b"<!DOCTYPE HTML><p>hi</p>\n%%EOF\n", "deep.pdf"),
    (pdf_bytes(200_000)[:65_533] + b"<SCRIPT>alert(1)</SCRIPT>" + pdf_bytes(70_000)[8:],
     "split.pdf"),
    (png_bytes() + b"<svg onload=alert(1)>", "poly.png"),
])
async def test_files_that_are_not_pdf_jpeg_or_png_by_their_bytes_are_refused_with_415(
        client, settings, content, name):
    _, token = await make_account("types@example.com")
    before = stored_files(settings)
    response = await upload(client, token, content, name)
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "UNSUPPORTED_TYPE"
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_exactly_5_mib_is_accepted_and_one_byte_more_is_refused_with_nothing_kept(
        client, settings):
    _, token = await make_account("size@example.com")
    exact = await upload(client, token, pdf_bytes(5 * MIB))
    assert exact.status_code == 201, exact.text
    assert exact.json()["size"] == 5 * MIB
    before = stored_files(settings)
    over = await upload(client, token, pdf_bytes(5 * MIB + 1))
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "TOO_LARGE"
    assert await Document.all().count() == 1 and stored_files(settings) == before


async def test_an_oversized_upload_sent_slowly_is_refused_before_it_is_all_read(
        client, settings):
    _, token = await make_account("slow@example.com")
    total = 20 * MIB
    sent = 0

    async def body():
        nonlocal sent
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n"
                f"OTHER\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        sent += len(head)
        yield head
        chunk = b"%PDF-1.4\n" + b"x" * (256 * 1024 - 9)
        while sent < total:
            await asyncio.sleep(0.001)
            sent += len(chunk)
            yield chunk
            chunk = b"x" * (256 * 1024)
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    before = stored_files(settings)
    response = await client.post("/api/documents", content=body(),
                                 headers={**bearer(token), **MULTIPART})
    assert response.status_code == 413
    assert sent < 6 * MIB < total
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_a_body_that_goes_on_past_the_form_is_cut_off_with_413(client, settings):
    """After the closing boundary the parser reads nothing, so the middleware's byte counter
    is what stops it; the route turns that into the same JSON 413."""
    _, token = await make_account("epilogue@example.com")

    async def body():
        yield multipart(b"scan.png", png_bytes())
        for _ in range(7 * 4):
            yield b"x" * (256 * 1024)

    before = stored_files(settings)
    response = await client.post("/api/documents", content=body(),
                                 headers={**bearer(token), **MULTIPART})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "TOO_LARGE"
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_part_headers_and_fields_are_limited(client):
    _, token = await make_account("headers@example.com")
    long_name = b"a" * 9000 + b".pdf"
    response = await client.post("/api/documents", content=multipart(long_name, pdf_bytes()),
                                 headers={**bearer(token), **MULTIPART})
    assert response.status_code == 422
    long_field = await client.post("/api/documents", content=multipart(
        b"a.pdf", pdf_bytes(), kind="K" * 2000), headers={**bearer(token), **MULTIPART})
    assert long_field.status_code == 422
    two_files = multipart(b"a.pdf", pdf_bytes()).replace(
        f"--{BOUNDARY}--".encode(), multipart(b"b.pdf", pdf_bytes(), kind="OTHER")[:-2])
    assert (await client.post("/api/documents", content=two_files,
                              headers={**bearer(token), **MULTIPART})).status_code == 422
    assert await Document.all().count() == 0


@pytest.mark.parametrize("raw_name", [
    b"../../etc/passwd.pdf",
    b"cv\x00.pdf",
    b"cv\x1b[31m.pdf",
    "cv\u202efdp.exe".encode(),                      # shows as "cvexe.pdf"
    "\u2066شهادة\u2069.pdf".encode(),
])
async def test_names_with_path_separators_nul_or_bidi_overrides_are_refused_and_not_stored(
        client, settings, raw_name):
    _, token = await make_account("names@example.com", language="en")
    before = stored_files(settings)
    response = await client.post("/api/documents", content=multipart(raw_name, pdf_bytes()),
                                 headers={**bearer(token), **MULTIPART})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == {"code": "INVALID", "field": "file",
                                        "message": documents.BAD_NAME}
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_the_refusal_of_a_name_is_in_the_callers_language(client):
    _, token = await make_account("names-ar@example.com", language="en")
    response = await client.post("/api/documents", content=multipart(
        "cv\u202efdp.exe".encode(), pdf_bytes()), headers={**bearer(token, "ar"), **MULTIPART})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message != documents.BAD_NAME and "اسم الملف" in message


async def test_an_arabic_name_with_spaces_and_leading_dots_is_kept_tidied(client):
    _, token = await make_account("names-ok@example.com")
    response = await client.post("/api/documents", content=multipart(
        "..شهادة   الخبرة.pdf".encode(), pdf_bytes()), headers={**bearer(token), **MULTIPART})
    assert response.status_code == 201, response.text
    document = await Document.get(id=response.json()["id"])
    assert document.original_name == "شهادة الخبرة.pdf"
    # Old browsers sent the whole Windows path; the multipart parser keeps its last part.
    windows = await client.post("/api/documents", content=multipart(
        b"C:\\Users\\sara\\cv.pdf", pdf_bytes()), headers={**bearer(token), **MULTIPART})
    assert (await Document.get(id=windows.json()["id"])).original_name == "cv.pdf"


def test_sanitise_filename_keeps_arabic_and_at_most_200_characters():
    assert documents.sanitise_filename("شهادة الخبرة.pdf") == "شهادة الخبرة.pdf"
    long = documents.sanitise_filename("ب" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    assert documents.sanitise_filename("...") == "document"
    assert documents.sanitise_filename(None) == "document"


async def test_the_50_mib_quota_per_user_is_enforced(client, settings):
    # A signed-in account's own language decides the messages.
    account, token = await make_account("quota@example.com", language="en")
    await Document.create(owner=account, kind="OTHER", content_type="application/pdf",
                          size=50 * MIB - 100, sha256="0" * 64, storage_key="qu/ota-placeholder")
    before = stored_files(settings)
    refused = await upload(client, token, pdf_bytes(200))
    assert refused.status_code == 413
    assert refused.json()["error"] == {
        "code": "TOO_LARGE", "field": "file",
        "message": "You have reached the 50 MB you may store in documents."}
    assert await Document.all().count() == 1 and stored_files(settings) == before
    fits = await upload(client, token, png_bytes())  # under 100 bytes
    assert fits.status_code == 201, fits.text
    # Another account's uploads do not count against this one.
    _, other = await make_account("other@example.com")
    assert (await upload(client, other, pdf_bytes(200))).status_code == 201


async def test_an_unknown_kind_or_a_missing_file_is_refused_with_422_in_the_callers_language(
        client):
    _, token = await make_account("kind@example.com")
    unknown = await upload(client, token, pdf_bytes(), kind="PASSPORT_SCAN", lang="ar")
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["code"] == "INVALID" and error["field"] == "kind"
    assert error["message"] == "اختر نوع المستند."
    no_file = await client.post("/api/documents", data={"kind": "OTHER"},
                                files={"other": ("a", b"b")}, headers=bearer(token))
    assert no_file.status_code == 422
    not_multipart = await client.post("/api/documents", json={"kind": "OTHER"},
                                      headers=bearer(token))
    assert not_multipart.status_code == 422
    assert await Document.all().count() == 0


async def test_uploads_are_rate_limited_per_account(client, monkeypatch):
    monkeypatch.setattr(documents, "UPLOADS_PER_HOUR", 2)
    _, token = await make_account("rate@example.com")
    for _ in range(2):
        assert (await upload(client, token, png_bytes())).status_code == 201
    limited = await upload(client, token, png_bytes())
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) > 0


async def test_an_htmx_form_may_ask_for_a_fragment(browser_like, settings):
    _, token = await make_account("fragment@example.com")
    browser_like.cookies.set(f"{settings.cookie_prefix}sid", token)
    name = "<img src=x onerror=alert(1)>شهادة.pdf"
    response = await browser_like.post("/api/documents", data={
        "kind": "CPD_CERTIFICATE", "render": "fragment", "field": "certificate"},
        files={"file": (name, pdf_bytes(), "application/pdf")},
        headers={"x-csrf-token": csrf_of(browser_like), "hx-request": "true"})
    assert response.status_code == 201
    document = await Document.get()
    assert f'name="certificate_id" value="{document.id}"' in response.text
    assert "<bdi>&lt;img src=x onerror=alert(1)&gt;شهادة.pdf</bdi>" in response.text
    assert "<img" not in response.text


# ------------------------------------------------------------------ downloading

async def uploaded(client, token: str, content: bytes, name: str) -> str:
    response = await upload(client, token, content, name)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_the_owner_downloads_with_safe_headers(client):
    _, token = await make_account("owner@example.com")
    content = pdf_bytes()
    document_id = await uploaded(client, token, content, "شهادة; 1.pdf")
    response = await client.get(f"/documents/{document_id}", headers=bearer(token))
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert disposition == ("attachment; filename=\"______ 1.pdf\"; "
                           "filename*=UTF-8''%D8%B4%D9%87%D8%A7%D8%AF%D8%A9%3B%201.pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["cache-control"] == "no-store"
    # Only staff may ask to view inline.
    inline = await client.get(f"/documents/{document_id}?inline=1", headers=bearer(token))
    assert inline.headers["content-disposition"].startswith("attachment;")
    assert await AuditEntry.filter(action="document.downloaded").count() == 2


async def test_another_practitioner_gets_404_as_for_a_document_that_does_not_exist(client):
    _, owner = await make_account("owner2@example.com")
    _, stranger = await make_account("stranger@example.com")
    document_id = await uploaded(client, owner, png_bytes(), "scan.png")
    theirs = await client.get(f"/documents/{document_id}", headers=bearer(stranger))
    missing = await client.get("/documents/00000000-0000-0000-0000-000000000000",
                               headers=bearer(stranger))
    garbage = await client.get("/documents/not-a-uuid", headers=bearer(stranger))
    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert theirs.json() == missing.json()
    assert await AuditEntry.filter(action="document.access_denied").count() == 1
    anonymous = await client.get(f"/documents/{document_id}")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("role", ["REVIEWER", "ADMIN"])
async def test_staff_download_and_may_view_inline_still_sandboxed(client, role):
    _, owner = await make_account("owner3@example.com")
    _, staff = await make_account("staff@example.com", roles=role)
    content = jpeg_bytes()
    document_id = await uploaded(client, owner, content, "photo.jpg")
    response = await client.get(f"/documents/{document_id}", headers=bearer(staff))
    document = await Document.get(id=document_id)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    inline = await client.get(f"/documents/{document_id}?inline=1", headers=bearer(staff))
    assert inline.headers["content-disposition"].startswith("inline;")
    assert inline.headers["content-security-policy"] == "sandbox"
    assert inline.headers["content-type"] == "image/jpeg"


async def test_staff_view_a_pdf_inline_with_a_policy_that_allows_nothing(client):
    """A sandboxed document cannot run the browser's PDF viewer: an inline PDF gets a
    policy that allows nothing instead; downloads stay sandboxed."""
    _, owner = await make_account("owner4@example.com")
    _, staff = await make_account("staff4@example.com", roles="REVIEWER")
    document_id = await uploaded(client, owner, pdf_bytes(), "letter.pdf")
    inline = await client.get(f"/documents/{document_id}?inline=1", headers=bearer(staff))
    assert inline.headers["content-disposition"].startswith("inline;")
    assert inline.headers["content-type"] == "application/pdf"
    # Framed by our own review page only (issue 21, point 11).
    assert inline.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert inline.headers["x-content-type-options"] == "nosniff"
    download = await client.get(f"/documents/{document_id}", headers=bearer(staff))
    assert download.headers["content-security-policy"] == "sandbox"


# ------------------------------------------------------------------ use cases

async def test_owned_documents_and_mark_attached(settings, clean_db):
    from server.domain.errors import DomainError

    storage = storage_for(settings)
    mine, _ = await make_account("mine@example.com")
    theirs, _ = await make_account("theirs@example.com")
    a = await documents.store_upload(mine, "OTHER", "a.pdf", pdf_bytes(), storage=storage)
    b = await documents.store_upload(mine, "OTHER", "b.png", png_bytes(), storage=storage)
    c = await documents.store_upload(theirs, "OTHER", "c.pdf", pdf_bytes(), storage=storage)
    found = await documents.owned_documents(mine, [str(b.id), a.id, b.id])
    assert [d.id for d in found] == [b.id, a.id]
    for ids in ([a.id, c.id], ["nonsense"]):
        with pytest.raises(DomainError) as refused:
            await documents.owned_documents(mine, ids, field="certificateId")
        assert refused.value.problems[0].code.value == "NOT_FOUND"
        assert refused.value.problems[0].field == "certificateId"
    assert await documents.mark_attached([a.id, b.id]) == 2
    assert await documents.mark_attached([a.id]) == 0  # the first attachment time is kept
    assert (await Document.get(id=a.id)).attached_at is not None


async def test_delete_unattached_removes_only_old_unattached_unreferenced_documents(
        settings, clean_db):
    storage = FileSystemStorage(settings.data_dir / "documents")
    account, _ = await make_account("janitor@example.com")

    async def document(name: str, age_hours: float) -> Document:
        stored = await documents.store_upload(account, "OTHER", name, pdf_bytes(),
                                              storage=storage)
        created = clock.now() - dt.timedelta(hours=age_hours)
        await Document.filter(id=stored.id).update(created_at=created)
        return stored

    old = await document("old.pdf", 25)
    fresh = await document("fresh.pdf", 1)
    attached = await document("attached.pdf", 48)
    await documents.mark_attached([attached.id])
    in_application = await document("application.pdf", 48)
    application = await Application.create(kind="RENEWAL", status="DRAFT", applicant=account)
    await ApplicationDocument.create(application=application, document=in_application,
                                     kind="OTHER")
    on_licence = await document("licence.pdf", 48)
    practitioner = await Practitioner.create(
        identity_type="NATIONAL_ID", identity_number="1012345678", first_name_ar="سارة",
        family_name_ar="القحطاني", first_name_en="Sara", family_name_en="Alqahtani",
        date_of_birth=dt.date(1990, 1, 1), gender="F", nationality="SA", category="NURSING",
        specialty="NURSING", rank="NURSE", account=account)
    await License.create(practitioner=practitioner, specialty="Nursing",
                         expiry_date=dt.date(2030, 1, 1), country="AE", authority="DHA",
                         reference_number="X1", document=on_licence)

    assert await documents.delete_unattached(storage=storage) == 1
    remaining = set(await Document.all().values_list("id", flat=True))
    assert remaining == {fresh.id, attached.id, in_application.id, on_licence.id}
    assert not await storage.exists(old.storage_key)
    for kept in (fresh, attached, in_application, on_licence):
        assert await storage.exists(kept.storage_key)
    # A referenced document is recorded as attached, so the next sweep skips it.
    assert (await Document.get(id=on_licence.id)).attached_at is not None
    assert await documents.delete_unattached(storage=storage) == 0


async def test_the_outbox_worker_sweeps_unattached_documents(settings, clean_db):
    from server import worker
    from tests.conftest import wait_for

    account, _ = await make_account("sweep@example.com")
    old = await documents.store_upload(account, "OTHER", "old.pdf", pdf_bytes(),
                                       storage=storage_for(settings))
    await Document.filter(id=old.id).update(created_at=clock.now() - dt.timedelta(days=2))
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(worker.Deliverer(settings, ""), stop,
                                                  idle=0.01))

    async def gone() -> bool:
        return not await Document.exists(id=old.id)

    try:
        await wait_for(gone)
    finally:
        stop.set()
        await task
    assert not await storage_for(settings).exists(old.storage_key)


async def test_storage_never_keeps_a_partial_file(tmp_path):
    storage = FileSystemStorage(tmp_path / "documents")

    async def broken():
        yield b"some bytes"
        raise RuntimeError("the client went away")

    with pytest.raises(RuntimeError):
        await storage.save(broken())
    assert [p for p in (tmp_path / "documents").rglob("*") if p.is_file()] == []
    key = await storage.save(b"kept")
    assert b"".join([c async for c in await storage.open(key)]) == b"kept"
    assert stat.S_IMODE(os.stat(tmp_path / "documents").st_mode) == 0o700
    for bad in ("../../etc/passwd", "ab/../../x", "/etc/passwd"):
        with pytest.raises(ValueError):
            await storage.open(bad)
    await storage.delete(key)
    await storage.delete(key)  # already gone is fine
    assert not await storage.exists(key)


async def test_markup_split_across_two_chunks_is_still_found():
    inspector = documents._Inspector()
    first = pdf_bytes(400)[:-6] + b"<scr"
    chunks = [first, b"ipt>alert(1)</script>\n%%EOF\n"]

    async def source():
        for chunk in chunks:
            yield chunk

    with pytest.raises(DomainError) as refused:
        async for _ in inspector.through(source()):
            pass
    [problem] = refused.value.problems
    assert (problem.code.value, problem.message) == ("UNSUPPORTED_TYPE", documents.ACTIVE_CONTENT)
