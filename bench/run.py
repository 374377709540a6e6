"""`make bench`: builds a fresh database with a realistic registry, starts the app (one
uvicorn worker on 127.0.0.1) and a hand-written reference endpoint, loads them from other
processes (wrk, and asyncio load generators), and writes bench/results/<date>.json and the
table in docs/performance.md.

    .venv/bin/python -m bench.run [--practitioners 100000] [--duration 10] [--connections 32]
                                  [--only S1,S2,...] [--scale-test]

DATABASE_URL=postgres://… runs on PostgreSQL in a fresh schema (dropped afterwards);
otherwise a SQLite file in a temporary directory. Everything listens on and talks to
127.0.0.1 only. Scenarios (targets in TARGETS):
  S1 VerifyPractitioner over /graphql vs a minimal Starlette endpoint (bench/reference_app.py)
  S2 MyPractitioner with a bearer token at a fixed 100 requests/s (open loop)
  S3 the dashboard page `/` (cookie) vs PageDashboard over /graphql
  S5 S1 while 8 sign-ins (argon2id) run continuously vs S1 alone
  S6 5,000 emails through the outbox to a local aiosmtpd (2 workers on PostgreSQL)
  S7 `sijil import-practitioners` of 100,000 rows on SQLite
  S8 a full renewal over GraphQL, summed request durations
  S4 (--scale-test, PostgreSQL) S1 and the review queue at 1,000,000 vs 10,000 practitioners
  S9 (PostgreSQL) the register search under load, in a schema of its own with
     --search-practitioners (bench/register_search.py; its own section of performance.md)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from bench.common import BENCH, ROOT, free_port, is_postgres, operation

PY = sys.executable
TARGETS = {
    "S1": "≥ 0.7 of the Starlette + Tortoise reference, p99 ≤ 2× its p99",
    "S1a": "≥ 0.25 of the one-statement asyncpg reference, p99 ≤ 5× (PostgreSQL)",
    "S1p": "≥ 0.35 of PostGraphile 4 (PostgreSQL, node/npm)",
    "V": "/verify/{number} page ≥ 0.8 of PublicRegisterEntry over /graphql",
    "W": "--workers 2 ≥ 1.6× one worker, S1 and S3",
    "S2": "≤ 6 queries; p99 ≤ 50 ms at 100 req/s",
    "S3": "ratio ≥ 0.8 of PageDashboard over /graphql",
    "S4": "1,000,000 vs 10,000 practitioners: p99 ≤ 1.5× (S1 and review queue); queue "
          "page 500 (keyset) ≤ 1.2× page 1",
    "S5": "ratio ≥ 0.7 of S1 alone",
    "S6": "≥ 500 emails/s; 2 workers on PostgreSQL deliver each exactly once",
    "S7": "≤ 60 s for 100,000 rows (SQLite)",
    "S8": "total server time ≤ 300 ms",
    "S9": "register search p99 ≤ 50 ms under load at 1,000,000 practitioners (PostgreSQL)",
}
ALL = ["S1", "V", "S2", "S3", "S5", "W", "S8", "S6", "S7", "S9"]
S1_TARGET, S1_P99 = 0.7, 2.0
ASYNCPG_TARGET, ASYNCPG_P99 = 0.25, 5.0
PEER_TARGET = 0.35
PAGE_TARGET = 0.8
SCALING_TARGET = 1.6


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ environment

def machine() -> dict:
    mem = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", mem).group(1))
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("strawberry-graphql", "starlette", "tortoise-orm", "uvicorn",
                    "graphql-core", "asyncpg", "httpx", "argon2-cffi"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            versions[package] = None
    wrk = shutil.which("wrk")
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": round(total_kb / 2**20, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": versions,
            "wrk": subprocess.run([wrk, "--version"], capture_output=True, text=True
                                  ).stdout.splitlines()[0] if wrk else None}


def pg_schema_url(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"schema={schema}"


async def pg_schema(url: str, schema: str, drop: bool = False) -> None:
    import asyncpg

    base = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    conn = await asyncpg.connect(base)
    try:
        if drop:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        else:
            await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()


def sh(cmd: list[str], env: dict, timeout: float = 1800, capture: bool = True) -> str:
    result = subprocess.run(cmd, env=env, cwd=ROOT, timeout=timeout, text=True,
                            capture_output=capture)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout if capture else ""


class Server:
    """A server process on 127.0.0.1:port, its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict, port: int, logdir: Path) -> None:
        self.name, self.port = name, port
        self.logfile = (logdir / f"{name}.log").open("w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.logfile,
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.logfile.name}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.logfile.close()


# ------------------------------------------------------------------ load

