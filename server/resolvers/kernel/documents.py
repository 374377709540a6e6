"""Uploaded documents: storing an upload (type by magic bytes, size counted while reading,
a quota per user), handing a file to whoever may see it, and the janitor that removes
uploads nobody attached.

Other use cases attach documents to entries and applications with `owned_documents` (the
caller's own uploads, by id) and `mark_attached`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import BinaryIO

import filetype
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from server import clock
from server.config import load_settings
from server.domain.codes import is_code
from server.domain.errors import AccessDenied, DomainError
from server.i18n import N_
from server.integrations.storage import CHUNK, Storage, storage_for
from server.models.accounts import Account
from server.models.applications import ApplicationDocument
from server.models.documents import Document
from server.models.practitioners import CpdActivity, Experience, License, Qualification
from server.resolvers.kernel import audit, limits
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

log = logging.getLogger("sijil.documents")

MIB = 1024 * 1024
MAX_FILE_BYTES = 5 * MIB
QUOTA_BYTES = 50 * MIB
UPLOADS_PER_HOUR = 60
UNATTACHED_LIFETIME = dt.timedelta(hours=24)
MAX_NAME_CHARS = 200
# Enough for filetype's matchers; our three signatures need only the first 8 bytes.
HEAD_BYTES = 262

# The signature each accepted type must start with, at offset 0. filetype alone is not
# enough: its PDF matcher skips a UTF-8 BOM, so "\ufeff%PDF-" would pass.
SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
GUESSED_AS = {"image/apng": "image/png"}  # an animated PNG is still a PNG

FILE_TOO_LARGE = N_("The file is larger than 5 MB. Upload a smaller file.")
QUOTA_REACHED = N_("You have reached the 50 MB you may store in documents.")
WRONG_TYPE = N_("Upload a PDF, JPEG or PNG file.")
EMPTY_FILE = N_("The file is empty.")
UNKNOWN_KIND = N_("Choose what kind of document this is.")
DOCUMENT_NOT_FOUND = N_("This document was not found.")
BAD_NAME = N_("The file name has characters that are not allowed (slashes, control characters "
              "or text-direction marks). Rename the file and upload it again.")
ACTIVE_CONTENT = N_("The file holds web-page code (HTML or a script), which a document may not "
                    "contain. Save it again as a plain PDF, JPEG or PNG and upload it.")

# Bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069): a name like
# "cv\u202efdp.exe" would otherwise display as "cvexe.pdf".
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_SEPARATORS = re.compile(r"[/\\]")
# Markup a browser would run if it ever took the file for a page: a "PDF/HTML polyglot"
# starts with %PDF- and carries a page inside. Compressed streams and image data hit one of
# these by chance with a probability far below one in a million per file.
_ACTIVE_MARKUP = (b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<object",
                  b"<embed", b"<meta", b"<form", b"<!doctype html", b"javascript:")
_MARKUP_OVERLAP = max(len(m) for m in _ACTIVE_MARKUP) - 1

Source = bytes | BinaryIO | AsyncIterable[bytes]


def check_filename(name: str | None) -> None:
    """Refuses a name that could hide or disguise what it says, or pose as a path: storage
    keys are random, but reviewers see the name ("cv\u202efdp.exe" shows as "cvexe.pdf").
    Browsers send only a file's own name, so a slash, a control character or a direction
    override comes from a crafted request; it is refused, not silently rewritten."""
    for c in name or "":
        if _SEPARATORS.match(c) or ord(c) in _BIDI_CONTROLS \
                or unicodedata.category(c) in _REFUSED_CATEGORIES:
            raise DomainError("INVALID", "file", BAD_NAME)


def sanitise_filename(name: str | None) -> str:
    """The name to show, from one that passed `check_filename`: NFC, spaces collapsed, no
    leading dots, at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = " ".join(name.split()).lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip() + "." + suffix
        else:
            name = name[:MAX_NAME_CHARS]
    return name or "document"


def sniff(head: bytes) -> str:
    """The content type by magic bytes, or UNSUPPORTED_TYPE. What the client claimed (its
    Content-Type, the extension) is never asked."""
    guessed = filetype.guess(head)
    mime = GUESSED_AS.get(guessed.mime, guessed.mime) if guessed else None
    if mime not in SIGNATURES or not head.startswith(SIGNATURES[mime]):
        raise DomainError("UNSUPPORTED_TYPE", "file", WRONG_TYPE)
    return mime


