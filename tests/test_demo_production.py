"""`sijil demo` creates accounts whose passwords and authenticator secret are published in
the README: with SIJIL_ENV=production it refuses (exit 2, a message) and writes nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

from tests.test_config import PRODUCTION_OK


def sijil(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_demo_refuses_to_run_in_production_and_writes_nothing(tmp_path):
    database = tmp_path / "production.sqlite3"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SIJIL_", "SMTP_"))}
    development = {**base, "DATABASE_URL": f"sqlite://{database}",
                   "DATA_DIR": str(tmp_path / "data"), "SIJIL_ENV": "development"}
    assert sijil("migrate", env=development).returncode == 0
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    production = {**development, **PRODUCTION_OK, "DATABASE_URL": f"sqlite://{database}"}
    refused = sijil("demo", env=production)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "does not run with SIJIL_ENV=production" in refused.stderr
    assert "Nothing was written" in refused.stderr
    assert refused.stdout == ""
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM account").fetchone() == (0,)
