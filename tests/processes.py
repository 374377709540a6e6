"""Starting `sijil` commands and nginx as real processes, for the tests of how Sijil is
deployed: a production environment, waiting for a port to answer, stopping cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

SIJIL = str(Path(sys.executable).with_name("sijil"))


def production_env(*, database_url: str, data_dir: Path, smtp_url: str, sms_url: str,
                   **extra: str) -> dict[str, str]:
    """What `SIJIL_ENV=production` requires (docs/operations.md), pointing at local
    stand-ins: the payment gateway is never called by these tests."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV")}
    return {**keep,
            "SIJIL_ENV": "production", "DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
            "SECRET_KEY": "deployment-test-secret-" + "k" * 40,
            "BASE_URL": "https://sijil.example", "SMTP_URL": smtp_url,
            "MAIL_FROM": "no-reply@sijil.example", "SMS_BACKEND": "taqnyat",
            "SMS_API_URL": sms_url, "SMS_API_TOKEN": "token", "SMS_SENDER": "SIJIL",
            "PAYMENT_PROVIDER": "moyasar", "MOYASAR_SECRET_KEY": "sk_test_deploy",
            "MOYASAR_PUBLISHABLE_KEY": "pk_test_deploy",
            "MOYASAR_API_URL": "http://127.0.0.1:9/v1", "PAYMENT_WEBHOOK_SECRET": "whsec-deploy",
            **extra}


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    try:
        return subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        handle.close()


def wait_until_answers(url: str, process: subprocess.Popen, log: Path,
                       timeout: float = 90) -> None:
    # Generous: a loaded CI machine takes long to start Python processes; a process that
    # dies ends the wait at once.
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2, verify=False).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop(process: subprocess.Popen, timeout: float = 20) -> int:
    """SIGTERM, as systemd stops a unit; SIGKILL only if it does not end in time."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found[int(entry.name)] = (entry / "cmdline").read_text().replace("\0", " ")
            except OSError:
                continue
    return found
