"""`sijil copy-documents-to STORAGE_URL`: every document's bytes from the current store
(the disk, usually) to another (a bucket), under the same keys, so the database needs no
change: copy, switch STORAGE_URL, copy again for what was uploaded in between.

Idempotent: a key the target already holds is skipped. An object store creates an object
only once its upload completes, and the disk store renames a file into place only when it is
whole, so a key that exists holds the whole file. Each copy is checked against the sha256
recorded at upload; one that differs is removed from the target and reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from server.integrations.storage import Storage
from server.models.documents import Document

BATCH = 500


@dataclass
class CopySummary:
    copied: int = 0
    already_there: int = 0
    missing: list[str] = field(default_factory=list)  # document ids with no source file
    corrupt: list[str] = field(default_factory=list)  # copied bytes that did not match


async def copy_documents(source: Storage, target: Storage) -> CopySummary:
    summary = CopySummary()
    last = None
    while True:
        # Keyset pages by id: a table of millions is never loaded at once.
        page = Document.all().order_by("id").limit(BATCH)
        if last is not None:
            page = page.filter(id__gt=last)
        rows = await page.values_list("id", "storage_key", "sha256")
        if not rows:
            return summary
        for document_id, key, sha256 in rows:
            await _copy_one(source, target, str(document_id), key, sha256, summary)
        last = rows[-1][0]


async def _copy_one(source: Storage, target: Storage, document_id: str, key: str,
                    sha256: str, summary: CopySummary) -> None:
    if await target.exists(key):
        summary.already_there += 1
        return
    try:
        chunks = await source.open(key)
    except (FileNotFoundError, ValueError):
        summary.missing.append(document_id)
        return
    digest = hashlib.sha256()

    async def hashed() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            digest.update(chunk)
            yield chunk

    await target.save(hashed(), key=key)
    if digest.hexdigest() != sha256:
        await target.delete(key)
        summary.corrupt.append(document_id)
        return
    summary.copied += 1
