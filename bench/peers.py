"""The peers bench/run.py sets beside Sijil for S1, on PostgreSQL: the one-statement asyncpg
reference (bench/reference_asyncpg.py) and PostGraphile 4 (Node; bench/postgraphile/, its
package.json and package-lock.json committed, node_modules installed with `npm ci` on first
use). PostGraphile reads the same tables through one SQL function in a schema of its own,
`verify_practitioner(registration_number)`, which it exposes as
`verifyPractitioner(registrationNumber:)` with the same eight fields (registrationNumber,
fullNameAr, fullNameEn, category, specialty, rank, status, validUntil), so the same request
bodies go to all three and their answers are compared before any load."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from bench.common import BENCH

POSTGRAPHILE_DIR = BENCH / "postgraphile"
POSTGRAPHILE_BIN = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile"

_NAME = "concat_ws(' ', " + ", ".join(
    f"nullif(btrim(p.{part}_{{lang}}), '')"
    for part in ("first_name", "father_name", "grandfather_name", "family_name")) + ")"

PEER_SQL = """
CREATE SCHEMA "{peer}";
CREATE TYPE "{peer}".public_practitioner AS (
  registration_number text, full_name_ar text, full_name_en text, category text,
  specialty text, rank text, status text, valid_until date);
CREATE FUNCTION "{peer}".verify_practitioner(registration_number text)
RETURNS "{peer}".public_practitioner LANGUAGE sql STABLE AS $$
  SELECT r.number, {name_ar}, {name_en}, p.category, r.specialty, r.rank,
         CASE WHEN r.suspended THEN 'SUSPENDED'
              WHEN (now() AT TIME ZONE 'Asia/Riyadh')::date > r.valid_until THEN 'EXPIRED'
              ELSE 'ACTIVE' END,
         r.valid_until
  FROM "{schema}".registration r JOIN "{schema}".practitioner p ON p.id = r.practitioner_id
  WHERE r.number = upper(btrim(registration_number))
  LIMIT 1
$$;
"""


def base_url(url: str) -> str:
    return re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")


def postgraphile_missing() -> str | None:
    """Why PostGraphile cannot run here (None when it can), installing it on first use."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not found (apt-get install nodejs npm): PostGraphile peer skipped"
    if not POSTGRAPHILE_BIN.exists():
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=POSTGRAPHILE_DIR,
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or not POSTGRAPHILE_BIN.exists():
            return f"`npm ci` in bench/postgraphile failed: {result.stderr[-300:]}"
    return None


async def create_peer_schema(url: str, schema: str, peer: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(base_url(url))
    try:
        await conn.execute(PEER_SQL.format(peer=peer, schema=schema,
                                           name_ar=_NAME.format(lang="ar"),
                                           name_en=_NAME.format(lang="en")))
    finally:
        await conn.close()


async def drop_peer_schema(url: str, peer: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(base_url(url))
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{peer}" CASCADE')
    finally:
        await conn.close()


def postgraphile_command(url: str, peer: str, port: int) -> list[str]:
    return [str(POSTGRAPHILE_BIN), "-c", base_url(url), "-s", peer, "--host", "127.0.0.1",
            "--port", str(port), "--disable-query-log", "--disable-graphiql"]


def node_version() -> str | None:
    node = shutil.which("node")
    if not node:
        return None
    return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()


def postgraphile_version() -> str | None:
    package = POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "package.json"
    if not package.exists():
        return None
    import json

    return json.loads(Path(package).read_text()).get("version")
