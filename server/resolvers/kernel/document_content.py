"""What an upload may hold, as an allow-list: the bytes' type alone (documents.py) is not
enough, since a file can be a valid PDF or image and something else besides.

- Images (JPEG, PNG) are decoded and encoded again with Pillow: only the pixels survive,
  turned upright as their EXIF orientation said; metadata (EXIF with GPS, comments, text
  chunks, ICC profiles) and whatever follows the image are dropped.
- PDFs are kept byte for byte (a signed certificate must stay as issued), so they are
  parsed with pikepdf (qpdf, which also reads the damaged files viewers repair) and
  refused when they could do anything but show pages: JavaScript, actions that launch
  programs or import data, additional actions (/AA), embedded files, XFA forms or rich
  media, or any data after the last %%EOF.

Runs in a worker thread (decoding is CPU work); the input is at most 5 MiB."""

from __future__ import annotations

import io
import logging

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from server.domain.errors import DomainError
from server.i18n import N_

log = logging.getLogger("sijil.documents")

MAX_PIXELS = 40_000_000  # a 40-megapixel scan is generous; more is a decompression bomb
MAX_PDF_OBJECTS = 200_000  # a real certificate has a few hundred
JPEG_QUALITY = 90

# Keys and action types whose presence means the PDF can do more than show pages.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile",
                         "/EF", "/RichMedia", "/XFA", "/Launch"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute",
                            "/SubmitForm"})

PDF_ACTIVE = N_("The PDF holds a script, an action that opens other programs or files "
                "inside it, which documents may not contain. Print it to a new PDF (or save "
                "it as a plain PDF) and upload that.")
PDF_TRAILING = N_("The PDF has data after its end, which documents may not contain. Save it "
                  "again as a plain PDF and upload it.")
PDF_UNREADABLE = N_("The PDF cannot be read. Save it again as a plain PDF and upload it.")
IMAGE_UNREADABLE = N_("The image cannot be read. Save it again as a JPEG or PNG and upload "
                      "it.")
IMAGE_TOO_LARGE = N_("The image has more than 40 megapixels. Make it smaller and upload it "
                     "again.")


def cleaned(content_type: str, data: bytes) -> bytes:
    """The bytes to store for an upload whose type is already known by its signature."""
    if content_type == "application/pdf":
        check_pdf(data)
        return data
    return reencode_image(data, "JPEG" if content_type == "image/jpeg" else "PNG")


def reencode_image(data: bytes, image_format: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise DomainError("UNSUPPORTED_TYPE", "file", IMAGE_TOO_LARGE)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as error:
        raise DomainError("UNSUPPORTED_TYPE", "file", IMAGE_UNREADABLE) from error
    upright = upright.copy()  # its own pixels and nothing else: no comment, EXIF or profile
    transparency = upright.info.get("transparency")
    upright.info = {}
    out = io.BytesIO()
    if image_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            upright = upright.convert("RGBA")
        # Only what PNG needs to show the pixels: no text, time or profile chunks.
        upright.save(out, "PNG", **({} if transparency is None else
                                    {"transparency": transparency}))
    return out.getvalue()


def check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise DomainError("UNSUPPORTED_TYPE", "file", PDF_UNREADABLE)
    if data[end + 5:].strip(b" \t\r\n\f\x00"):
        raise DomainError("UNSUPPORTED_TYPE", "file", PDF_TRAILING)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            active = _find_active(pdf)
    except DomainError:
        raise
    except (pikepdf.PdfError, ValueError, RecursionError, OSError) as error:
        log.info("an uploaded PDF could not be parsed: %r", error)
        raise DomainError("UNSUPPORTED_TYPE", "file", PDF_UNREADABLE) from error
    if active:
        log.info("an uploaded PDF was refused for %s", active)
        raise DomainError("UNSUPPORTED_TYPE", "file", PDF_ACTIVE)


def _find_active(pdf: pikepdf.Pdf) -> str | None:
    """The first active key or action in any object of the file (reachable or not: a
    viewer's repair may find what the cross-reference table leaves out), or None. Stream
    data is not decompressed; each object's dictionary is read with the dictionaries and
    arrays written inside it (indirect ones are objects of their own, read in turn)."""
    if len(pdf.objects) > MAX_PDF_OBJECTS:
        raise DomainError("UNSUPPORTED_TYPE", "file", PDF_UNREADABLE)
    for top in [pdf.trailer, *pdf.objects]:
        pending = [top.stream_dict if isinstance(top, pikepdf.Stream) else top]
        while pending:
            node = pending.pop()
            if isinstance(node, pikepdf.Dictionary):
                action = node.get("/S")
                if isinstance(action, pikepdf.Name) and str(action) in ACTIVE_ACTIONS:
                    return str(action)
                for key in node.keys():
                    if key in ACTIVE_KEYS:
                        return key
                    pending.append(node.get(key))
            elif isinstance(node, pikepdf.Array):
                pending.extend(node)
            # Indirect children are visited as objects of their own.
            pending = [n for n in pending if not getattr(n, "is_indirect", False)]
    return None
