"""The app as a real server for browser tests and screenshots: a temporary DATA_DIR, a
fresh database (a SQLite file there, or a fresh schema when DATABASE_URL is PostgreSQL),
`sijil migrate`, then `sijil serve` on a free port in development mode."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server.config import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT = 30.0


def chromium_path() -> str:
    """Debian's Chromium; its absence is a broken machine, not a reason to skip."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                           "(apt-get install chromium).")
    return str(CHROMIUM)


def launch_options() -> dict:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS, "headless": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


@contextlib.contextmanager
def database(data_dir: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(url):
        yield f"sqlite://{data_dir / 'browser.sqlite3'}"
        return
    from tests.conftest import create_pg_schema, drop_pg_schema, with_schema

    url = with_schema(url, f"browser_{uuid.uuid4().hex[:12]}")
    _run(create_pg_schema(url))
    try:
        yield url
    finally:
        _run(drop_pg_schema(url))


def _run(coroutine) -> None:
    """In a thread of its own: Playwright's sync API keeps an event loop running here."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sijil serve exited with {process.returncode}:\n"
                               + log.read_text(errors="replace")[-4000:])
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        time.sleep(0.1)
    raise RuntimeError(f"sijil serve did not answer /healthz in {START_TIMEOUT:.0f} s:\n"
                       + log.read_text(errors="replace")[-4000:])


class RunningApp(str):
    """The base URL (e.g. http://127.0.0.1:43121), which also knows the server's data folder
    (mailbox, SMS inbox) and database, for journeys that read a code or seed a record."""

    data_dir: Path
    database_url: str
    env: dict


@contextlib.contextmanager
def running_app(host: str = "127.0.0.1") -> Iterator[RunningApp]:
    """Yields the running app; stops the server afterwards. It listens on 127.0.0.1; `host`
    is the name its BASE_URL uses: passkeys need `localhost`, as Chromium accepts no IP
    address as a WebAuthn relying party."""
    with tempfile.TemporaryDirectory(prefix="sijil-browser-") as tmp:
        data_dir = Path(tmp)
        with database(data_dir) as database_url:
            port = free_port()
            base_url = f"http://{host}:{port}"
            env = {**os.environ, "SIJIL_ENV": "development", "DATA_DIR": str(data_dir),
                   "DATABASE_URL": database_url, "BASE_URL": base_url}
            env.pop("SMTP_URL", None)
            subprocess.run([sys.executable, "-m", "server.cli", "migrate"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
            log = data_dir / "serve.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
                     "--port", str(port)],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                _wait_until_healthy(base_url, process, log)
                running = RunningApp(base_url)
                running.data_dir, running.database_url, running.env = data_dir, database_url, env
                yield running
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
