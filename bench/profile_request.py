"""Profiles requests in process (the app behind httpx's ASGI transport) with pyinstrument,
to find where a scenario's time goes. pyinstrument comes with the development extra:
`.venv/bin/pip install -e '.[dev]'`.

    DATABASE_URL=... DATA_DIR=... python -m bench.profile_request SPEC.json NAME [-n 300]
        [--no-profile] [--memoise-validators]

SPEC is a JSON file {"NAME": {"method", "path", "headers", "json"}} like the one bench/run.py
writes for bench/count_queries.py.

Prints the mean time per request and pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path

import httpx


def by_package(stats) -> list[tuple[str, float]]:
    """cProfile self time grouped by top-level package (or server module)."""
    groups: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif "/work/main/server/" in filename or "/server/" in filename:
            key = "server/" + filename.split("/server/")[1]
        elif filename.startswith("~") or filename.startswith("<"):
            key = "builtins/C"
        else:
            key = "stdlib:" + filename.rsplit("/", 1)[-1]
        groups[key] = groups.get(key, 0.0) + tottime
    return sorted(groups.items(), key=lambda kv: -kv[1])


async def run(spec: dict, n: int, concurrency: int, show_all: bool, profile: bool,
              cprofile: bool = False) -> None:
    from bench.common import settings_from_env
    from pyinstrument import Profiler
    from server import db
    from server.app import create_app

    settings = settings_from_env()
    app = create_app(settings)
    await db.connect(settings.database_url)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        async def send():
            c.cookies.clear()
            r = await c.request(spec.get("method", "POST"), spec["path"],
                                headers=spec.get("headers") or {}, json=spec.get("json"))
            assert r.status_code == 200, r.text[:300]

        for _ in range(20):
            await send()
        if cprofile:
            import cProfile
            import pstats

            # CPU time of this thread, not wall time: on a loaded machine the wall clock
            # charges other processes' turns to whatever function was running.
            profiler = cProfile.Profile(time.thread_time)
        else:
            profiler = Profiler(async_mode="enabled", interval=0.0005)
        started, cpu_started = time.perf_counter(), time.process_time()
        with (profiler if profile else contextlib.nullcontext()):
            for _ in range(n // concurrency):
                await asyncio.gather(*(send() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    await db.close()
    print(f"{n} requests in {elapsed:.2f} s: {elapsed / n * 1000:.2f} ms each, "
          f"{cpu / n * 1000:.2f} ms of CPU each (this process, all threads)"
          f"{' (profiled)' if profile else ''}", flush=True)
    if profile and cprofile:
        import io
        import pstats

        stats = pstats.Stats(profiler)
        total = sum(v[2] for v in stats.stats.values())
        print(f"self time by package ({total / n * 1000:.2f} ms/request profiled):")
        for key, seconds in by_package(stats)[:60]:
            print(f"  {seconds / n * 1000:7.3f} ms  {key}")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    elif profile:
        print(profiler.output_text(unicode=False, color=False, show_all=show_all))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", type=Path)
    parser.add_argument("name")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("-c", "--concurrency", type=int, default=1)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--no-profile", action="store_true", help="only time the requests")
    parser.add_argument("--cprofile", action="store_true",
                        help="cProfile instead of pyinstrument: self time by package")
    parser.add_argument("--memoise-validators", action="store_true",
                        help="experiment: make strawberry's depth and alias limiters build "
                             "their validation rule class once, so the validation cache can "
                             "hit (see docs/performance.md)")
    args = parser.parse_args()
    if args.memoise_validators:
        import functools

        import strawberry.extensions.max_aliases as aliases
        import strawberry.extensions.query_depth_limiter as depth

        depth.create_validator = functools.cache(depth.create_validator)
        aliases.create_validator = functools.cache(aliases.create_validator)
    spec = json.loads(args.spec.read_text())[args.name]
    asyncio.run(run(spec, args.n, args.concurrency, args.all,
                     not args.no_profile, args.cprofile))


if __name__ == "__main__":
    main()
