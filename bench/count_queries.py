"""SQL statements per request, counted server-side: the app runs in process (the same
`create_app` as `sijil serve`) behind httpx's ASGI transport, and every statement Tortoise
sends is caught on the `tortoise.db_client` DEBUG logger (the `count_queries` pattern of
tests/conftest.py). Each request is sent twice first (warm caches, session touch), then
counted.

    DATABASE_URL=... DATA_DIR=... python -m bench.count_queries SPEC.json OUT.json

SPEC: {"name": {"method", "path", "headers", "json"}}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
from tests.querycount import count_queries


async def run(spec: dict) -> dict:
    from bench.common import settings_from_env
    from server import db
    from server.app import create_app

    settings = settings_from_env()
    app = create_app(settings)
    await db.connect(settings.database_url)
    results = {}
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport,
                                     base_url="http://127.0.0.1:8000") as client:
            for name, r in spec.items():
                def send(r=r):
                    client.cookies.clear()  # like wrk and client apps: no cookie jar
                    return client.request(r.get("method", "POST"), r["path"],
                                          headers=r.get("headers") or {}, json=r.get("json"))
                for _ in range(2):
                    await send()
                with count_queries() as counter:
                    response = await send()
                results[name] = {"queries": len(counter.queries), "status": response.status_code,
                                 "statements": [q[:300] for q in counter.queries]}
    finally:
        await db.close()
    return results


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(run(spec))
    Path(sys.argv[2]).write_text(json.dumps(result, indent=1))
    for name, r in result.items():
        print(f"{name}: {r['queries']} queries (HTTP {r['status']})")


if __name__ == "__main__":
    main()