def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) and of its live children
    (`sijil serve --workers 2`'s worker processes) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        total += sum(cpu_seconds(int(child)) for child in children)
    return total


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def wrk(url: str, duration: float, connections: int, *, method: str = "GET",
        body_file: Path | None = None, body_lines: Path | None = None,
        path_lines: Path | None = None,
        headers: dict | None = None, warmup: float = 2.0, pid: int | None = None,
        rate: float | None = None) -> dict:
    """Closed loop: `connections` connections, each sending its next request when the last
    one is answered; with `rate`, each waits for its slot of a steady schedule of `rate`
    requests a second (bench/wrk/request.lua). With `pid`, also the server's CPU time per
    request: unlike throughput, it hardly moves when other processes compete for the
    cores."""
    env = {**os.environ, "WRK_METHOD": method, "WRK_BODY_FILE": str(body_file or ""),
           "WRK_BODY_LINES": str(body_lines or ""), "WRK_PATH_LINES": str(path_lines or ""),
           "WRK_HEADERS": "|".join(f"{k}: {v}" for k, v in (headers or {}).items()),
           "WRK_RATE": f"{rate:.3f}" if rate else ""}
    script = str(BENCH / "wrk" / "request.lua")

    def once(seconds: float) -> dict:
        cpu0 = cpu_seconds(pid) if pid else None
        command = [shutil.which("wrk") or "wrk", "-t1", f"-c{connections}",
                   f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script, url]
        out = subprocess.run(command, env=env, capture_output=True, text=True,
                             timeout=seconds + 60).stdout
        line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
        raw = json.loads(line.removeprefix("WRKJSON "))
        secs = raw["duration_us"] / 1e6
        load = Path("/proc/loadavg").read_text().split()[0]
        cpu_ms = round((cpu_seconds(pid) - cpu0) * 1000 / max(raw["requests"], 1), 3) \
            if pid else None
        errors = sum(raw[k] for k in raw if k.startswith("errors_"))
        if raw.get("first_body_error"):
            log(f"first error in a 200 answer: {raw['first_body_error']}")
        return {"rps": round(raw["requests"] / secs, 1), "requests": raw["requests"],
                "errors": errors, "p50_ms": round(raw["p50"] / 1000, 2),
                "p95_ms": round(raw["p95"] / 1000, 2), "p99_ms": round(raw["p99"] / 1000, 2),
                "max_ms": round(raw["max"] / 1000, 2), "connections": connections,
                "seconds": round(secs, 1), "loadavg_1m_after": float(load),
                "server_cpu_ms_per_req": cpu_ms}

    if warmup:
        once(warmup)
    return once(duration)


def loadgen(args: list[str], env: dict, timeout: float) -> dict:
    out = sh([PY, "-m", "bench.loadgen", *args], env, timeout=timeout)
    line = next(x for x in out.splitlines() if x.startswith("LOADJSON "))
    return json.loads(line.removeprefix("LOADJSON "))


def check_json(url: str, body: dict, headers: dict) -> dict:
    r = httpx.post(url, json=body, headers=headers, timeout=30)
    data = r.json()
    if r.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"{url} answered {r.status_code}: {r.text[:500]}")
    return data


# ------------------------------------------------------------------ the run

