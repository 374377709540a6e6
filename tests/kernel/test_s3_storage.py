"""Documents in an S3-compatible store (STORAGE_URL=s3://…), against moto's S3 server on
127.0.0.1: uploads streamed in and counted on the way, downloads streamed out, deletes, a
missing object and a missing bucket; and `sijil copy-documents-to`, run twice."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.integrations.storage import FileSystemStorage, StorageUnavailable, storage_for
from server.models.documents import Document
from server.resolvers.kernel import documents
from tests.conftest import NoCookies, with_s3
from tests.kernel.test_documents import MIB, make_account, pdf_bytes, png_bytes, upload


def objects(s3_server, bucket: str) -> set[str]:
    """The keys in the bucket, read over plain HTTP: what the store really holds."""
    import re

    listing = httpx.get(f"{s3_server.endpoint}/{bucket}?list-type=2").text
    return set(re.findall(r"<Key>([^<]+)</Key>", listing))


@pytest_asyncio.fixture
async def s3(settings, s3_server, clean_db):
    bucket = s3_server.bucket()
    s3_settings = with_s3(settings, s3_server, f"s3://{bucket}/documents")
    app = create_app(s3_settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        yield c, s3_settings, bucket


async def test_upload_download_and_delete_through_the_object_store(s3, s3_server):
    client, s3_settings, bucket = s3
    _, token = await make_account("sara@example.com")
    content = pdf_bytes(3 * MIB)  # several chunks each way
    response = await upload(client, token, content, "licence.pdf", "LICENSE")
    assert response.status_code == 201, response.text
    document = await Document.get(id=response.json()["id"])
    assert objects(s3_server, bucket) == {f"documents/{document.storage_key}"}
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()

    download = await client.get(f"/documents/{document.id}",
                                headers={"authorization": f"Bearer {token}"})
    assert download.status_code == 200 and download.content == content

    store = storage_for(s3_settings)
    assert await store.exists(document.storage_key)
    await store.delete(document.storage_key)
    await store.delete(document.storage_key)  # already gone: not an error
    assert not await store.exists(document.storage_key)
    assert objects(s3_server, bucket) == set()
    with pytest.raises(FileNotFoundError):
        await store.open(document.storage_key)
    # The download route says 404 for a row whose object is gone, not 500.
    gone = await client.get(f"/documents/{document.id}",
                            headers={"authorization": f"Bearer {token}"})
    assert gone.status_code == 404


async def test_a_refused_upload_leaves_no_object(s3, s3_server):
    client, _, bucket = s3
    _, token = await make_account("sara@example.com")
    too_large = await upload(client, token, pdf_bytes(5 * MIB + 1))
    assert too_large.status_code == 413, too_large.text
    html_inside = await upload(client, token, png_bytes() + b"<script>alert(1)</script>")
    assert html_inside.status_code == 415, html_inside.text
    assert objects(s3_server, bucket) == set()
    assert await Document.all().count() == 0


async def test_a_missing_bucket_is_named(settings, s3_server):
    store = storage_for(with_s3(settings, s3_server, "s3://no-such-bucket/documents"))
    with pytest.raises(StorageUnavailable, match="'no-such-bucket' does not exist"):
        await store.check()
    with pytest.raises(FileNotFoundError):
        await store.save(b"%PDF-1.4")
    await storage_for(with_s3(settings, s3_server, f"s3://{s3_server.bucket()}/x")).check()


async def test_copy_documents_to_a_bucket_is_idempotent(settings, s3_server, clean_db,
                                                        tmp_path):
    disk = FileSystemStorage(settings.data_dir / "documents")
    account, _ = await make_account("sara@example.com")
    kept = [await documents.store_upload(account, "OTHER", f"{i}.pdf", pdf_bytes(1000 + i),
                                         storage=disk) for i in range(3)]
    lost = await documents.store_upload(account, "OTHER", "lost.pdf", pdf_bytes(), storage=disk)
    await disk.delete(lost.storage_key)  # a row whose file is gone is reported, not copied
    bad = await documents.store_upload(account, "OTHER", "bad.pdf", pdf_bytes(), storage=disk)
    # A file changed on disk since its upload: its sha256 no longer matches the row's.
    (settings.data_dir / "documents" / bad.storage_key).write_bytes(pdf_bytes(2000))
    bucket = s3_server.bucket()
    env = {**os.environ, **s3_server.env, "SIJIL_ENV": "test",
           "DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir),
           "SECRET_KEY": settings.secret_key, "PAYMENT_WEBHOOK_SECRET": "x"}
    env.pop("STORAGE_URL", None)
    sijil = str(Path(sys.executable).with_name("sijil"))

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sijil, "copy-documents-to", f"s3://{bucket}/docs"], env=env,
                              capture_output=True, text=True, timeout=60)

    first = run()
    assert first.returncode == 1, first.stderr
    assert "3 copied, 0 already there, 1 missing at the source, 1 not matching their " \
        "sha256 (not kept)." in first.stdout
    assert f"missing at the source: document {lost.id}" in first.stdout
    assert f"not matching its sha256: document {bad.id}" in first.stdout
    assert objects(s3_server, bucket) == {f"docs/{d.storage_key}" for d in kept}
    second = run()
    assert "0 copied, 3 already there, 1 missing at the source, 1 not matching" \
        in second.stdout
    assert objects(s3_server, bucket) == {f"docs/{d.storage_key}" for d in kept}
    target = storage_for(with_s3(settings, s3_server, f"s3://{bucket}/docs"))
    for document in kept:
        copied = b"".join([c async for c in await target.open(document.storage_key)])
        assert hashlib.sha256(copied).hexdigest() == document.sha256
