"""`sijil check`, run as an operator runs it: one line per dependency, and a non-zero exit
naming what is wrong (here a database that is down and a bucket that does not exist)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port

SIJIL = str(Path(sys.executable).with_name("sijil"))


def check(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("STORAGE_URL", "SMTP_URL")}
    return subprocess.run([SIJIL, "check"], env={**base, "SIJIL_ENV": "test", **env},
                          capture_output=True, text=True, timeout=60)


def lines(result: subprocess.CompletedProcess) -> dict[str, str]:
    found = {}
    for line in result.stdout.splitlines():
        if not line.startswith("sijil check:"):
            mark, rest = line.split(maxsplit=1)
            name = next(n for n in ("config", "database", "migrations", "document store", "smtp",
                                    "sms gateway", "payment gateway") if rest.startswith(n))
            found[name] = mark
    return found


async def test_a_database_that_is_down_and_a_missing_bucket_are_named(
        settings, s3_server, smtp_server, tmp_path):
    dead = f"postgres://postgres:hunter2@127.0.0.1:{free_port()}/sijil"
    result = await asyncio.to_thread(
        check, DATABASE_URL=dead, DATA_DIR=str(tmp_path), STORAGE_URL="s3://no-such-bucket/docs",
        SMTP_URL=smtp_server.url, **s3_server.env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines(result) == {"config": "ok", "database": "FAIL", "migrations": "skip",
                             "document store": "FAIL", "smtp": "ok", "sms gateway": "ok",
                             "payment gateway": "ok"}, result.stdout
    assert result.stdout.splitlines()[-1] == "sijil check: failing: database, document store"
    assert "'no-such-bucket' does not exist" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr  # the password is masked


async def test_everything_answering_passes(settings, database, s3_server, smtp_server,
                                           sms_gateway):
    result = await asyncio.to_thread(
        check, DATABASE_URL=settings.database_url, DATA_DIR=str(settings.data_dir),
        STORAGE_URL=f"s3://{s3_server.bucket()}/docs", SMTP_URL=smtp_server.url,
        SMS_BACKEND="taqnyat", SMS_API_URL=sms_gateway.url, SMS_API_TOKEN="t",
        SMS_SENDER="SIJIL", PAYMENT_PROVIDER="moyasar", MOYASAR_SECRET_KEY="sk_test_x",
        MOYASAR_PUBLISHABLE_KEY="pk_test_y", **s3_server.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(lines(result).values()) == {"ok"} and len(lines(result)) == 7
    assert result.stdout.splitlines()[-1] == "sijil check: all ok"
    # An SMS gateway nobody listens at, and keys of two modes: both named.
    result = await asyncio.to_thread(
        check, DATABASE_URL=settings.database_url, DATA_DIR=str(settings.data_dir),
        SMS_BACKEND="taqnyat", SMS_API_URL=f"http://127.0.0.1:{free_port()}/v1/messages",
        SMS_API_TOKEN="t", SMS_SENDER="SIJIL", PAYMENT_PROVIDER="moyasar",
        MOYASAR_SECRET_KEY="sk_live_x", MOYASAR_PUBLISHABLE_KEY="pk_test_y")
    assert result.stdout.splitlines()[-1] == "sijil check: failing: sms gateway, payment gateway"
    assert "different modes" in result.stdout


async def test_a_bad_configuration_is_the_first_line(tmp_path):
    result = await asyncio.to_thread(check, SMS_BACKEND="pigeon", DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("FAIL config")
    assert "SMS_BACKEND='pigeon'" in result.stdout
