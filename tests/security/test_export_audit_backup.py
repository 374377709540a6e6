"""PDPL data export (GET /account/export.zip) and backups that restore into a fresh database
with every record. (The append-only audit log: tests/test_audit_append_only.py.)"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import sqlite3
import tarfile
import zipfile

import asyncpg
import pytest
from tortoise import Tortoise, connections

from server.models.applications import Application
from server.models.audit import AuditEntry
from server.models.documents import Document
from server.models.payments import Payment
from tests.builders import MINIMAL_PDF
from tests.conftest import IS_POSTGRES, schema_of

# ------------------------------------------------------------------ export


async def export_of(client, token) -> zipfile.ZipFile:
    response = await client.get("/account/export.zip", headers={
        "authorization": f"Bearer {token}", "accept-language": "en"})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    return zipfile.ZipFile(io.BytesIO(response.content))


async def test_the_export_holds_everything_of_the_account_and_nothing_of_another(client, world):
    a, b = world.a, world.b
    archive = await export_of(client, a.token)
    names = set(archive.namelist())
    assert {"manifest.json", "account.json", "record.json", "applications.json",
            "payments.json", "audit.json", "sessions.json"} <= names

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["account_id"] == a.ids["account"] and manifest["generated_at"]
    assert set(manifest["files"]) >= {"record.json", "applications.json", "payments.json",
                                      "audit.json", "documents/"}
    assert all(manifest["files"].values())

    record = json.loads(archive.read("record.json"))
    assert record["practitioner"]["id"] == a.ids["practitioner"]
    assert record["practitioner"]["identity_number"].endswith("0008") or \
        "•" in record["practitioner"]["identity_number"]
    assert record["registration"]["number"] == a.ids["registration"]
    assert [e["id"] for e in record["experiences"]] == [a.ids["experience"]]
    assert [x["id"] for x in record["licenses"]] == [a.ids["license"]]
    assert [q["id"] for q in record["qualifications"]] == [a.ids["qualification"]]
    assert record["cpd_activities"] and record["changes"]

    applications = json.loads(archive.read("applications.json"))
    mine = await Application.filter(applicant_id=a.account.id).count()
    assert len(applications) == mine and all(x["events"] for x in applications)
    payments = json.loads(archive.read("payments.json"))
    assert len(payments) == await Payment.filter(
        application__applicant_id=a.account.id).count() >= 1
    audit_rows = json.loads(archive.read("audit.json"))
    # Every row of the account's, but the export's own (written once the ZIP is made).
    assert audit_rows and len(audit_rows) == await AuditEntry.filter(
        actor_id=a.account.id).exclude(action="account.exported").count()
    documents = await Document.filter(owner_id=a.account.id)
    files = [n for n in names if n.startswith("documents/")]
    assert len(files) == len(documents) == 3
    for document in documents:
        [name] = [n for n in files if n.startswith(f"documents/{document.id}-")]
        assert archive.read(name) == MINIMAL_PDF

    everything = b"".join(archive.read(n) for n in names).decode("utf-8", "replace")
    for marker in b.markers:
        assert marker not in everything, marker
    assert "1000000008" not in everything  # identity numbers stay masked in files that travel
    assert await AuditEntry.filter(action="account.exported",
                                   actor_id=a.account.id).count() == 1


async def test_the_export_needs_a_session_and_takes_no_ids(client, world):
    assert (await client.get("/account/export.zip")).status_code == 401
    staff = await client.get("/account/export.zip",
                             headers={"authorization": f"Bearer {world.reviewer.token}"})
    assert staff.status_code == 200  # a staff account exports its own (record-less) data
    archive = zipfile.ZipFile(io.BytesIO(staff.content))
    assert json.loads(archive.read("record.json")) is None
    assert world.a.ids["account"] not in archive.read("audit.json").decode()


async def test_document_names_in_the_export_cannot_escape_the_folder(client, world):
    await Document.filter(owner_id=world.a.account.id).update(
        original_name="../../etc/\u202epasswd/..\\x.pdf")
    archive = await export_of(client, world.a.token)
    for name in archive.namelist():
        assert ".." not in name.split("/") and not name.startswith("/")
        assert "\u202e" not in name and "\x00" not in name


# ------------------------------------------------------------------ backups


async def row_counts(conn) -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in Tortoise.apps.get_models_iterable()})
    counts = {}
    for table in tables:
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        counts[table] = rows[0]["n"] if isinstance(rows[0], dict) else rows[0][0]
    return counts


async def test_a_backup_restores_into_a_fresh_database_with_every_record(
        world, settings, tmp_path):
    """docs/operations.md's procedure: the database (SQLite backup API / pg_dump -Fc and
    pg_restore), then the documents as a tar archive, restored beside a fresh database.
    Every row comes back with the same contents, and every document's file with its hash."""
    conn = connections.get("default")
    before = await row_counts(conn)
    assert before["account"] >= 4 and before["document"] >= 6 and before["audit_entry"] >= 2

    if IS_POSTGRES:
        restored = await _pg_dump_and_restore(settings.database_url, tmp_path)
    else:
        restored = await asyncio.to_thread(_sqlite_backup, settings.database_url, tmp_path)
    assert {t: len(rows) for t, rows in restored.items()} == before
    for table, rows in restored.items():
        assert rows == await table_rows(conn, table), f"{table} differs after the restore"

    # The files: `tar -C DATA_DIR -czf documents.tar.gz documents`, unpacked elsewhere.
    archive = tmp_path / "documents.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(settings.data_dir / "documents", arcname="documents")
    elsewhere = tmp_path / "restored-data"
    with tarfile.open(archive) as tar:
        tar.extractall(elsewhere, filter="data")
    documents = await Document.all()
    assert len(documents) == before["document"]
    for document in documents:
        copy = elsewhere / "documents" / document.storage_key
        assert copy.is_file(), document.storage_key
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == document.sha256