def build(args, env: dict, tmp: Path) -> tuple[dict, dict]:
    """Migrate, generate, import, seed. Returns (seed, setup timings)."""
    from bench.generate_registry import write_csv

    setup: dict = {}
    t = time.perf_counter()
    sh([PY, "-m", "server.cli", "migrate"], env)
    setup["migrate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    csv_path = write_csv(tmp / "registry.csv", args.practitioners, args.seed)
    setup["generate_csv_s"] = round(time.perf_counter() - t, 1)
    log(f"importing {args.practitioners:,} practitioners")
    t = time.perf_counter()
    out = sh([PY, "-m", "server.cli", "import-practitioners", str(csv_path)], env)
    setup["import_wall_s"] = round(time.perf_counter() - t, 1)
    setup["import_output"] = out.strip().splitlines()[-1] if out.strip() else ""
    match = re.search(r"in ([\d.]+) s", out)
    setup["import_s"] = float(match.group(1)) if match else None
    log(f"import: {setup['import_output']}")
    log("seeding extra rows and accounts")
    t = time.perf_counter()
    sh([PY, "-m", "bench.seed", str(tmp / "seed.json"), "--seed", str(args.seed),
        "--renewals", str(args.renewals)], env)
    setup["seed_s"] = round(time.perf_counter() - t, 1)
    seed = json.loads((tmp / "seed.json").read_text())
    setup["rows_added"] = seed["rows_added"]
    log(f"seeded in {setup['seed_s']} s: {seed['rows_added']}")
    return seed, setup


def scenarios(args, env: dict, tmp: Path, seed: dict, results: dict, only: set[str]) -> None:
    port, ref_port = free_port(), free_port()
    env = {**env, "BASE_URL": f"http://127.0.0.1:{port}"}
    app = Server("app", [PY, "-m", "server.cli", "serve", "--no-worker", "--port", str(port)],
                 env, port, tmp)
    ref = Server("reference", [PY, "-m", "bench.reference_app", "--port", str(ref_port)],
                 env, ref_port, tmp)
    try:
        app.wait_ready("/healthz")
        ref.wait_ready("/graphql")  # 405 on GET: it is up
        graphql = app.url + "/graphql"
        token, reviewer = seed["seeded"]["token"], seed["reviewer_token"]
        bearer = {"authorization": f"Bearer {token}"}

        verify_q = operation("VerifyPractitioner")
        lines = tmp / "verify-bodies.txt"
        lines.write_text("\n".join(json.dumps({"query": verify_q, "variables": {
            "registrationNumber": n}}) for n in seed["registration_numbers"]) + "\n")
        sample = {"query": verify_q, "variables": {
            "registrationNumber": seed["registration_numbers"][0]}}
        a, b = check_json(graphql, sample, {}), check_json(ref.url + "/graphql", sample, {})
        if a != b:
            raise RuntimeError(f"reference differs from the app:\n{a}\n{b}")
        queries = {
            "S1 VerifyPractitioner": {"path": "/graphql", "json": sample},
            "S2 MyPractitioner": {"path": "/graphql", "headers": bearer,
                                  "json": {"query": operation("MyPractitioner")}},
            "S3 GET / (dashboard page)": {"method": "GET", "path": "/", "headers": {
                "cookie": f"sijil-sid={token}", "accept": "text/html"}},
            "S3 PageDashboard over /graphql": {"path": "/graphql", "headers": bearer,
                                               "json": {"query": operation("PageDashboard")}},
            "ReviewQueue (first 20)": {"path": "/graphql", "headers": {
                "authorization": f"Bearer {reviewer}"}, "json": {
                "query": operation("ReviewQueue"), "variables": {"first": 20}}},
        }
        (tmp / "count-spec.json").write_text(json.dumps(queries))
        sh([PY, "-m", "bench.count_queries", str(tmp / "count-spec.json"),
            str(tmp / "counts.json")], env)
        counts = json.loads((tmp / "counts.json").read_text())
        bad = {k: v["status"] for k, v in counts.items() if v["status"] != 200}
        if bad:
            raise RuntimeError(f"in-process requests failed: {bad}")
        results["queries_per_request"] = {k: v["queries"] for k, v in counts.items()}
        results["query_statements"] = {k: v["statements"] for k, v in counts.items()}
        log(f"queries per request: {results['queries_per_request']}")
        d, c = args.duration, args.connections

        if "S1" in only or "S5" in only or "W" in only:
            log("S1: reference endpoint, then VerifyPractitioner over /graphql")
            reference = wrk(ref.url + "/graphql", d, c, method="POST", body_lines=lines,
                            pid=ref.proc.pid)
            s1 = wrk(graphql, d, c, method="POST", body_lines=lines, pid=app.proc.pid)
            results["S1"] = {"app": s1, "reference": reference,
                             "ratio": round(s1["rps"] / reference["rps"], 3),
                             "cpu_ratio": round(reference["server_cpu_ms_per_req"]
                                                / s1["server_cpu_ms_per_req"], 3),
                             "p99_ratio": round(s1["p99_ms"] / reference["p99_ms"], 3),
                             "queries": counts["S1 VerifyPractitioner"]["queries"],
                             "target": S1_TARGET, "target_p99": S1_P99}
            log(f"S1 {s1['rps']} vs {reference['rps']} req/s")
            if is_postgres(env["DATABASE_URL"]):
                peers(env, tmp, lines, sample, a, s1, d, c, results)
            else:
                results["S1_peers_note"] = ("the asyncpg reference and PostGraphile need "
                                            "PostgreSQL (DATABASE_URL=postgres://…)")
                log(f"S1 peers skipped: {results['S1_peers_note']}")

        if "V" in only:
            numbers = seed["registration_numbers"]
            paths = tmp / "verify-paths.txt"
            paths.write_text("\n".join(f"/verify/{n}" for n in numbers) + "\n")
            entry_q = operation("PublicRegisterEntry")
            entry_lines = tmp / "entry-bodies.txt"
            entry_lines.write_text("\n".join(json.dumps({"query": entry_q, "variables": {
                "registrationNumber": n}}) for n in numbers) + "\n")
            check_json(graphql, {"query": entry_q, "variables": {
                "registrationNumber": numbers[0]}}, {})
            html = {"accept": "text/html"}
            page = httpx.get(f"{app.url}/verify/{numbers[0]}", headers=html)
            if page.status_code != 200 or numbers[0] not in page.text:
                raise RuntimeError(f"/verify/{numbers[0]} answered {page.status_code}")
            log("V: /verify/{number} page vs PublicRegisterEntry over /graphql")
            v_api = wrk(graphql, d, c, method="POST", body_lines=entry_lines, pid=app.proc.pid)
            v_page = wrk(app.url + "/verify/x", d, c, path_lines=paths, headers=html,
                         pid=app.proc.pid)
            results["V"] = {"app": v_page, "reference": v_api,
                            "ratio": round(v_page["rps"] / v_api["rps"], 3),
                            "cpu_ratio": round(v_api["server_cpu_ms_per_req"]
                                               / v_page["server_cpu_ms_per_req"], 3),
                            "page_bytes": len(page.content), "target": PAGE_TARGET}
            log(f"V page {v_page['rps']} vs api {v_api['rps']} req/s")

        if "S2" in only:
            body = tmp / "my-practitioner.json"
            body.write_text(json.dumps({"query": operation("MyPractitioner")}))
            check_json(graphql, json.loads(body.read_text()), bearer)
            log("S2: MyPractitioner at a fixed 100 req/s")
            cpu0 = cpu_seconds(app.proc.pid)
            s2 = loadgen(["fixed", "--url", graphql, "--rate", "100", "--duration", str(d),
                          "--body-file", str(body), "--headers", json.dumps(bearer)], env,
                         timeout=d + 120)
            s2["server_cpu_ms_per_req"] = round(
                (cpu_seconds(app.proc.pid) - cpu0) * 1000 / (s2["requests"] + 5), 3)
            s2_closed = wrk(graphql, d, c, method="POST", body_file=body, headers=bearer,
                            pid=app.proc.pid)
            results["S2"] = {"fixed_rate": s2, "saturation": s2_closed,
                             "queries": counts["S2 MyPractitioner"]["queries"],
                             "target_queries": 6, "target_p99_ms": 50}
            log(f"S2 p99 {s2['p99_ms']} ms at {s2['rps']} req/s; saturation "
                f"{s2_closed['rps']} req/s")

        if "S3" in only:
            body = tmp / "page-dashboard.json"
            body.write_text(json.dumps({"query": operation("PageDashboard")}))
            check_json(graphql, json.loads(body.read_text()), bearer)
            page_headers = {"cookie": f"sijil-sid={token}", "accept": "text/html"}
            page = httpx.get(app.url + "/", headers=page_headers)
            if page.status_code != 200 or seed["seeded"]["registration_number"] not in page.text:
                raise RuntimeError(f"the dashboard did not render signed in: {page.status_code}")
            log("S3: dashboard page vs PageDashboard over /graphql")
            s3_api = wrk(graphql, d, c, method="POST", body_file=body, headers=bearer,
                         pid=app.proc.pid)
            s3_page = wrk(app.url + "/", d, c, headers=page_headers, pid=app.proc.pid)
            results["S3"] = {"app": s3_page, "reference": s3_api,
                             "ratio": round(s3_page["rps"] / s3_api["rps"], 3),
                             "cpu_ratio": round(s3_api["server_cpu_ms_per_req"]
                                                / s3_page["server_cpu_ms_per_req"], 3),
                             "queries": counts["S3 GET / (dashboard page)"]["queries"],
                             "reference_queries":
                                 counts["S3 PageDashboard over /graphql"]["queries"],
                             "page_bytes": len(page.content), "target": 0.8}
            log(f"S3 page {s3_page['rps']} vs api {s3_api['rps']} req/s")

        if "S5" in only:
            logins = tmp / "logins.json"
            logins.write_text(json.dumps(seed["logins"]))
            login_q = operation("Login")
            log("S5: S1 while 8 sign-ins run continuously")
            proc = subprocess.Popen(
                [PY, "-m", "bench.loadgen", "login", "--url", graphql, "--duration",
                 str(d + 4), "--concurrency", "8", "--logins", str(logins), "--query", login_q],
                env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            time.sleep(1.0)
            s5 = wrk(graphql, d, c, method="POST", body_lines=lines, warmup=1.0,
                     pid=app.proc.pid)
            out = proc.communicate(timeout=d + 120)[0]
            signins = json.loads(next(x for x in out.splitlines()
                                      if x.startswith("LOADJSON ")).removeprefix("LOADJSON "))
            base = results["S1"]["app"]
            results["S5"] = {"app": s5, "reference": base, "signins": signins,
                             "ratio": round(s5["rps"] / base["rps"], 3), "target": 0.7,
                             "queries": counts["S1 VerifyPractitioner"]["queries"]}
            log(f"S5 {s5['rps']} req/s with {signins['rps']} sign-ins/s "
                f"(outcomes {signins['outcomes']})")

        if "S8" in only and seed["renewals"]:
            log("S8: full renewals over GraphQL")
            out = sh([PY, "-m", "bench.renewal_flow", str(tmp / "seed.json")],
                     {**env, "BASE": app.url}, timeout=300)
            s8 = json.loads(next(x for x in out.splitlines() if x.startswith("RENEWJSON "))
                            .removeprefix("RENEWJSON "))
            s8["target_ms"] = 300
            results["S8"] = s8
            log(f"S8 median total {s8['median_total_ms']} ms, steps {s8['median_step_ms']}")

        if "RQ" in only:
            body = tmp / "review-queue.json"
            body.write_text(json.dumps({"query": operation("ReviewQueue"),
                                        "variables": {"first": 20}}))
            rh = {"authorization": f"Bearer {reviewer}"}
            check_json(graphql, json.loads(body.read_text()), rh)
            results["RQ"] = wrk(graphql, d, c, method="POST", body_file=body, headers=rh,
                                pid=app.proc.pid)
            results["RQ"]["queries"] = counts["ReviewQueue (first 20)"]["queries"]
            cursor = page_cursor(graphql, rh, QUEUE_DEEP_PAGE)
            if cursor:
                deep = tmp / "review-queue-deep.json"
                deep.write_text(json.dumps({"query": operation("ReviewQueue"),
                                            "variables": {"first": 20, "after": cursor}}))
                page = check_json(graphql, json.loads(deep.read_text()), rh)
                if not page["data"]["reviewQueue"]["edges"]:
                    raise RuntimeError(f"page {QUEUE_DEEP_PAGE} of the queue is empty")
                results["RQ500"] = wrk(graphql, d, c, method="POST", body_file=deep,
                                       headers=rh, pid=app.proc.pid)
                log(f"review queue page {QUEUE_DEEP_PAGE}: {results['RQ500']['rps']} req/s, "
                    f"p50 {results['RQ500']['p50_ms']} ms (page 1: "
                    f"{results['RQ']['p50_ms']} ms)")
        if "W" in only and "S1" in results and "S3" in results:
            scaling(env, tmp, lines, seed, results, d, c)
    finally:
        app.stop()
        ref.stop()


def peers(env: dict, tmp: Path, lines: Path, sample: dict, expected: dict, s1: dict,
          d: float, c: int, results: dict) -> None:
    """S1 against the one-statement asyncpg reference and PostGraphile 4 (PostgreSQL)."""
    from bench import peers as peer_servers

    url = env["DATABASE_URL"]
    port = free_port()
    ref = Server("reference-asyncpg", [PY, "-m", "bench.reference_asyncpg", "--port",
                                       str(port)], env, port, tmp)
    try:
        ref.wait_ready("/graphql")
        got = check_json(ref.url + "/graphql", sample, {})
        if got != expected:
            raise RuntimeError(f"the asyncpg reference differs from the app:\n{expected}\n{got}")
        log("S1: the one-statement asyncpg reference")
        m = wrk(ref.url + "/graphql", d, c, method="POST", body_lines=lines, pid=ref.proc.pid)
    finally:
        ref.stop()
    results["S1a"] = {"app": s1, "reference": m, "ratio": round(s1["rps"] / m["rps"], 3),
                      "cpu_ratio": round(m["server_cpu_ms_per_req"]
                                         / s1["server_cpu_ms_per_req"], 3),
                      "p99_ratio": round(s1["p99_ms"] / m["p99_ms"], 3),
                      "target": ASYNCPG_TARGET, "target_p99": ASYNCPG_P99}
    log(f"S1 vs asyncpg: {s1['rps']} vs {m['rps']} req/s")

    missing = peer_servers.postgraphile_missing()
    if missing:
        results["S1p"] = {"skipped": missing}
        print(f"bench: {missing}", file=sys.stderr)
        return
    schema = re.search(r"[?&]schema=([a-z0-9_]+)", url).group(1)
    peer = schema + "_peer"
    asyncio.run(peer_servers.create_peer_schema(url, schema, peer))
    port = free_port()
    node = Server("postgraphile", peer_servers.postgraphile_command(url, peer, port), env,
                  port, tmp)
    try:
        node.wait_ready("/graphql")
        got = check_json(node.url + "/graphql", sample, {})
        if got != expected:
            raise RuntimeError(f"PostGraphile differs from the app:\n{expected}\n{got}")
        log("S1: PostGraphile 4")
        m = wrk(node.url + "/graphql", d, c, method="POST", body_lines=lines,
                pid=node.proc.pid)
    finally:
        node.stop()
        asyncio.run(peer_servers.drop_peer_schema(url, peer))
    results["S1p"] = {"app": s1, "reference": m, "ratio": round(s1["rps"] / m["rps"], 3),
                      "cpu_ratio": round(m["server_cpu_ms_per_req"]
                                         / s1["server_cpu_ms_per_req"], 3),
                      "p99_ratio": round(s1["p99_ms"] / m["p99_ms"], 3),
                      "target": PEER_TARGET, "node": peer_servers.node_version(),
                      "postgraphile": peer_servers.postgraphile_version()}
    log(f"S1 vs PostGraphile: {s1['rps']} vs {m['rps']} req/s")


def scaling(env: dict, tmp: Path, lines: Path, seed: dict, results: dict, d: float,
            c: int) -> None:
    """`sijil serve --workers 2` against the one worker measured above: S1 and the S3 page."""
    port = free_port()
    app = Server("app-2-workers", [PY, "-m", "server.cli", "serve", "--no-worker", "--workers",
                                   "2", "--port", str(port)],
                 {**env, "BASE_URL": f"http://127.0.0.1:{port}"}, port, tmp)
    try:
        app.wait_ready("/healthz")
        time.sleep(2)  # both workers up, not only the first
        log("W: S1 and the S3 page on two worker processes")
        s1 = wrk(app.url + "/graphql", d, c, method="POST", body_lines=lines,
                 pid=app.proc.pid)
        page = wrk(app.url + "/", d, c, headers={"cookie": f"sijil-sid={seed['seeded']['token']}",
                                                 "accept": "text/html"}, pid=app.proc.pid)
    finally:
        app.stop()
    one_s1, one_s3 = results["S1"]["app"], results["S3"]["app"]
    results["W"] = {"S1": {"two": s1, "one": one_s1, "ratio": round(s1["rps"] / one_s1["rps"], 3)},
                    "S3": {"two": page, "one": one_s3,
                           "ratio": round(page["rps"] / one_s3["rps"], 3)},
                    "target": SCALING_TARGET}
    log(f"W: S1 {s1['rps']} vs {one_s1['rps']}, S3 {page['rps']} vs {one_s3['rps']} req/s")


QUEUE_DEEP_PAGE = 500


def page_cursor(graphql: str, headers: dict, page: int, first: int = 20) -> str | None:
    """The cursor after which page `page` of the review queue starts (keyset: walked page
    by page, as a client would), or None when the queue is shorter."""
    cursor = None
    query = operation("ReviewQueue")
    with httpx.Client(timeout=30) as client:
        for _ in range(page - 1):
            r = client.post(graphql, json={"query": query, "variables": {
                "first": first, "after": cursor}}, headers=headers)
            info = r.json()["data"]["reviewQueue"]["pageInfo"]
            if not info["hasNextPage"]:
                return None
            cursor = info["endCursor"]
    return cursor


def outbox(env: dict, results: dict, postgres: bool) -> None:
    log("S6: 5,000 emails through the outbox, one worker")
    out = sh([PY, "-m", "bench.outbox_bench", "run", "--emails", "5000", "--workers", "1"], env,
             timeout=900)
    one = json.loads(next(x for x in out.splitlines() if x.startswith("OUTBOXJSON "))
                     .removeprefix("OUTBOXJSON "))
    drain = max(w["seconds"] for w in one["per_worker"])
    one["drain_seconds"] = round(drain, 2)
    one["drain_emails_per_s"] = round(one["emails"] / drain, 1)
    results["S6"] = {"one_worker": one, "target_per_s": 500}
    log(f"S6 {one['drain_emails_per_s']} emails/s (drain), exactly once: {one['exactly_once']}")
    if postgres:
        log("S6: two workers on PostgreSQL")
        out = sh([PY, "-m", "bench.outbox_bench", "run", "--emails", "5000", "--workers", "2"],
                 env, timeout=900)
        two = json.loads(next(x for x in out.splitlines() if x.startswith("OUTBOXJSON "))
                         .removeprefix("OUTBOXJSON "))
        results["S6"]["two_workers"] = two
        log(f"S6 two workers: {two['emails_per_s']} emails/s, exactly once "
            f"{two['exactly_once']}")


def import_100k(env_base: dict, results: dict, setup: dict, args, postgres: bool) -> None:
    if not postgres and args.practitioners == 100_000:
        results["S7"] = {"seconds": setup["import_s"], "rows": 100_000,
                         "output": setup["import_output"], "target_s": 60,
                         "note": "the setup import of this run"}
        return
    log("S7: import of 100,000 rows into a scratch SQLite database")
    from bench.generate_registry import write_csv

    with tempfile.TemporaryDirectory(prefix="sijil-s7-") as tmp:
        env = {**env_base, "DATABASE_URL": f"sqlite://{tmp}/s7.sqlite3", "DATA_DIR": tmp}
        sh([PY, "-m", "server.cli", "migrate"], env)
        csv_path = write_csv(Path(tmp) / "registry.csv", 100_000, args.seed)
        out = sh([PY, "-m", "server.cli", "import-practitioners", str(csv_path)], env)
    match = re.search(r"in ([\d.]+) s", out)
    results["S7"] = {"seconds": float(match.group(1)), "rows": 100_000,
                     "output": out.strip().splitlines()[-1], "target_s": 60}


def run_once(args, base_url: str, only: set[str], label: str) -> dict:
    """One database, built and seeded (or, with --reuse NAME, the one a previous run with
    the same NAME, database and size left under var/bench/), then the scenarios."""
    postgres = is_postgres(base_url)
    results: dict = {"practitioners": args.practitioners}
    reuse = getattr(args, "reuse", None) if label == "main" else None
    with contextlib.ExitStack() as stack:
        schema = None
        if reuse:
            name = re.sub(r"[^a-z0-9_]", "_", reuse.lower())
            tmp = ROOT / "var" / "bench" / \
                f"{name}-{'pg' if postgres else 'sqlite'}-{args.practitioners}"
            tmp.mkdir(parents=True, exist_ok=True)
            if postgres:
                url = pg_schema_url(base_url, f"bench_keep_{name}_{args.practitioners}")
            else:
                url = f"sqlite://{tmp / 'bench.sqlite3'}"
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sijil-bench-")))
            if postgres:
                schema = f"bench_{uuid.uuid4().hex[:10]}"
                url = pg_schema_url(base_url, schema)
                asyncio.run(pg_schema(base_url, schema))
            else:
                url = f"sqlite://{tmp / 'bench.sqlite3'}"
        saved = tmp / "env.json"
        secret_env = json.loads(saved.read_text()) if reuse and saved.exists() else {
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "PAYMENT_WEBHOOK_SECRET": "bench-" + secrets.token_urlsafe(20)}
        env = {**os.environ, "SIJIL_ENV": "development", "DATABASE_URL": url,
               "DATA_DIR": str(tmp), **secret_env, "PYTHONPATH": str(ROOT)}
        try:
            log(f"[{label}] database: {url}")
            if reuse and saved.exists() and (tmp / "seed.json").exists():
                sh([PY, "-m", "bench.seed", str(tmp / "seed.json"), "--refresh"], env)
                seed = json.loads((tmp / "seed.json").read_text())
                setup = json.loads((tmp / "setup.json").read_text())
                setup["reused"] = str(tmp)
                log(f"reusing the database seeded earlier ({tmp})")
            else:
                if reuse and postgres:
                    schema_name = re.search(r"[?&]schema=([a-z0-9_]+)", url).group(1)
                    asyncio.run(pg_schema(base_url, schema_name, drop=True))
                    asyncio.run(pg_schema(base_url, schema_name))
                elif reuse:
                    (tmp / "bench.sqlite3").unlink(missing_ok=True)
                seed, setup = build(args, env, tmp)
                if reuse:
                    (tmp / "setup.json").write_text(json.dumps(setup))
                    saved.write_text(json.dumps(secret_env))
            results["setup"] = setup
            scenarios(args, env, tmp, seed, results, only)
            if "S6" in only:
                outbox(env, results, postgres)
            if "S7" in only:
                import_100k({k: v for k, v in env.items()}, results, setup, args, postgres)
            if args.keep_logs:
                for log_file in tmp.glob("*.log"):
                    shutil.copy(log_file, BENCH / "results" / f"{label}-{log_file.name}")
        finally:
            if schema:
                asyncio.run(pg_schema(base_url, schema, drop=True))
    return results


def verdicts(r: dict) -> list[dict]:
    """One row per scenario for the table."""
    rows = []

    def row(name, what, m, ref, ratio, target, ok, queries="", note="", cpu_ratio=None):
        rows.append({"scenario": name, "what": what, "rps": m.get("rps") if m else None,
                     "cpu_ms": m.get("server_cpu_ms_per_req") if m else None,
                     "cpu_ratio": cpu_ratio,
                     "p50_ms": m.get("p50_ms") if m else None,
                     "p95_ms": m.get("p95_ms") if m else None,
                     "p99_ms": m.get("p99_ms") if m else None, "queries": queries,
                     "reference": ref, "ratio": ratio, "target": target,
                     "verdict": "PASS" if ok else "FAIL", "note": note})

    def vs(name, what, s, ref_name, target, p99_target=None, queries=""):
        m = s["reference"]
        ok = s["ratio"] >= target and (p99_target is None or s["p99_ratio"] <= p99_target)
        p99 = f", p99 {s['p99_ratio']:.2f}× its {m['p99_ms']} ms" if "p99_ratio" in s else ""
        row(name, what, s["app"], f"{ref_name} {m['rps']:,.0f} req/s, "
            f"{m['server_cpu_ms_per_req']} ms CPU/req{p99}", s["ratio"],
            f"≥ {target}" + (f", p99 ≤ {p99_target:g}×" if p99_target else ""), ok, queries,
            cpu_ratio=s.get("cpu_ratio"))

    if "S1" in r:
        vs("S1", "VerifyPractitioner /graphql", r["S1"], "Starlette + Tortoise reference",
           S1_TARGET, S1_P99, r["S1"]["queries"])
    if "S1a" in r:
        vs("S1a", "VerifyPractitioner /graphql", r["S1a"], "asyncpg one-statement reference",
           ASYNCPG_TARGET, ASYNCPG_P99, r["S1"]["queries"])
    elif "S1" in r and r.get("S1_peers_note"):
        row("S1a", "vs the asyncpg reference", None, "", "", f"≥ {ASYNCPG_TARGET}", False,
            note="not run: " + r["S1_peers_note"])
        rows[-1]["verdict"] = "SKIPPED"
    if "S1p" in r and "skipped" not in r["S1p"]:
        s = r["S1p"]
        vs("S1p", f"VerifyPractitioner /graphql vs PostGraphile {s.get('postgraphile')} "
           f"(node {s.get('node')})", s, "PostGraphile", PEER_TARGET, None, r["S1"]["queries"])
    elif "S1p" in r or ("S1" in r and r.get("S1_peers_note")):
        row("S1p", "vs PostGraphile 4", None, "", "", f"≥ {PEER_TARGET}", False,
            note="not run: " + (r.get("S1p", {}).get("skipped") or r["S1_peers_note"]))
        rows[-1]["verdict"] = "SKIPPED"
    if "V" in r:
        s = r["V"]
        m = s["reference"]
        row("V", "GET /verify/{number} page (anonymous, HTML)", s["app"],
            f"PublicRegisterEntry /graphql {m['rps']:,.0f} req/s, "
            f"{m['server_cpu_ms_per_req']} ms CPU/req", s["ratio"], f"≥ {PAGE_TARGET}",
            s["ratio"] >= PAGE_TARGET, cpu_ratio=s.get("cpu_ratio"))
    if "S2" in r:
        s = r["S2"]
        f = s["fixed_rate"]
        ok = s["queries"] <= 6 and f["p99_ms"] <= 50 and f["errors"] == 0
        row("S2", "MyPractitioner, bearer, fixed 100 req/s", f,
            f"saturation {s['saturation']['rps']:,.0f} req/s", "", "≤ 6 queries, p99 ≤ 50 ms",
            ok, s["queries"])
    if "S3" in r:
        s = r["S3"]
        row("S3", "GET / dashboard (cookie)", s["app"],
            f"PageDashboard /graphql {s['reference']['rps']:,.0f} req/s "
            f"({s['reference_queries']} queries, "
            f"{s['reference']['server_cpu_ms_per_req']} ms CPU/req)", s["ratio"], "≥ 0.8",
            s["ratio"] >= 0.8, s["queries"], cpu_ratio=s.get("cpu_ratio"))
    if "S5" in r:
        s = r["S5"]
        app_only = {**s["app"], "server_cpu_ms_per_req": None}  # it includes argon2's CPU
        row("S5", "S1 during 8 continuous sign-ins", app_only,
            f"S1 alone {s['reference']['rps']:,.0f} req/s", s["ratio"], "≥ 0.7",
            s["ratio"] >= 0.7, s["queries"],
            f"{s['signins']['rps']} sign-ins/s, p50 {s['signins']['p50_ms']} ms")
    if "S6" in r:
        s = r["S6"]["one_worker"]
        two = r["S6"].get("two_workers")
        ok = s["drain_emails_per_s"] >= 500 and s["exactly_once"] and \
            (two is None or two["exactly_once"])
        note = f"exactly once: {s['exactly_once']}"
        if two:
            note += f"; 2 workers {two['emails_per_s']}/s, exactly once {two['exactly_once']}"
        row("S6", "outbox → aiosmtpd, 5,000 emails, 1 worker",
            {"rps": s["drain_emails_per_s"]}, "", "", "≥ 500 emails/s", ok, "", note)
    if "S7" in r:
        s = r["S7"]
        row("S7", "import-practitioners 100,000 rows (SQLite)",
            {"rps": round(s["rows"] / s["seconds"])}, "", "", "≤ 60 s", s["seconds"] <= 60, "",
            f"{s['seconds']} s")
    if "S8" in r:
        s = r["S8"]
        row("S8", "full renewal over GraphQL (sum of 6 requests)", None, "", "", "≤ 300 ms",
            s["median_total_ms"] <= 300 and s["all_approved"], "",
            f"median {s['median_total_ms']} ms, max {s['max_total_ms']} ms over "
            f"{len(s['runs'])} renewals; approved: {s['all_approved']}")
    if "W" in r:
        for key, what in (("S1", "VerifyPractitioner /graphql"), ("S3", "GET / dashboard")):
            s = r["W"][key]
            row("W", f"{what}, `--workers 2`", s["two"],
                f"one worker {s['one']['rps']:,.0f} req/s", s["ratio"], f"≥ {SCALING_TARGET}×",
                s["ratio"] >= SCALING_TARGET,
                note="CPU ms/req summed over both workers")
    if "S4" in r:
        s = r["S4"]
        for key, label in (("S1", "VerifyPractitioner"), ("RQ", "ReviewQueue first 20")):
            big, small = s["large"].get(key), s["small"].get(key)
            if big and small:
                big_m = big["app"] if key == "S1" else big
                small_m = small["app"] if key == "S1" else small
                ratio = round(big_m["p99_ms"] / small_m["p99_ms"], 3)
                row("S4", f"{label} at {s['large_n']:,} vs {s['small_n']:,}", big_m,
                    f"p99 {small_m['p99_ms']} ms at {s['small_n']:,}", ratio, "p99 ≤ 1.5×",
                    ratio <= 1.5, note="ratio = p99 at the large size ÷ p99 at the small")
        first, deep = s["large"].get("RQ"), s["large"].get("RQ500")
        if first and deep:
            ratio = round(deep["p50_ms"] / first["p50_ms"], 3)
            row("S4", f"ReviewQueue page {QUEUE_DEEP_PAGE} (keyset) at {s['large_n']:,}", deep,
                f"page 1: p50 {first['p50_ms']} ms", ratio, "≤ 1.2× page 1", ratio <= 1.2,
                note="ratio = p50 of page 500 ÷ p50 of page 1, same load")
    return rows


def _loads(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "?"


def fmt(v, digits=1):
    if v is None or v == "":
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def write_doc(results: dict, path: Path) -> None:
    m = results["machine"]
    v = m["versions"]
    added = ", ".join(f"{k} {n:,}" for k, n in
                      results.get("setup", {}).get("rows_added", {}).items())
    lines = [
        "<!-- bench:begin (written by `make bench`; edit outside these markers) -->",
        f"## Latest run: {results['date']}",
        "",
        f"- Command: `{results['command']}`",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory; "
        f"{m['platform']}",
        f"- Python {m['python']}, strawberry-graphql {v['strawberry-graphql']}, starlette "
        f"{v['starlette']}, tortoise-orm {v['tortoise-orm']}, uvicorn {v['uvicorn']}, "
        f"graphql-core {v['graphql-core']}; load: {m['wrk']} (1 thread) and "
        f"bench/loadgen.py",
        f"- Database: {results['database']}, {results['practitioners']:,} practitioners "
        f"(+ {added})" + (" — reused from an earlier run (`--reuse`), not fresh"
                          if results.get("setup", {}).get("reused") else ""),
        f"- App: `sijil serve --no-worker`, one uvicorn worker, SIJIL_ENV=development, request "
        f"log on; closed-loop scenarios: {results['connections']} connections, "
        f"{results['duration']} s after a 2 s warm-up",
        f"- Load average (1, 5, 15 min) at the start: {_loads(results.get('loadavg_start'))}; "
        f"at the end: {_loads(results.get('loadavg_end'))}; 1-minute average after each "
        f"measured run: {results.get('loadavg_range', '?')}. Run time: "
        f"{results.get('seconds', 0) / 60:.1f} min. Throughput and latency are sensitive to it; "
        f"the server's CPU time per request (from /proc/<pid>/stat) hardly is, so the CPU "
        f"ratio (reference CPU/request ÷ app CPU/request) is given beside each ratio.",
        "",
        "| | scenario | req/s | p50 ms | p95 ms | p99 ms | SQL/req | server CPU ms/req | "
        "reference | ratio (CPU ratio) | target | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for row in results["table"]:
        what = row["what"] + (f" — {row['note']}" if row["note"] else "")
        lines.append(
            f"| {row['scenario']} | {what} | {fmt(row['rps'])} | {fmt(row['p50_ms'], 2)} | "
            f"{fmt(row['p95_ms'], 2)} | {fmt(row['p99_ms'], 2)} | {fmt(row['queries'])} | "
            f"{fmt(row['cpu_ms'], 2)} | {row['reference'] or '–'} | {fmt(row['ratio'], 2)}"
            f"{' (' + fmt(row['cpu_ratio'], 2) + ')' if row['cpu_ratio'] else ''} | "
            f"{row['target']} | "
            f"**{row['verdict']}** |")
    if "S8" in results:
        steps = results["S8"]["median_step_ms"]
        lines += ["", "S8 median per request (ms): " + ", ".join(
            f"{k} {v}" for k, v in steps.items()) + "."]
    if "S4" in results and results["S4"].get("source"):
        s4 = results["S4"]
        lines += ["", f"S4 ran on {s4['database']} (`{s4['source']}`, command "
                      f"`{s4['command']}`): {s4['large_n']:,} practitioners imported in "
                      f"{s4['large']['setup'].get('import_s')} s, and their experiences, "
                      f"licences, CPD activities and applications added in "
                      f"{s4['large']['setup'].get('seed_s')} s."]
    if "queries_per_request" in results:
        lines += ["", "SQL statements per request (counted server-side, in process, after two "
                      "warm-up requests): " + "; ".join(
                          f"{k} {n}" for k, n in results["queries_per_request"].items()) + "."]
    lines += ["", f"Raw numbers: `bench/results/{results['file']}`.",
              "<!-- bench:end -->"]
    block = "\n".join(lines)
    if path.exists():
        text = path.read_text()
        if "<!-- bench:begin" in text and "<!-- bench:end -->" in text:
            text = re.sub(r"<!-- bench:begin.*?<!-- bench:end -->", lambda _: block, text,
                          flags=re.S)
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
    else:
        text = "# Performance\n\nHow to measure: `make bench` (see bench/run.py).\n\n" + \
               block + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--renewals", type=int, default=5)
    parser.add_argument("--only", default=",".join(ALL),
                        help="comma-separated scenarios (default: all but S4)")
    parser.add_argument("--scale-test", action="store_true",
                        help="S4: S1 and the review queue at 1,000,000 vs 10,000 "
                             "practitioners (PostgreSQL; takes long)")
    parser.add_argument("--scale-large", type=int, default=1_000_000)
    parser.add_argument("--search-practitioners", type=int, default=1_000_000,
                        help="S9's register size")
    parser.add_argument("--search-reuse", action="store_true",
                        help="S9: keep its seeded schema and use it next time (--reuse)")
    parser.add_argument("--scale-small", type=int, default=10_000)
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--reuse", metavar="NAME", default=None,
                        help="keep the seeded database under var/bench/ (and its PostgreSQL "
                             "schema) and reuse it in the next run with the same NAME, "
                             "database and --practitioners: no import, no seeding (for S1, "
                             "V, S2, S3 and W; S8's renewals are spent by the first run)")
    parser.add_argument("--doc-from", type=Path, default=None,
                        help="only rewrite docs/performance.md from a results JSON file")
    args = parser.parse_args(argv)
    if args.doc_from:
        results = json.loads(args.doc_from.read_text())
        results["table"] = verdicts(results)
        args.doc_from.write_text(json.dumps(results, indent=1, default=str))
        write_doc(results, ROOT / "docs" / "performance.md")
        return 0
    if not shutil.which("wrk"):
        print("bench: wrk is needed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    base_url = os.environ.get("DATABASE_URL", "")
    postgres = is_postgres(base_url)
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()}
    started = time.perf_counter()
    stamp = dt.datetime.now().strftime("%Y-%m-%d")
    results = {"date": dt.datetime.now().isoformat(timespec="seconds"),
               "command": " ".join(["python -m bench.run", *(argv or sys.argv[1:])]),
               "machine": machine(), "duration": args.duration,
               "connections": args.connections,
               "database": "PostgreSQL (fresh schema)" if postgres else "SQLite (temp file)"}
    if postgres:
        import asyncpg  # noqa: F401  (the version, for the record)

        results["database"] += " " + _pg_version(base_url)
    results["loadavg_start"] = loadavg()
    log(f"load average at start: {results['loadavg_start']}")
    results.update(run_once(args, base_url, only, "main"))
    if args.scale_test:
        if not postgres:
            print("bench: --scale-test needs DATABASE_URL=postgres://…", file=sys.stderr)
        else:
            small_args = argparse.Namespace(**{**vars(args), "practitioners": args.scale_small})
            large_args = argparse.Namespace(**{**vars(args), "practitioners": args.scale_large})
            results["S4"] = {
                "small_n": args.scale_small, "large_n": args.scale_large,
                "small": run_once(small_args, base_url, {"S1", "RQ"}, "scale-small"),
                "large": run_once(large_args, base_url, {"S1", "RQ"}, "scale-large")}
    if "S9" in only:
        if postgres:
            from bench import register_search

            s9 = register_search.run(args.search_practitioners, args.duration, 100,
                                     min(args.connections, 16), base_url,
                                     reuse=args.search_reuse)
            results["S9"] = {k: v for k, v in s9.items() if k != "plans"}
            if not args.no_doc:
                register_search.write_doc(s9, ROOT / "docs" / "performance.md")
        else:
            log("S9 skipped: it measures PostgreSQL (DATABASE_URL=postgres://…)")
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["loadavg_end"] = loadavg()
    loads = [v["loadavg_1m_after"] for v in _walk(results) if "loadavg_1m_after" in v]
    if loads:
        results["loadavg_range"] = f"{min(loads):.1f}–{max(loads):.1f}"
    results["table"] = verdicts(results)
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    name = f"{stamp}.json"
    if (out_dir / name).exists():
        name = f"{stamp}-{dt.datetime.now().strftime('%H%M%S')}.json"
    results["file"] = name
    (out_dir / name).write_text(json.dumps(results, indent=1, default=str))
    if not args.no_doc:
        write_doc(results, ROOT / "docs" / "performance.md")
    for row in results["table"]:
        print(f"{row['scenario']:<3} {row['verdict']:<4} {row['what']}: rps {fmt(row['rps'])} "
              f"p50 {fmt(row['p50_ms'], 2)} p99 {fmt(row['p99_ms'], 2)} queries "
              f"{fmt(row['queries'])} ratio {fmt(row['ratio'], 2)} (target {row['target']}) "
              f"{row['note']}")
    print(f"results: bench/results/{name} ({results['seconds']} s)")
    return 0


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _pg_version(url: str) -> str:
    import asyncpg

    async def get() -> str:
        conn = await asyncpg.connect(url.replace("asyncpg://", "postgres://"))
        try:
            return (await conn.fetchval("SHOW server_version")).split()[0]
        finally:
            await conn.close()

    try:
        return asyncio.run(get())
    except Exception:
        return ""


if __name__ == "__main__":
    sys.exit(main())
