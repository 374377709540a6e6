"""A registry of N practitioners loaded straight into PostgreSQL with COPY, for S9: the rows
`sijil import-practitioners` would write for bench/generate_registry.py's CSV, without the
import's per-batch look-ups (113 s for 30,000 rows; this loaded 1,000,000 in 7.4 minutes on
the shared 2-core machine at load average 15).

Each generated row goes through the import's own checks (`csv_rows.validated`: the name
parts as stored, the specialty's code, the identity number) and its search terms are
`models.practitioners.name_search_of`, the code the app runs when it writes a name. What it
leaves out is what the search never reads: the change feed's rows (`register_change`).

The schema must have been migrated (`sijil migrate`): the tables and their indexes are the
migrations'. The indexes that no constraint needs are dropped while the rows are copied and
then built again from their own definitions (`pg_indexes.indexdef`): the same indexes,
built once instead of updated a million times (those of the search's posting list too, whose
rows migration 0017's trigger writes with each batch of registrations). Then VACUUM ANALYZE,
as autovacuum would
after a bulk import: statistics for the planner, the visibility map for index-only scans.

    DATABASE_URL=postgres://…?schema=NAME .venv/bin/python -m bench.bulk_registry -n 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator

from bench.generate_registry import generate_rows
from server import clock
from server.models.practitioners import name_search_of
from server.resolvers.register.csv_rows import COLUMNS, Row, validated

TABLES = ("practitioner", "registration")
BATCH = 10_000
WORKERS = 3


def _split_url(url: str) -> tuple[str, str]:
    """(a plain postgres:// URL, the schema named by its `schema=` parameter)."""
    found = re.search(r"[?&]schema=([a-z0-9_]+)", url)
    if not found:
        raise SystemExit("bulk_registry: DATABASE_URL needs ?schema=NAME")
    plain = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    return plain, found.group(1)


def records(raw: list[list[str]], first_line: int, today: dt.date, now: dt.datetime
            ) -> Iterator[tuple[dict, dict]]:
    """(practitioner columns, registration columns) for generated CSV rows, as the import
    would write them."""
    header = list(COLUMNS)
    index = {name: i for i, name in enumerate(header)}
    for line, values in enumerate(raw, start=first_line):
        row = validated(Row(line, values), header, index, today)
        if row.person is None:  # the generator writes valid rows only
            raise ValueError(f"generated row {line} rejected: {row.reason}")
        person_id = uuid.uuid4()
        person = {**row.person, "id": person_id, "account_id": None, "is_trainee": False,
                  "is_practising": True, "sanctioned": False, "claimed_at": None,
                  "created_at": now, "updated_at": now, "name_search": name_search_of(row.person)}
        registration = {**row.registration, "practitioner_id": person_id, "number": row.number,
                        "suspended": False, "suspended_reason": "", "updated_at": now}
        yield person, registration


def _copy_batch(job: tuple) -> int:
    """In a worker process: one batch checked, reduced and copied in its own transaction."""
    plain, schema, columns, raw, first_line, today, now = job

    async def copy() -> None:
        import asyncpg

        people, registrations = [], []
        for person, registration in records(raw, first_line, today, now):
            people.append(tuple(person[c] for c in columns["practitioner"]))
            registrations.append(tuple(registration[c] for c in columns["registration"]))
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(f'SET search_path TO "{schema}"')  # as the app's sessions
            async with conn.transaction():
                for table, rows in (("practitioner", people), ("registration", registrations)):
                    await conn.copy_records_to_table(table, records=rows, columns=columns[table],
                                                     schema_name=schema)
        finally:
            await conn.close()

    asyncio.run(copy())
    return len(raw)


def _batches(n: int, seed: int, today: dt.date) -> Iterator[tuple[list[list[str]], int]]:
    batch: list[list[str]] = []
    line = 2  # the CSV's header is line 1
    for values in generate_rows(n, seed, today=today):
        batch.append(values)
        if len(batch) >= BATCH:
            yield batch, line
            line += len(batch)
            batch = []
    if batch:
        yield batch, line


async def load(url: str, n: int, seed: int = 1, *, today: dt.date | None = None,
               progress: Callable[[int], None] | None = None) -> dict:
    """Loads n practitioners (with their registrations) into the migrated, empty schema of
    `url`; returns timings."""
    import asyncpg

    plain, schema = _split_url(url)
    today = today or clock.today()
    now = clock.now()
    conn = await asyncpg.connect(plain)
    timings: dict = {}
    try:
        await conn.execute(f'SET search_path TO "{schema}"')
        for table in TABLES:
            if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                raise SystemExit(f"bulk_registry: {schema}.{table} is not empty")
        columns = {table: [r["column_name"] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 "
            "AND table_name = $2 ORDER BY ordinal_position", schema, table)]
            for table in TABLES}
        # The registration's id is its sequence's.
        columns["registration"].remove("id")
        # Every index and constraint but the primary keys, to be built again once the
        # rows are in (so every row is still checked as the import's would be).
        constraints = await conn.fetch(
            "SELECT conname, conrelid::regclass::text AS tab, pg_get_constraintdef(oid) AS def"
            " FROM pg_constraint WHERE connamespace = $1::regnamespace AND contype IN "
            "('u', 'f') AND conrelid = ANY(ARRAY[$2::regclass, $3::regclass]) "
            "ORDER BY contype DESC", schema, f"{schema}.practitioner", f"{schema}.registration")
        for c in reversed(constraints):  # foreign keys first
            await conn.execute(f'ALTER TABLE {c["tab"]} DROP CONSTRAINT "{c["conname"]}"')
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 "
            "AND tablename = ANY($2::text[]) AND indexname NOT LIKE '%\\_pkey'",
            schema, [*TABLES, "register_posting"])
        for index in indexes:
            await conn.execute(f'DROP INDEX "{schema}"."{index["indexname"]}"')
        started = time.perf_counter()
        done = 0
        # Generating is a third of the work and one random stream: this process does it;
        # checking, reducing the names and copying run in WORKERS processes.
        with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
            jobs = ((plain, schema, columns, raw, line, today, now)
                    for raw, line in _batches(n, seed, today))
            for count in pool.imap_unordered(_copy_batch, jobs):
                done += count
                if progress:
                    progress(done)
        timings["copy_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for index in indexes:
            await conn.execute(index["indexdef"])
        # Unique keys first (ORDER BY contype DESC), then the foreign keys.
        for c in constraints:
            await conn.execute(f'ALTER TABLE {c["tab"]} ADD CONSTRAINT "{c["conname"]}" '
                               f'{c["def"]}')
        timings["indexes_s"] = round(time.perf_counter() - started, 1)
        timings["rebuilt"] = [i["indexname"] for i in indexes] + [
            c["conname"] for c in constraints]
        started = time.perf_counter()
        # The posting list (migration 0017, PostgreSQL's search index) was written by its
        # trigger with each batch of registrations.
        await conn.execute(f'VACUUM ANALYZE "{schema}".practitioner, "{schema}".registration, '
                           f'"{schema}".register_posting')
        timings["vacuum_s"] = round(time.perf_counter() - started, 1)
        timings["rows"] = done
    finally:
        await conn.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")

    def progress(done: int) -> None:
        print(f"\r{done:,}/{args.n:,}", end="", file=sys.stderr, flush=True)

    print(asyncio.run(load(url, args.n, args.seed, progress=progress)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