async def table_rows(conn, table: str) -> list[tuple]:
    """Every row of `table`, as tuples in primary-key order, on either database."""
    _, rows = await conn.execute_query(f'SELECT * FROM "{table}" ORDER BY 1')
    return [_normalised(tuple(dict(r).values())) for r in rows]


def _normalised(row: tuple) -> tuple:
    # SQLite hands back text where asyncpg hands back UUIDs, dates and JSON: compare text.
    return tuple(None if v is None else str(v) for v in row)


def _sqlite_backup(url: str, tmp_path) -> dict[str, list[tuple]]:
    source_path = url.removeprefix("sqlite://").split("?")[0]
    target_path = tmp_path / "restored.sqlite3"
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # the online backup API, what `sqlite3 db .backup` uses
    finally:
        source.close()
        target.close()
    restored = sqlite3.connect(target_path)
    try:
        tables = [r[0] for r in restored.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: [_normalised(r) for r in restored.execute(
                    f'SELECT * FROM "{t}" ORDER BY 1')]
                for t in tables if t in _model_tables()}
    finally:
        restored.close()


def _model_tables() -> set[str]:
    return {m._meta.db_table for m in Tortoise.apps.get_models_iterable()}


async def _pg_dump_and_restore(url: str, tmp_path) -> dict[str, list[tuple]]:
    import shutil

    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore are not installed")
    schema = schema_of(url)
    base = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    dump = tmp_path / "sijil.dump"
    restored_schema = f"{schema}_restored"
    await _run("pg_dump", "-Fc", "--no-owner", "-n", schema, "-f", str(dump), base)
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{schema}_live"')
        try:
            await _run("pg_restore", "--no-owner", "-d", base, str(dump))
            await conn.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{restored_schema}"')
        finally:
            await conn.execute(f'ALTER SCHEMA "{schema}_live" RENAME TO "{schema}"')
        by_table = {}
        for table in sorted(_model_tables()):
            rows = await conn.fetch(f'SELECT * FROM "{restored_schema}"."{table}" ORDER BY 1')
            by_table[table] = [_normalised(tuple(r.values())) for r in rows]
        # The restored copy keeps the append-only trigger too.
        triggers = await conn.fetchval(
            "SELECT count(*) FROM information_schema.triggers WHERE event_object_schema = $1 "
            "AND event_object_table = 'audit_entry'", restored_schema)
        assert triggers >= 1
        return by_table
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{restored_schema}" CASCADE')
        await conn.close()


async def _run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await process.communicate()
    assert process.returncode == 0, (command[0], err.decode()[-2000:])
