"""The database: Tortoise ORM from DATABASE_URL, with its built-in migrations (one history
for SQLite and PostgreSQL, under server/migrations)."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as apply_migrations
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor

from server.models import MODEL_MODULES

APPS = {
    "models": {
        "models": MODEL_MODULES,
        "default_connection": "default",
        "migrations": "server.migrations",
    }
}


def tortoise_config(url: str) -> dict:
    if url.startswith("sqlite://") and not url.startswith("sqlite://:memory:"):
        _ensure_sqlite_dir(url)
    return {"connections": {"default": url}, "apps": APPS, "use_tz": True, "timezone": "UTC"}


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    from server.config import BASE_DIR

    path = Path(url.removeprefix("sqlite://").split("?")[0])
    if not path.is_absolute():
        path = BASE_DIR / path
    path.parent.mkdir(parents=True, exist_ok=True)


def _resolve_sqlite(url: str) -> str:
    """Relative SQLite paths are relative to the checkout, not the working directory
    (server.config.BASE_DIR)."""
    if url.startswith("sqlite://") and not url.startswith(("sqlite:///", "sqlite://:memory:")):
        from server.config import BASE_DIR

        return f"sqlite://{BASE_DIR / url.removeprefix('sqlite://')}"
    return url


async def connect(url: str) -> None:
    """Initialise with the global fallback so request handlers, which run in other tasks
    than the lifespan, see the connection."""
    await Tortoise.init(config=tortoise_config(_resolve_sqlite(url)),
                        _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def migrate(url: str) -> list[str]:
    """Apply every unapplied migration; returns their names. Run before `connect`:
    Tortoise's migrate re-initialises the ORM."""
    applied: list[str] = []

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app}.{name}")

    await apply_migrations(config=tortoise_config(_resolve_sqlite(url)), progress=progress)
    await Tortoise.close_connections()
    return applied


async def pending_migrations(url: str) -> list[str]:
    await Tortoise.init(config=tortoise_config(_resolve_sqlite(url)))
    try:
        plan = await MigrationExecutor(connections.get("default"), APPS).plan()
        return [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]
    finally:
        await Tortoise.close_connections()


async def unapplied_migrations() -> list[str]:
    """What `pending_migrations` says, on the connection the app already holds."""
    plan = await MigrationExecutor(connections.get("default"), APPS).plan()
    return [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]


async def model_drift() -> list[str]:
    """Model changes that no migration describes yet (needs an initialised ORM)."""
    writers = await MigrationAutodetector(Tortoise.apps, APPS).changes()
    return [f"{w.app_label}: {op.describe()}" for w in writers for op in w.operations]
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
