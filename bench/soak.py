"""`make soak`: a bounded soak test (not run in CI). A fresh SQLite database, the app (one
uvicorn worker, `sijil serve --no-worker`) and the outbox worker (`sijil worker`, with the
development mailbox; SMS through the console backend into DATA_DIR/sms/) on 127.0.0.1,
then a steady mix for --minutes (default 5, at most 10):

  - public look-ups (VerifyPractitioner) at half the measured capacity (`--rate` to set it;
    capacity is measured first with wrk, closed loop, 6 s), sent by wrk on a steady
    schedule (bench/wrk/request.lua, WRK_RATE);
  - sign-ins: Login, the code read from DATA_DIR/sms/*.json, VerifyLogin;
  - full renewals as in bench/run.py S8 (bench/renewal_flow.py), each ending APPROVED.

The app's RSS (VmRSS of /proc/<pid>/status) is sampled every few seconds. PASS needs zero
errors, RSS growth below 10 % from the 1-minute mark to the end, and the look-ups kept to
at least 95 % of the rate aimed at (a soak that fell behind did not load the app as
meant). Appends a "Soak" section to docs/performance.md (--no-doc to skip).

Every client leaves from its own loopback address (127.0.x.y): the per-address limits
(sign-ins 60 per 5 minutes, mutations per minute) are the server's protections, not what
a soak measures. Each seeded account signs in once (3 SMS codes per account per 15
minutes is a rule too).

    .venv/bin/python -m bench.soak [--minutes 5] [--rate R] [--no-doc]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench.common import ROOT, NoCookies, free_port, operation, percentile
from bench.run import PY, Server, log, machine, sh, wrk

MAX_MINUTES = 10
SIGNIN_EVERY = 8.0  # seconds between sign-ins (the app's argon2id, production parameters)
RENEWAL_EVERY = 6.0  # seconds between full renewals
SAMPLE_EVERY = 5.0  # seconds between RSS samples
LOOKUP_CONNECTIONS = 64  # enough for the look-ups in flight at the rate, even when slow
GROWTH_LIMIT = 0.10
RATE_KEPT = 0.95  # of the aimed look-up rate, for the run to count


def rss_kib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1))


def client_from(address: str, base: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    # A client app: bearer tokens, no cookies (a kept cookie would need a CSRF token).
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=60,
                             cookies=NoCookies())


class Tally:
    def __init__(self) -> None:
        self.ok: dict[str, int] = {}
        self.errors: dict[str, list[str]] = {}
        self.ms: dict[str, list[float]] = {}

    def good(self, kind: str, ms: float) -> None:
        self.ok[kind] = self.ok.get(kind, 0) + 1
        self.ms.setdefault(kind, []).append(ms)

    def bad(self, kind: str, why: str) -> None:
        self.errors.setdefault(kind, []).append(why[:300])
        log(f"ERROR {kind}: {why[:300]}")


async def sms_code(sms_dir: Path, mobile: str, since: float, timeout: float = 30) -> str:
    """The newest sign-in code sent to `mobile` after `since` (the worker writes it)."""
    digits = mobile[-9:]
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = []
        paths = await asyncio.to_thread(
            lambda: list(sms_dir.glob("*.json")) if sms_dir.exists() else [])
        for path in paths:
            try:
                message = json.loads(path.read_text())
            except (ValueError, OSError):
                continue  # being written
            # Only sign-in codes: status messages to the same number carry none.
            if message["to"].endswith(digits) and message["at"] >= since \
                    and re.search(r"\d{6}", message["body"]):
                found.append(message)
        if found:
            latest = max(found, key=lambda m: m["at"])
            return re.search(r"(\d{6})", latest["body"]).group(1)
        await asyncio.sleep(0.2)
    raise TimeoutError(f"no SMS to …{digits} in {timeout} s")


async def sign_in(base: str, address: str, who: dict, sms_dir: Path, tally: Tally) -> None:
    started = time.perf_counter()
    since = time.time() - 1
    try:
        async with client_from(address, base) as client:
            r = await client.post("/graphql", json={"query": operation("Login"), "variables": {
                "input": {"identifier": who["email"], "password": who["password"]}}})
            body = r.json()
            if "data" not in body:
                raise RuntimeError(f"Login answered {r.status_code}: {str(body)[:200]}")
            payload = body["data"]["login"]
            if r.status_code != 200 or payload["errors"]:
                raise RuntimeError(f"Login: {r.status_code} {payload}")
            code = await sms_code(sms_dir, who["mobile"], since)
            r = await client.post("/graphql", json={"query": operation("VerifyLogin"),
                                                    "variables": {"input": {
                                                        "challengeId": payload["challenge"]["id"],
                                                        "code": code}}})
            verified = r.json()["data"]["verifyLogin"]
            if r.status_code != 200 or verified["errors"] or not verified["token"]:
                raise RuntimeError(f"VerifyLogin: {r.status_code} {verified}")
    except Exception as error:
        tally.bad("sign-in", f"{type(error).__name__}: {error}")
    else:
        tally.good("sign-in", (time.perf_counter() - started) * 1000)


async def renew(base: str, address: str, ready: dict, gateway, tally: Tally) -> None:
    from bench.renewal_flow import one

    started = time.perf_counter()
    try:
        async with client_from(address, base) as client:
            result = await one(client, ready["token"], gateway)
        if result["final_status"] != "APPROVED":
            raise RuntimeError(f"ended {result['final_status']} ({result['webhook_outcome']})")
    except Exception as error:
        tally.bad("renewal", f"{type(error).__name__}: {error!r}")
    else:
        tally.good("renewal", (time.perf_counter() - started) * 1000)


async def paced(every: float, until: float, start_one) -> None:
    """Starts one task every `every` seconds until `until`; waits for them all."""
    tasks = []
    i = 0
    next_at = time.monotonic()
    while next_at < until:
        tasks.append(asyncio.create_task(start_one(i)))
        i += 1
        next_at += every
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.gather(*tasks)


async def sample_rss(pid: int, until: float, samples: list[tuple[float, int]],
                     t0: float) -> None:
    while time.monotonic() < until:
        samples.append((round(time.monotonic() - t0, 1), rss_kib(pid)))
        await asyncio.sleep(SAMPLE_EVERY)
    samples.append((round(time.monotonic() - t0, 1), rss_kib(pid)))


def build(env: dict, tmp: Path, practitioners: int, accounts: int) -> dict:
    from bench.generate_registry import write_csv

    sh([PY, "-m", "server.cli", "migrate"], env)
    path = write_csv(tmp / "registry.csv", practitioners, 11)
    sh([PY, "-m", "server.cli", "import-practitioners", str(path)], env)
    sh([PY, "-m", "bench.seed", str(tmp / "seed.json"), "--renewals", str(accounts)], env,
       timeout=900)
    seed = json.loads((tmp / "seed.json").read_text())
    # The seeded renewers' emails and mobiles, for signing in (bench/seed.py makes them).
    out = sh([PY, "-c", (
        "import asyncio, json, os\n"
        "from server import db\n"
        "from server.models.accounts import Account\n"
        "async def main():\n"
        "    await db.connect(os.environ['DATABASE_URL'])\n"
        "    rows = await Account.filter(email__startswith='renew').values('email', 'mobile')\n"
        "    print(json.dumps(rows))\n"
        "    await db.close()\n"
        "asyncio.run(main())\n")], env)
    seed["signins"] = json.loads(out.strip().splitlines()[-1])
    return seed


async def soak(args, env: dict, tmp: Path, seed: dict, app: Server) -> dict:
    from bench.seed import PASSWORD
    from server.config import load_settings
    from server.integrations.payments.sandbox import SandboxGateway

    graphql = app.url + "/graphql"
    verify = operation("VerifyPractitioner")
    lines = tmp / "verify-bodies.txt"
    lines.write_text("\n".join(json.dumps({"query": verify, "variables": {
        "registrationNumber": n}}) for n in seed["registration_numbers"]) + "\n")
    if args.rate:
        capacity, rate = None, args.rate
    else:
        log("measuring capacity: VerifyPractitioner, wrk closed loop, 16 connections, 6 s")
        capacity = wrk(graphql, 6, 16, method="POST", body_lines=lines, pid=app.proc.pid)
        rate = max(1.0, round(capacity["rps"] / 2, 1))
        log(f"capacity {capacity['rps']} req/s → look-ups at {rate} req/s")
    seconds = args.minutes * 60
    # wrk sends the look-ups (a Python generator at this rate would take a core of its own
    # from the app): LOOKUP_CONNECTIONS connections sharing a steady schedule of `rate`
    # requests a second, so the rate holds whatever the latency under the mix.
    lookups = asyncio.create_task(asyncio.to_thread(
        wrk, graphql, seconds, LOOKUP_CONNECTIONS, method="POST", body_lines=lines,
        warmup=0, rate=rate))
    t0 = time.monotonic()
    until = t0 + seconds
    tally = Tally()
    samples: list[tuple[float, int]] = []
    gateway = SandboxGateway(load_settings(env))  # signs callbacks as the app expects
    sms_dir = Path(env["DATA_DIR"]) / "sms"
    signins = [{**s, "password": PASSWORD} for s in seed["signins"]]
    renewals = seed["renewals"]

    async def one_signin(i: int) -> None:
        if i >= len(signins):
            tally.bad("sign-in", "ran out of seeded accounts (raise the seed count)")
            return
        await sign_in(app.url, f"127.0.1.{1 + i % 250}", signins[i], sms_dir, tally)

    async def one_renewal(i: int) -> None:
        if i >= len(renewals):
            tally.bad("renewal", "ran out of seeded renewals (raise the seed count)")
            return
        await renew(app.url, f"127.0.2.{1 + i % 250}", renewals[i], gateway, tally)

    await asyncio.gather(
        sample_rss(app.proc.pid, until, samples, t0),
        paced(SIGNIN_EVERY, until, one_signin),
        paced(RENEWAL_EVERY, until, one_renewal))
    looked = await lookups
    at_one_minute = next((kib for t, kib in samples if t >= 60), samples[0][1])
    end = samples[-1][1]
    growth = (end - at_one_minute) / at_one_minute
    errors = looked["errors"] + sum(len(v) for v in tally.errors.values())
    kinds = {"look-up (VerifyPractitioner)": {
        "requests": looked["requests"], "errors": looked["errors"], "rps": looked["rps"],
        "p50_ms": looked["p50_ms"], "p99_ms": looked["p99_ms"]}}
    for kind in ("sign-in", "renewal"):
        ms = sorted(tally.ms.get(kind, []))
        kinds[kind] = {"requests": tally.ok.get(kind, 0) + len(tally.errors.get(kind, [])),
                       "errors": len(tally.errors.get(kind, [])),
                       "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                       "max_ms": round(ms[-1], 1) if ms else None}
    return {"date": dt.datetime.now().isoformat(timespec="seconds"),
            "minutes": args.minutes, "capacity": capacity, "lookup_rate": rate,
            "kinds": kinds, "errors": errors,
            "error_samples": {k: v[:5] for k, v in tally.errors.items()},
            "rss_kib": samples, "rss_start_kib": samples[0][1],
            "rss_at_1min_kib": at_one_minute, "rss_end_kib": end,
            "rss_max_kib": max(k for _, k in samples),
            "growth": round(growth, 4),
            "rate_kept": round(looked["rps"] / rate, 3),
            "verdict": "PASS" if errors == 0 and growth < GROWTH_LIMIT
            and looked["rps"] >= RATE_KEPT * rate else "MISS"}


def write_doc(result: dict, path: Path) -> None:
    m = result["machine"]
    mib = lambda kib: f"{kib / 1024:.1f} MiB"  # noqa: E731
    cap = result["capacity"]
    lines = [
        "", f"## Soak: {result['date']}", "",
        f"- Command: `{result['command']}` (`make soak`; not run in CI)",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory; "
        f"{m['platform']}; Python {m['python']}; load average before "
        f"{result['loadavg_before']}",
        "- Setup: fresh SQLite database, "
        f"{result['practitioners']:,} practitioners imported, the app as one uvicorn worker "
        "(`sijil serve --no-worker`), the outbox worker as its own process (development "
        "mailbox, console SMS), all on 127.0.0.1",
        f"- Duration: {result['minutes']} min; look-ups aimed at {result['lookup_rate']} "
        "req/s " + (f"(half the measured capacity, {cap['rps']} req/s with wrk, "
                    "16 connections)" if cap else "(--rate)")
        + f", sent by wrk on a steady schedule ({LOOKUP_CONNECTIONS} connections)"
        + f" and achieved {result['kinds']['look-up (VerifyPractitioner)']['rps']} req/s"
        + f", a sign-in every {SIGNIN_EVERY:g} s, a full renewal every {RENEWAL_EVERY:g} s",
        "", "| kind | requests | errors | p50 ms | p99 / max ms |", "|---|---|---|---|---|"]
    for kind, v in result["kinds"].items():
        tail = v.get("p99_ms", v.get("max_ms"))
        lines.append(f"| {kind} | {v['requests']:,} | {v['errors']} | {v['p50_ms']} | {tail} |")
    lines += [
        "",
        f"- Errors: {result['errors']}" + (f" ({result['error_samples']})"
                                           if result["errors"] else ""),
        f"- App RSS: start {mib(result['rss_start_kib'])}, at 1 min "
        f"{mib(result['rss_at_1min_kib'])}, end {mib(result['rss_end_kib'])}, max "
        f"{mib(result['rss_max_kib'])}: growth from the 1-minute mark "
        f"{result['growth'] * 100:+.1f} % (limit +{GROWTH_LIMIT * 100:.0f} %)",
        f"- Look-up rate kept: {result['rate_kept'] * 100:.1f} % of the aim "
        f"(at least {RATE_KEPT * 100:.0f} %)",
        f"- **{result['verdict']}** (zero errors, growth < {GROWTH_LIMIT * 100:.0f} %, "
        f"rate kept); "
        f"samples every {SAMPLE_EVERY:g} s in `bench/results/{result['file']}`", ""]
    with path.open("a") as f:
        f.write("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--rate", type=float, default=None,
                        help="look-ups per second (default: half the measured capacity)")
    parser.add_argument("--practitioners", type=int, default=5000)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= MAX_MINUTES:
        parser.error(f"--minutes must be in (0, {MAX_MINUTES}]")
    if args.rate is None and not __import__("shutil").which("wrk"):
        parser.error("measuring capacity needs wrk (apt-get install -y wrk), or give --rate")
    seconds = args.minutes * 60
    accounts = math.ceil(seconds / min(SIGNIN_EVERY, RENEWAL_EVERY)) + 10
    with tempfile.TemporaryDirectory(prefix="sijil-soak-") as name:
        tmp = Path(name)
        port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SIJIL_", "SMTP_", "DATABASE_", "SMS_", "PAYMENT_"))}
        env.update({"DATABASE_URL": f"sqlite://{tmp / 'soak.sqlite3'}",
                    "DATA_DIR": str(tmp / "data"), "SIJIL_ENV": "development",
                    "SECRET_KEY": secrets.token_urlsafe(48),
                    "PAYMENT_WEBHOOK_SECRET": secrets.token_urlsafe(24),
                    "SMS_BACKEND": "console", "PAYMENT_PROVIDER": "sandbox",
                    "BASE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"})
        log(f"building a fresh SQLite database ({args.practitioners:,} practitioners, "
            f"{accounts} renewal/sign-in accounts)")
        seed = build(env, tmp, args.practitioners, accounts)
        loadavg = Path("/proc/loadavg").read_text().split()[0]
        app = Server("app", [PY, "-m", "server.cli", "serve", "--no-worker", "--port",
                             str(port)], env, port, tmp)
        worker = Server("worker", [PY, "-m", "server.cli", "worker"], env, port, tmp)
        try:
            app.wait_ready("/healthz")
            log(f"soaking for {args.minutes:g} min")
            result = asyncio.run(soak(args, env, tmp, seed, app))
        finally:
            app.stop()
            worker.stop()
    result.update({"machine": machine(), "practitioners": args.practitioners,
                   "loadavg_before": loadavg,
                   "command": " ".join(["python -m bench.soak", *(argv or sys.argv[1:])])})
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    result["file"] = f"soak-{dt.datetime.now().strftime('%Y-%m-%d-%H%M%S')}.json"
    (out_dir / result["file"]).write_text(json.dumps(result, indent=1, default=str))
    if not args.no_doc:
        write_doc(result, ROOT / "docs" / "performance.md")
    print(f"soak {result['verdict']}: {result['errors']} errors; "
          f"{json.dumps(result['kinds'])}; RSS {result['rss_at_1min_kib']} → "
          f"{result['rss_end_kib']} KiB ({result['growth'] * 100:+.1f} %); "
          f"bench/results/{result['file']}")
    return 0 if result["verdict"] == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