class _Inspector:
    """Counts, hashes and checks the type of an upload while it passes on to storage, so the
    file is read once and refused as soon as it is known to be wrong."""

    def __init__(self) -> None:
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.content_type = ""
        self._tail = b""  # the end of the last chunk, for markup split across two chunks

    def _refuse_markup(self, chunk: bytes) -> None:
        window = (self._tail + chunk).lower()
        if any(marker in window for marker in _ACTIVE_MARKUP):
            raise DomainError("UNSUPPORTED_TYPE", "file", ACTIVE_CONTENT)
        self._tail = window[-_MARKUP_OVERLAP:]

    async def through(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        head = b""
        async for chunk in chunks:
            self.size += len(chunk)
            if self.size > MAX_FILE_BYTES:
                raise DomainError("TOO_LARGE", "file", FILE_TOO_LARGE)
            self.sha256.update(chunk)
            if not self.content_type:
                # Nothing reaches storage before the type is known.
                head += chunk
                if len(head) < HEAD_BYTES:
                    continue
                self.content_type, chunk, head = sniff(head), head, b""
            self._refuse_markup(chunk)
            yield chunk
        if not self.content_type:
            if not head:
                raise DomainError("INVALID", "file", EMPTY_FILE)
            self.content_type = sniff(head)
            self._refuse_markup(head)
            yield head


async def _chunks_of(source: Source) -> AsyncIterator[bytes]:
    """Any source as chunks, never reading more than MAX_FILE_BYTES + 1 bytes from a file:
    one byte past the limit is enough to know it is too large."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, min(len(data), MAX_FILE_BYTES + 1), CHUNK):
            yield data[start:min(start + CHUNK, MAX_FILE_BYTES + 1)]
    elif hasattr(source, "read"):
        read = 0
        while read <= MAX_FILE_BYTES:
            chunk = await asyncio.to_thread(source.read, min(CHUNK, MAX_FILE_BYTES + 1 - read))
            if not chunk:
                break
            read += len(chunk)
            yield chunk
    else:
        async for chunk in source:
            yield chunk


def _account_of(ctx_or_account: Caller | Account | None) -> Account | None:
    if isinstance(ctx_or_account, Account | None):
        return ctx_or_account
    return ctx_or_account.account


def _storage(ctx_or_account: Caller | Account | None, storage: Storage | None) -> Storage:
    if storage is not None:
        return storage
    if not isinstance(ctx_or_account, Account | None):
        return storage_for(ctx_or_account.settings)
    # Without a request (CLI, worker): the environment's settings, as those commands read.
    return storage_for(load_settings())


async def used_bytes(account_id: uuid.UUID) -> int:
    row = await Document.filter(owner_id=account_id).annotate(total=Sum("size")) \
        .first().values("total")
    return int((row or {}).get("total") or 0)


async def store_upload(ctx_or_account: Caller | Account, kind: str, filename: str | None,
                       stream: Source, *, storage: Storage | None = None) -> Document:
    """Stores one upload of the caller and returns its Document (not yet attached).
    Raises DomainError: INVALID/REQUIRED (kind, empty file, a name with separators, control
    characters or direction overrides), UNSUPPORTED_TYPE (by the bytes, or markup inside),
    TOO_LARGE (over 5 MiB, or over the 50 MiB quota), RATE_LIMITED."""
    account = _account_of(ctx_or_account)
    if account is None:
        raise AccessDenied()
    if not kind:
        raise DomainError("REQUIRED", "kind")
    if not is_code("document_kind", kind):
        raise DomainError("INVALID", "kind", UNKNOWN_KIND)
    check_filename(filename)
    await limits.limit(f"documents.upload:{account.id}", UPLOADS_PER_HOUR,
                          dt.timedelta(hours=1), field="file")
    if await used_bytes(account.id) >= QUOTA_BYTES:
        raise DomainError("TOO_LARGE", "file", QUOTA_REACHED)
    store = _storage(ctx_or_account, storage)
    inspector = _Inspector()
    # The storage removes its partial file when the inspector raises mid-stream.
    key = await store.save(inspector.through(_chunks_of(stream)))
    name = sanitise_filename(filename)
    ip = ctx_or_account.ip if not isinstance(ctx_or_account, Account | None) else ""
    try:
        async with in_transaction():
            document = await Document.create(
                owner_id=account.id, kind=kind, content_type=inspector.content_type,
                size=inspector.size, sha256=inspector.sha256.hexdigest(), storage_key=key,
                original_name=name)
            # Counted after the insert, so two uploads racing each other cannot both slip
            # under the quota.
            if await used_bytes(account.id) > QUOTA_BYTES:
                raise DomainError("TOO_LARGE", "file", QUOTA_REACHED)
            await audit.record("document.uploaded", actor=account, target_type="document",
                               target_id=document.id, ip=ip, kind=kind, name=name,
                               content_type=document.content_type, size=document.size)
    except BaseException:
        await store.delete(key)
        raise
    return document


async def get_for_download(ctx: Caller, document_id: object) -> Document:
    """The document, for its owner or for staff (REVIEWER, ADMIN). Anyone else gets the same
    NOT_FOUND as for a document that does not exist."""
    account = ctx.account
    if account is None:
        raise AccessDenied()
    wanted = as_uuid(document_id)
    document = await Document.get_or_none(id=wanted) if wanted else None
    if document is None or (document.owner_id != account.id and not account.is_staff):
        if document is not None:
            await audit.record("document.access_denied", actor=account, target_type="document",
                               target_id=document.id, ip=ctx.ip)
        raise DomainError("NOT_FOUND", "document", DOCUMENT_NOT_FOUND)
    await audit.record("document.downloaded", actor=account, target_type="document",
                       target_id=document.id, ip=ctx.ip, name=document.original_name,
                       as_staff=document.owner_id != account.id)
    return document


async def owned_documents(account: Account, ids: Iterable[object],
                          field: str | None = None) -> list[Document]:
    """The caller's own documents with these ids, in the order given (repeats once).
    Raises NOT_FOUND on `field` if any id is unknown or another account's."""
    wanted: list[uuid.UUID] = []
    for value in ids:
        parsed = as_uuid(value)
        if parsed is None:
            raise DomainError("NOT_FOUND", field, DOCUMENT_NOT_FOUND)
        if parsed not in wanted:
            wanted.append(parsed)
    if not wanted:
        return []
    found = {d.id: d for d in await Document.filter(owner_id=account.id, id__in=wanted)}
    if len(found) != len(wanted):
        raise DomainError("NOT_FOUND", field, DOCUMENT_NOT_FOUND)
    return [found[i] for i in wanted]


async def mark_attached(ids: Iterable[object]) -> int:
    """Marks documents as attached (the first time only), so the janitor keeps them.
    Call it in the same transaction that creates the reference."""
    wanted = [u for u in (as_uuid(v) for v in ids) if u is not None]
    if not wanted:
        return 0
    return await Document.filter(id__in=wanted, attached_at__isnull=True) \
        .update(attached_at=clock.now())


# Every foreign key that makes a document worth keeping, as (model, column).
_REFERENCES = (
    (Experience, "certificate_id"),
    (License, "document_id"),
    (Qualification, "certificate_id"),
    (CpdActivity, "certificate_id"),
    (ApplicationDocument, "document_id"),
)


async def delete_unattached(older_than: dt.timedelta = UNATTACHED_LIFETIME, *,
                            storage: Storage | None = None, batch: int = 500) -> int:
    """Deletes documents never attached and older than `older_than` (and not referenced
    anywhere, in case an attach forgot `mark_attached`), then their files. Returns how
    many rows were deleted."""
    store = _storage(None, storage)
    cutoff = clock.now() - older_than
    deleted = 0
    while True:
        candidates = await Document.filter(attached_at__isnull=True, created_at__lt=cutoff) \
            .order_by("created_at").limit(batch).values_list("id", "storage_key")
        if not candidates:
            return deleted
        keys = dict(candidates)
        referenced: set[uuid.UUID] = set()
        for model, column in _REFERENCES:
            referenced.update(as_uuid(v) for v in await model.filter(
                **{f"{column}__in": list(keys)}).values_list(column, flat=True))
        if referenced:
            # Attached by a use case that forgot mark_attached: record it, so these rows
            # are not looked at again.
            await mark_attached(referenced)
        doomed = [i for i in keys if i not in referenced]
        before = deleted
        if doomed:
            # attached_at is checked again: an attach that lands meanwhile wins.
            await Document.filter(id__in=doomed, attached_at__isnull=True).delete()
            still_there = set(await Document.filter(id__in=doomed).values_list("id", flat=True))
            for document_id in doomed:
                if document_id not in still_there:
                    # Rows first, files after: a failure leaves an orphan file, never a row
                    # whose file is gone.
                    try:
                        await store.delete(keys[document_id])
                    except OSError:
                        log.exception("could not remove the file of document %s", document_id)
                    deleted += 1
        if len(candidates) < batch or (deleted == before and not referenced):
            return deleted  # the last batch, or one where nothing could change: stop
