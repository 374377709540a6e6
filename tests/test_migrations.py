"""The migrations are the schema: they apply on a fresh database and describe every model."""

import os
import subprocess
import sys
import uuid

from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor

from server import db
from tests.conftest import IS_POSTGRES, TEST_DB, create_pg_schema, drop_pg_schema, with_schema


async def test_models_and_migrations_agree(database):
    drift = await db.model_drift()
    assert drift == [], f"models changed without a migration (run `sijil makemigrations`): {drift}"


async def test_nothing_is_pending_after_migrate(database):
    plan = await MigrationExecutor(connections.get("default"), db.APPS).plan()
    assert [step for step in plan if not step.backward] == []


def sijil(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60, check=False)


async def test_serve_refuses_unapplied_migrations_and_migrate_applies_them(tmp_path):
    if IS_POSTGRES:
        url = with_schema(TEST_DB, f"fresh_{uuid.uuid4().hex[:10]}")
        await create_pg_schema(url)
    else:
        url = f"sqlite://{tmp_path / 'fresh.sqlite3'}"
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "SIJIL_ENV": "development"}
    try:
        refused = sijil("serve", "--port", "1", env=env)
        assert refused.returncode == 2
        assert "unapplied migration" in refused.stderr and "sijil migrate" in refused.stderr

        first = sijil("migrate", env=env)
        assert first.returncode == 0, first.stderr
        assert "models.0001_initial" in first.stdout

        again = sijil("migrate", env=env)
        assert again.returncode == 0 and "already up to date" in again.stdout
    finally:
        if IS_POSTGRES:
            await drop_pg_schema(url)
