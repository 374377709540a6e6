"""CPU time per request of the app itself, called straight through ASGI (no HTTP client, no
socket, no other process in the measure): what a change on the hot path saves, readable on a
loaded machine where req/s is not. `thread_time` counts this thread's CPU only.

    DATABASE_URL=... DATA_DIR=... SECRET_KEY=... python -m bench.asgi_cpu NUMBER [-n 2000]
        [--page] [--operation NAME] [--cprofile]

NUMBER is a registration number in that database; --page asks for GET /verify/NUMBER
instead of an operation over /graphql: VerifyPractitioner, or the one --operation names
(PublicRegisterEntry is the page's own, scenario V's reference).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time


def scope_for(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}


async def run(number: str, n: int, page: bool, cprofile: bool,
              name: str = "VerifyPractitioner") -> None:
    from bench.common import operation, settings_from_env
    from server import db
    from server.app import create_app, settle_garbage_collector

    settings = settings_from_env()
    app = create_app(settings)
    await db.connect(settings.database_url)
    # What the app's lifespan does after connecting (the lifespan itself is not run here):
    # without it every run paid full collections of the ~190,000 start-up objects.
    settle_garbage_collector()
    body = json.dumps({"query": operation(name),
                       "variables": {"registrationNumber": number}}).encode()
    if page:
        scope = scope_for("GET", f"/verify/{number}", [(b"host", b"127.0.0.1"),
                                                       (b"accept", b"text/html")])
    else:
        scope = scope_for("POST", "/graphql", [
            (b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
            (b"accept", b"application/json"), (b"content-length", str(len(body)).encode())])
    statuses: list[int] = []

    async def one() -> None:
        sent = False

        async def receive():
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": b"" if page else body, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app({**scope, "headers": list(scope["headers"])}, receive, send)

    for _ in range(50):
        await one()
    profiler = None
    if cprofile:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(n):
        await one()
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    if profiler:
        profiler.disable()
    await db.close()
    assert set(statuses) == {200}, set(statuses)
    print(f"{'page' if page else 'graphql ' + name}: {cpu / n * 1000:.3f} ms CPU/request "
          f"({wall / n * 1000:.3f} ms wall), {n} requests")
    if profiler:
        import pstats

        # SORT=cumulative, TOP=80 to see more than the 30 costliest functions.
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "30")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("number")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--page", action="store_true")
    parser.add_argument("--operation", default="VerifyPractitioner")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.number, args.n, args.page, args.cprofile, args.operation))


if __name__ == "__main__":
    main()
