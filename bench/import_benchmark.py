"""How fast `sijil import-practitioners` is: generates N registry rows (default 100,000)
into a temporary directory, imports them into a fresh, migrated database (SQLite unless
--database-url is given), then imports the same file again (nothing changes) and a renewed
version of it (every row updates). The target is under 60 s for 100,000 rows on SQLite.

    python -m bench.import_benchmark [-n 100000] [--seed 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.generate_registry import write_csv
from server import db
from server.resolvers.register.csv_import import ImportSummary, import_practitioners

TARGET_SECONDS = 60.0


def report(label: str, summary: ImportSummary) -> None:
    rate = summary.read / summary.seconds if summary.seconds else 0.0
    print(f"{label:<26} {summary.seconds:7.1f} s {rate:9,.0f} rows/s   created "
          f"{summary.created:,}, updated {summary.updated:,}, unchanged "
          f"{summary.unchanged:,}, rejected {summary.rejected:,}", flush=True)


async def run(n: int, seed: int, database_url: str | None) -> list[ImportSummary]:
    with tempfile.TemporaryDirectory(prefix="sijil-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        first = write_csv(directory / "registry.csv", n, seed)
        renewed = write_csv(directory / "registry-renewed.csv", n, seed, renewed=True)
        print(f"generated 2 × {n:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        url = database_url or f"sqlite://{directory / 'bench.sqlite3'}"
        await db.migrate(url)
        await db.connect(url)
        try:
            results = []
            for label, path in (("first import (creates)", first),
                                ("same file again", first),
                                ("renewed file (updates)", renewed)):
                summary = await import_practitioners(path)
                report(label, summary)
                results.append(summary)
            return results
        finally:
            await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an empty database to import into (default: a new SQLite file)")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.n, args.seed, args.database_url))
    slowest = max(s.seconds for s in results)
    verdict = "within" if slowest < TARGET_SECONDS * args.n / 100_000 else "OVER"
    print(f"slowest run {slowest:.1f} s: {verdict} the target of {TARGET_SECONDS:.0f} s "
          "per 100,000 rows")
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    raise SystemExit(main())
