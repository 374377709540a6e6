"""asyncio + httpx load generators, run as their own process (never inside the server):

  fixed   open-loop, fixed arrival rate (what wrk2 would do): request i is due at
          t0 + i/rate whether or not earlier ones have answered; latency is measured from
          the due time (no coordinated omission) and also from the actual send.
  login   N concurrent sign-in loops (`Login` with a correct password → argon2id verify)
          until the duration ends. Each request leaves from another loopback source
          address (127.0.x.y) so the per-IP sign-in rate limit (60 per 5 min) is not what
          is measured.

Prints one line "LOADJSON {...}".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from pathlib import Path

import httpx
from bench.common import NoCookies, percentile


def summary(latencies_s: list[float], elapsed: float, errors: int, extra: dict) -> dict:
    ms = sorted(x * 1000 for x in latencies_s)
    return {"requests": len(ms), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(ms) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(ms[-1], 2) if ms else None,
            **extra}


async def fixed(args, body: bytes | None) -> dict:
    headers = json.loads(args.headers or "{}")
    if body is not None:
        headers.setdefault("content-type", "application/json")
    limits = httpx.Limits(max_connections=args.max_connections,
                          max_keepalive_connections=args.max_connections)
    due_latencies, send_latencies, errors = [], [], 0
    async with httpx.AsyncClient(limits=limits, timeout=30, cookies=NoCookies()) as client:
        # warm the connections
        for _ in range(5):
            await client.request(args.method, args.url, content=body, headers=headers)

        async def one(due: float) -> None:
            nonlocal errors
            sent = time.perf_counter()
            try:
                r = await client.request(args.method, args.url, content=body, headers=headers)
                ok = r.status_code == 200 and b'"errors"' not in r.content[:200]
            except httpx.HTTPError as error:
                ok, r = False, error
            end = time.perf_counter()
            if not ok:
                if errors == 0:  # the first one says why, in the soak's or bench's log
                    print(f"first error: {getattr(r, 'status_code', r)} "
                          f"{getattr(r, 'text', '')[:300]}", file=sys.stderr)
                errors += 1
            due_latencies.append(end - due)
            send_latencies.append(end - sent)

        total = int(args.rate * args.duration)
        t0 = time.perf_counter() + 0.05
        tasks = []
        for i in range(total):
            due = t0 + i / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
    send = sorted(x * 1000 for x in send_latencies)
    return summary(due_latencies, elapsed, errors, {
        "target_rate": args.rate, "latency_from": "due time (open loop)",
        "send_p50_ms": round(percentile(send, 50), 2),
        "send_p99_ms": round(percentile(send, 99), 2)})


async def login(args, logins: list[dict]) -> dict:
    query = args.query
    latencies, errors, statuses = [], 0, {}
    addresses = itertools.cycle(f"127.0.{a}.{b}" for a in range(10, 40) for b in range(1, 255))
    clients: dict[str, httpx.AsyncClient] = {}

    def client_for(address: str) -> httpx.AsyncClient:
        c = clients.get(address)
        if c is None:
            c = clients[address] = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(local_address=address), timeout=30)
        return c

    deadline = time.perf_counter() + args.duration
    started = time.perf_counter()

    async def loop(i: int) -> None:
        nonlocal errors
        creds = logins[i % len(logins)]
        body = json.dumps({"query": query, "variables": {"input": creds}})
        while time.perf_counter() < deadline:
            address = next(addresses)
            sent = time.perf_counter()
            try:
                r = await client_for(address).post(
                    args.url, content=body, headers={"content-type": "application/json"})
                data = r.json()
                payload = (data.get("data") or {}).get("login") or {}
                ok = r.status_code == 200 and payload.get("challenge") is not None
                key = "ok" if ok else str((payload.get("errors") or data.get("errors")
                                           or [{}])[0].get("code", r.status_code))
            except (httpx.HTTPError, ValueError) as error:
                ok, key = False, type(error).__name__
            statuses[key] = statuses.get(key, 0) + 1
            if ok:
                latencies.append(time.perf_counter() - sent)
            else:
                errors += 1

    await asyncio.gather(*(loop(i) for i in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    for c in clients.values():
        await c.aclose()
    return summary(latencies, elapsed, errors, {"concurrency": args.concurrency,
                                                "outcomes": statuses})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["fixed", "login"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--method", default="POST")
    parser.add_argument("--body-file")
    parser.add_argument("--headers")
    parser.add_argument("--max-connections", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--logins")
    parser.add_argument("--query")
    args = parser.parse_args()
    if args.mode == "fixed":
        body = Path(args.body_file).read_bytes() if args.body_file else None
        result = asyncio.run(fixed(args, body))
    else:
        result = asyncio.run(login(args, json.loads(Path(args.logins).read_text())))
    print("LOADJSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
