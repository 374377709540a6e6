"""Where uploaded documents' bytes live: a small interface, and a filesystem implementation
under `DATA_DIR/documents` (outside the web root, never served by the static route).

Keys are random (`secrets.token_urlsafe`), never derived from what the user sent, so a file
name can never become a path. The S3-compatible implementation (server/integrations/s3.py,
`STORAGE_URL=s3://…`) provides the same methods: `save` is a multipart PutObject of the
stream, `open` a streamed GetObject, `delete` DeleteObject, `exists` HeadObject.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from functools import cache
from pathlib import Path
from typing import BinaryIO, Protocol

from server.config import Settings

CHUNK = 64 * 1024
# Two characters of shard, a slash, then the rest of a 256-bit token: anything else is not a
# key this module made, and is refused before it can reach the filesystem.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2}/[A-Za-z0-9_-]{20,100}$")


class StorageUnavailable(Exception):
    """The store cannot be reached, written, or has no such bucket; the message says which."""


def new_key() -> str:
    token = secrets.token_urlsafe(32)
    return f"{token[:2]}/{token}"


class Storage(Protocol):
    async def save(self, data: bytes | AsyncIterable[bytes], key: str | None = None) -> str:
        """Stores the bytes and returns their key: a new one, or `key` when given (copying
        documents between stores keeps their keys). If `data` raises while being read,
        nothing is kept and the error propagates."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes in chunks; FileNotFoundError when there is no such key."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the bytes; a key that is already gone is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def check(self) -> None:
        """Raises StorageUnavailable, naming the store, unless it answers and can be written."""
        ...


class FileSystemStorage:
    """Files named by their key under `root`, sharded by the key's first two characters so
    no directory grows to millions of entries. Directories are 0700 and files 0600: only
    the app's own user can read what practitioners uploaded."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_PATTERN.match(key):
            raise ValueError("not a storage key")
        return self.root / key

    async def save(self, data: bytes | AsyncIterable[bytes], key: str | None = None) -> str:
        key = key or new_key()
        final = self._path(key)
        # Written under a temporary name and renamed once complete: a reader or a crash never
        # sees half a file under a real key, and `.part` leftovers are recognisable.
        partial = final.with_name(final.name + ".part")
        fd = await asyncio.to_thread(_create_exclusive, self.root, partial)
        try:
            if isinstance(data, bytes | bytearray | memoryview):
                await asyncio.to_thread(_write_all, fd, bytes(data))
            else:
                async for chunk in data:
                    if chunk:
                        await asyncio.to_thread(_write_all, fd, chunk)
            await asyncio.to_thread(os.fsync, fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
        os.close(fd)
        await asyncio.to_thread(os.replace, partial, final)
        return key

    async def open(self, key: str) -> AsyncIterator[bytes]:
        # Opened now, not on first iteration, so a missing file is an error before any
        # response has started.
        file = await asyncio.to_thread(open, self._path(key), "rb")
        return _chunks(file)

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(os.unlink, self._path(key))

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def check(self) -> None:
        def writable() -> None:
            try:
                _probe_writable(self.root)
            except OSError as error:
                raise StorageUnavailable(f"{self.root}: {error.strerror or error}") from error

        await asyncio.to_thread(writable)


def _create_exclusive(root: Path, path: Path) -> int:
    # `mode` applies to the directory being made, not to its parents: make both on purpose.
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)  # the process umask must not widen it (nor narrow it oddly)
    return fd


def _probe_writable(root: Path) -> None:
    """Creates and removes a file under `root`: the directory exists (or can be made) and
    takes writes, which is what an upload needs."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


async def _chunks(file: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk
    finally:
        file.close()


@cache
def _filesystem(root: Path) -> FileSystemStorage:
    return FileSystemStorage(root)


@cache
def _s3(url: str, endpoint: str, region: str, access_key_id: str, secret_access_key: str):
    from server.integrations.s3 import S3Storage

    # One client per store and process: it keeps its connection pool between requests.
    return S3Storage(url, endpoint=endpoint, region=region, access_key_id=access_key_id,
                     secret_access_key=secret_access_key)


def storage_at(url: str, settings: Settings) -> Storage:
    """The store a STORAGE_URL names: `file://PATH` or `s3://BUCKET/PREFIX` (with the
    settings' endpoint and credentials); "" is DATA_DIR/documents."""
    if url.startswith("s3://"):
        return _s3(url, settings.s3_endpoint_url, settings.aws_region,
                   settings.aws_access_key_id, settings.aws_secret_access_key)
    if url.startswith("file://"):
        return _filesystem(Path(url.removeprefix("file://")))
    if url:
        raise ValueError(f"{url!r} is not a file:// or s3:// URL")
    return _filesystem(Path(settings.data_dir) / "documents")


def storage_for(settings: Settings) -> Storage:
    """The storage the settings ask for (STORAGE_URL)."""
    return storage_at(settings.storage_url, settings)
