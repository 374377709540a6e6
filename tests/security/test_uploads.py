"""Uploads: what tests/test_documents.py does not already prove (types by magic bytes, 5 MiB
streamed, 50 MiB quota, names sanitised, attachment/nosniff/sandbox and who may download are
there): the client's Content-Type is ignored, SVG and HTML-as-image are refused, and the
bytes are kept outside the web root under random names only the app's user can read."""

from __future__ import annotations

import os
import stat

from server.config import ROOT
from server.models.documents import Document
from tests.builders import MINIMAL_PDF

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


async def post(client, token, content, name, content_type):
    return await client.post("/api/documents", headers={"authorization": f"Bearer {token}"},
                             files={"file": (name, content, content_type)},
                             data={"kind": "OTHER"})


async def test_the_type_is_the_bytes_not_what_the_client_declares(client, world):
    response = await post(client, world.a.token, MINIMAL_PDF, "page.html", "text/html")
    assert response.status_code == 201
    assert response.json()["contentType"] == "application/pdf"
    download = await client.get(f"/documents/{response.json()['id']}",
                                headers={"authorization": f"Bearer {world.a.token}"})
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-security-policy"] == "sandbox"


async def test_svg_is_refused_whatever_it_claims_to_be(client, world):
    for name, content_type in (("x.svg", "image/svg+xml"), ("x.png", "image/png"),
                               ("x.pdf", "application/pdf")):
        response = await post(client, world.a.token, SVG, name, content_type)
        assert response.status_code == 415, (name, response.text)


async def test_files_are_kept_outside_the_web_root_under_random_names(client, world, settings):
    response = await post(client, world.a.token, MINIMAL_PDF, "سيرة ذاتية.pdf",
                          "application/pdf")
    document = await Document.get(id=response.json()["id"])
    path = (settings.data_dir / "documents" / document.storage_key).resolve()
    assert path.is_file()
    assert not path.is_relative_to((ROOT / "web").resolve())
    assert "سيرة" not in document.storage_key and document.sha256 not in document.storage_key
    assert len(document.storage_key.split("/")[1]) >= 40  # ~256 bits, base64url
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    # Nothing under /static reaches it.
    leaked = await client.get(f"/static/../../{path.relative_to(settings.data_dir)}")
    assert leaked.status_code == 404
