"""Documents over HTTP: `POST /api/documents` (upload, JSON; optionally an htmx fragment) and
`GET /documents/{id}` (the file, to its owner and to staff).

The multipart body is parsed here with python_multipart rather than `request.form()`:
Starlette limits field parts but not file parts, and an upload must be refused as soon as
its file passes 5 MiB, without reading the rest.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from urllib.parse import quote

from markupsafe import Markup, escape
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from server.context import Context
from server.domain.errors import AccessDenied, DomainError, Problem
from server.i18n import N_, gettext
from server.integrations.storage import storage_for
from server.middleware import CSRF_FIELD, BodyTooLarge, tokens_match
from server.pages.plumbing import is_htmx, page_ctx
from server.resolvers.kernel.documents import (
    FILE_TOO_LARGE,
    MAX_FILE_BYTES,
    get_for_download,
    store_upload,
)

log = logging.getLogger("sijil.documents")

MAX_FIELDS = 5  # kind, csrf_token, render, field, and one to spare
MAX_FIELD_BYTES = 1024
MAX_HEADER_BYTES = 8 * 1024  # a part's headers; a long file name is a few hundred bytes
SPOOL_IN_MEMORY = 1024 * 1024  # larger files go to a temporary file while the form is read
STATUS = {"TOO_LARGE": 413, "UNSUPPORTED_TYPE": 415, "RATE_LIMITED": 429, "NOT_FOUND": 404}
FRAGMENT_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")

UNREADABLE = N_("The upload could not be read. Try again.")
NOT_MULTIPART = N_("Send the file as a multipart form.")
CHOOSE_FILE = N_("Choose a file to upload.")
CSRF_FAILED = N_("The security token is missing or wrong. Reload the page and try again.")
SIGN_IN = N_("Sign in to continue.")
ATTACHED = N_("Attached: %(name)s")


class _Unreadable(Exception):
    """The body is not a multipart form we accept (malformed, too many parts, …)."""


@dataclass
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: SpooledTemporaryFile | None = None
    filename: str = ""
    file_size: int = 0

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


async def read_upload(request: Request) -> UploadForm:
    """Reads the multipart body: a few small fields and one file part named `file`, spooled
    to at most MAX_FILE_BYTES + 1 bytes; one byte more and reading stops with TOO_LARGE."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise DomainError("INVALID", "file", NOT_MULTIPART)
    form = UploadForm()
    part: dict = {}
    pending: list[bytes] = []

    def on_part_begin() -> None:
        part.clear()
        part.update(headers={}, name=b"", value=bytearray(), is_file=False)

    def count_header(size: int) -> None:
        part["header_bytes"] = part.get("header_bytes", 0) + size
        if part["header_bytes"] > MAX_HEADER_BYTES:
            raise _Unreadable("part headers too long")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        count_header(end - start)
        part["header_name"] = part.get("header_name", b"") + data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        count_header(end - start)
        part["header_value"] = part.get("header_value", b"") + data[start:end]

    def on_header_end() -> None:
        part["headers"][part.pop("header_name", b"").lower()] = part.pop("header_value", b"")

    def on_headers_finished() -> None:
        _, options = parse_options_header(part["headers"].get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name != "file" or form.file is not None:
                raise _Unreadable("one file part, named file")
            part["is_file"] = True
            form.filename = options[b"filename"].decode("utf-8", "replace")
            form.file = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        elif len(form.fields) >= MAX_FIELDS or not name:
            raise _Unreadable("too many fields")
        part["name"] = name

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part["is_file"]:
            form.file_size += end - start
            if form.file_size > MAX_FILE_BYTES:
                raise DomainError("TOO_LARGE", "file", FILE_TOO_LARGE)
            pending.append(data[start:end])
        else:
            part["value"] += data[start:end]
            if len(part["value"]) > MAX_FIELD_BYTES:
                raise _Unreadable("field too long")

    def on_part_end() -> None:
        if not part["is_file"]:
            form.fields[part["name"]] = part["value"].decode("utf-8", "replace")

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if pending and form.file is not None:
                data = b"".join(pending)
                pending.clear()
                # In memory below the spool size; past it, disk writes leave the event loop.
                if form.file_size <= SPOOL_IN_MEMORY:
                    form.file.write(data)
                else:
                    await asyncio.to_thread(form.file.write, data)
        parser.finalize()
    except FormParserError as error:
        form.close()
        raise _Unreadable(str(error)) from error
    except BaseException:
        form.close()
        raise
    if form.file is not None:
        form.file.seek(0)
    return form


def _error(ctx: Context, status: int, code: str, msgid: str, field_name: str | None = None,
           headers: dict | None = None, **params) -> JSONResponse:
    body = {"code": code, "message": gettext(ctx.lang, msgid, **params)}
    if field_name:
        body["field"] = field_name
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _problem_response(ctx: Context, problem: Problem, fragment: bool) -> Response:
    status = STATUS.get(problem.code.value, 422)
    headers = {}
    if "retry_after" in problem.params:
        headers["retry-after"] = str(problem.params["retry_after"])
    if fragment:
        message = gettext(ctx.lang, problem.msgid, **problem.params)
        html = Markup('<p class="error-message" role="alert">{}</p>').format(message)
        return HTMLResponse(html, status_code=status, headers=headers)
    return _error(ctx, status, problem.code.value, problem.msgid, problem.field, headers,
                  **problem.params)


async def upload(request: Request) -> Response:
    ctx = await page_ctx(request)
    if ctx.account is None:  # refused before a byte of the body is read
        return _error(ctx, 401, "UNAUTHENTICATED", SIGN_IN)
    wants_fragment = False
    try:
        form = await read_upload(request)
    except DomainError as error:
        return _problem_response(ctx, error.problems[0], False)
    except BodyTooLarge:
        # The middleware's byte counter, past the file limit plus the form's overhead.
        return _error(ctx, 413, "TOO_LARGE", FILE_TOO_LARGE, "file")
    except _Unreadable:
        return _error(ctx, 422, "INVALID", UNREADABLE, "file")
    except ClientDisconnect:
        return Response(status_code=400)
    try:
        state = request.scope.get("state", {})
        if state.get("csrf_verified") is False and not tokens_match(
                form.fields.get(CSRF_FIELD), state.get("csrf_token")):
            return _error(ctx, 403, "CSRF_FAILED", CSRF_FAILED)
        wants_fragment = is_htmx(request) and form.fields.get("render") == "fragment"
        if form.file is None:
            raise DomainError("REQUIRED", "file", CHOOSE_FILE)
        document = await store_upload(ctx, form.fields.get("kind", ""), form.filename,
                                      form.file)
    except DomainError as error:
        return _problem_response(ctx, error.problems[0], wants_fragment)
    except AccessDenied:
        return _error(ctx, 401, "UNAUTHENTICATED", SIGN_IN)
    finally:
        form.close()
    if wants_fragment:
        return _attached_fragment(ctx, document, form.fields.get("field", ""))
    return JSONResponse({"id": str(document.id), "kind": document.kind,
                         "contentType": document.content_type, "size": document.size,
                         "sha256": document.sha256}, status_code=201)


def _attached_fragment(ctx: Context, document, field_name: str) -> HTMLResponse:
    """For a form that uploads with htmx: a line saying what is attached and the id the form
    submits with the rest."""
    name = field_name if FRAGMENT_FIELD.match(field_name) else "document"
    # The name is the user's: escaped, and isolated so an Arabic name keeps its order.
    line = escape(gettext(ctx.lang, ATTACHED)) % {
        "name": Markup("<bdi>{}</bdi>").format(document.original_name)}
    html = Markup('<p class="upload-attached">{}</p>'
                  '<input type="hidden" name="{}_id" value="{}">').format(
        line, name, str(document.id))
    return HTMLResponse(html, status_code=201)


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266/5987: an ASCII fallback for old clients and the exact name as UTF-8."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def download(request: Request) -> Response:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    try:
        document = await get_for_download(ctx, request.path_params["document_id"])
    except DomainError:
        raise HTTPException(404) from None
    try:
        chunks = await storage_for(ctx.settings).open(document.storage_key)
    except (FileNotFoundError, ValueError):
        log.error("document %s has no stored file", document.id)
        raise HTTPException(404) from None
    # Staff may view PDFs and images in the browser. Everything is sandboxed, except a PDF
    # viewed inline: a sandboxed document cannot run the browser's PDF viewer. Its bytes
    # were checked to be a PDF and nosniff holds it to that type, so it is never HTML, and
    # its policy still allows nothing of its own.
    inline = request.query_params.get("inline") == "1" and ctx.account.is_staff
    pdf_view = inline and document.content_type == "application/pdf"
    # It may be framed by our own pages only: the review page shows it beside the decision.
    policy = "default-src 'none'; frame-ancestors 'self'" if pdf_view else "sandbox"
    return StreamingResponse(chunks, media_type=document.content_type, headers={
        "content-length": str(document.size),
        "content-disposition": content_disposition("inline" if inline else "attachment",
                                                   document.original_name),
        "x-content-type-options": "nosniff",
        "content-security-policy": policy,
        "cache-control": "no-store",
        "vary": "Cookie",
    })


ROUTES = [
    Route("/api/documents", upload, methods=["POST"]),
    Route("/documents/{document_id}", download, methods=["GET"]),
]
