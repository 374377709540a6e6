"""Documents in any S3-compatible object store (`STORAGE_URL=s3://BUCKET/PREFIX`), through
obstore (Rust's object_store: async, streams both ways, retries with back-off).

The same interface as the filesystem storage: an upload is streamed into a multipart
PutObject as the inspector counts and checks it (nothing is kept if it refuses mid-stream),
and a download is a streamed GetObject that the response sends on chunk by chunk. Keys are
the same random keys, under PREFIX, so a bucket filled by `sijil copy-documents-to` from
the disk needs no change in the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from urllib.parse import urlsplit

import obstore
from obstore.store import S3Store

from server.integrations.storage import CHUNK, KEY_PATTERN, StorageUnavailable, new_key


class S3Storage:
    def __init__(self, url: str, *, endpoint: str = "", region: str = "", access_key_id: str = "",
                 secret_access_key: str = "") -> None:
        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.url = url
        options = {}
        if endpoint:
            options["endpoint"] = endpoint
        if region:
            options["region"] = region
        if access_key_id:
            options["access_key_id"] = access_key_id
            options["secret_access_key"] = secret_access_key
        self.store = S3Store(
            self.bucket, prefix=self.prefix or None,
            # A store on a private network (MinIO, a test server) may speak plain HTTP.
            client_options={"allow_http": endpoint.startswith("http://"), "timeout": "60s",
                            "connect_timeout": "5s"},
            **options)

    @staticmethod
    def _checked(key: str) -> str:
        if not KEY_PATTERN.match(key):
            raise ValueError("not a storage key")
        return key

    async def save(self, data: bytes | AsyncIterable[bytes], key: str | None = None) -> str:
        key = self._checked(key) if key else new_key()
        if isinstance(data, bytes | bytearray | memoryview):
            await obstore.put_async(self.store, key, bytes(data))
        else:
            # A multipart upload of the stream; if the stream raises (too large, wrong type),
            # obstore aborts the upload and the error propagates: no object is created.
            await obstore.put_async(self.store, key, _non_empty(data), chunk_size=5 * 1024 * 1024)
        return key

    async def open(self, key: str) -> AsyncIterator[bytes]:
        # The GET is sent now, so a missing object is FileNotFoundError before a response
        # starts; the body is then read as the client takes it.
        result = await obstore.get_async(self.store, self._checked(key))
        return _chunks(result.stream(min_chunk_size=CHUNK))

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self.store, self._checked(key))

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, self._checked(key))
        except FileNotFoundError:
            return False
        return True

    async def check(self) -> None:
        """Raises StorageUnavailable unless the bucket answers a listing under the prefix."""
        try:
            await obstore.list_with_delimiter_async(self.store)
        except Exception as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            if "NoSuchBucket" in str(error):
                first_line = f"the bucket {self.bucket!r} does not exist"
            raise StorageUnavailable(f"{self.url}: {first_line}") from error


async def _non_empty(data: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    async for chunk in data:
        if chunk:
            yield chunk


async def _chunks(stream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield bytes(chunk)
