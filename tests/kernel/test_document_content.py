"""Uploads are an allow-list: an image is decoded and encoded again (Pillow), so nothing
rides along with its pixels; a PDF is parsed (pikepdf) and refused, with a clear message in
the caller's language, when it carries JavaScript, an action that launches programs,
additional actions, embedded files, data after its last %%EOF, or markup (also UTF-16)."""

import hashlib
import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from server.models.documents import Document
from tests.builders import MINIMAL_PDF
from tests.kernel.test_documents import make_account, stored_files, upload


def pdf_with(catalog: dict | None = None, page: dict | None = None, js: str | None = None,
             attachment: bytes | None = None) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    for key, value in (page or {}).items():
        pdf.pages[0].obj[key] = value
    for key, value in (catalog or {}).items():
        pdf.Root[key] = value
    if js:  # a document-level script in the /Names tree, run when the file opens
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([
            String("start"), action("/JavaScript", JS=js)])))
    if attachment is not None:
        pdf.attachments["tool.exe"] = pikepdf.AttachedFileSpec(pdf, attachment)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def action(kind: str, **entries: str) -> Dictionary:
    return Dictionary(S=Name(kind), **{key: String(value) for key, value in entries.items()})


HOSTILE_PDFS = {
    "open-action-js": pdf_with(catalog={"/OpenAction": action("/JavaScript", JS="app.alert(1)")}),
    "names-javascript": pdf_with(js="app.alert(1)"),
    "launch": pdf_with(catalog={"/OpenAction": action("/Launch", F="cmd.exe")}),
    "page-additional-actions": pdf_with(page={"/AA": Dictionary(
        O=action("/JavaScript", JS="app.alert(1)"))}),
    "embedded-file": pdf_with(attachment=b"MZ\x90\x00 an executable"),
    "html-after-eof": MINIMAL_PDF + b"<img src=x onerror=alert(1)>",
    "zip-after-eof": MINIMAL_PDF + b"PK\x03\x04" + b"\x00" * 40,
    "utf16-markup": MINIMAL_PDF[:-6] + b"%" + "<html><script>x</script>".encode("utf-16-le")
    + b"\n%%EOF\n",
    "utf16be-markup": MINIMAL_PDF[:-6] + b"%" + "<img src=x onerror=y>".encode("utf-16-be")
    + b"\n%%EOF\n",
    "broken": b"%PDF-1.7\n" + b"\x00garbage" * 40 + b"\n%%EOF\n",
}


@pytest.mark.parametrize("name", list(HOSTILE_PDFS))
async def test_a_pdf_with_active_content_is_refused_and_nothing_is_kept(client, settings,
                                                                       name):
    _, token = await make_account("pdf@example.com")
    before = stored_files(settings)
    response = await upload(client, token, HOSTILE_PDFS[name], f"{name}.pdf")
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "UNSUPPORTED_TYPE"
    assert "PDF" in response.json()["error"]["message"]
    assert await Document.all().count() == 0 and stored_files(settings) == before


async def test_the_refusal_is_in_the_callers_language(client):
    _, token = await make_account("pdf-ar@example.com")
    response = await upload(client, token, HOSTILE_PDFS["open-action-js"], "x.pdf", lang="ar")
    assert "برنامج" in response.json()["error"]["message"] or \
        "نص" in response.json()["error"]["message"], response.json()


@pytest.mark.parametrize("content", [
    MINIMAL_PDF,
    pdf_with(catalog={"/OpenAction": Dictionary()}),  # an empty action does nothing
    MINIMAL_PDF + b"\r\n \n",  # whitespace after %%EOF is usual
    MINIMAL_PDF + b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\ntrailer<</Root 1 0 R>>"
    b"\n%%EOF\n",  # an incremental update: a second %%EOF
], ids=["minimal", "empty-open-action", "whitespace", "incremental-update"])
async def test_a_plain_pdf_is_kept_as_it_is(client, settings, content):
    _, token = await make_account("plain@example.com")
    response = await upload(client, token, content, "plain.pdf")
    assert response.status_code == 201, response.text
    document = await Document.get(id=response.json()["id"])
    assert (settings.data_dir / "documents" / document.storage_key).read_bytes() == content


def jpeg_with_extras() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show
    exif[0x8825] = {2: (24.0, 42.0, 0.0)}  # a GPS position
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue() + b"PK\x03\x04 a zip riding along"


def png_with_extras() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 12 Olaya St")
    out = io.BytesIO()
    Image.new("RGBA", (30, 10), (0, 128, 0, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue() + b"trailing bytes"


@pytest.mark.parametrize(("content", "content_type", "shown_size", "dropped"), [
    (jpeg_with_extras(), "image/jpeg", (20, 40), [b"secret comment", b"PK\x03\x04", b"Exif"]),
    (png_with_extras(), "image/png", (30, 10), [b"Olaya", b"tEXt", b"trailing bytes"]),
], ids=["jpeg", "png"])
async def test_images_are_encoded_again_with_nothing_riding_along(
        client, settings, content, content_type, shown_size, dropped):
    _, token = await make_account("image@example.com")
    response = await upload(client, token, content, "photo", "PHOTO")
    assert response.status_code == 201, response.text
    body = response.json()
    document = await Document.get(id=body["id"])
    stored = (settings.data_dir / "documents" / document.storage_key).read_bytes()
    assert body["contentType"] == content_type
    assert body["size"] == len(stored) and body["sha256"] == hashlib.sha256(stored).hexdigest()
    for extra in dropped:
        assert extra not in stored, extra
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == shown_size  # turned upright as the EXIF orientation said
        assert image.getexif().get(0x0112) in (None, 1)


async def test_an_image_that_does_not_decode_is_refused(client, settings):
    _, token = await make_account("bad-image@example.com")
    truncated = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
    response = await upload(client, token, truncated, "bad.png", "PHOTO")
    assert response.status_code == 415, response.text
    assert await Document.all().count() == 0
