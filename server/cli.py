"""The `sijil` command (docs/contract/README.md)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sys

from tortoise.exceptions import DBConnectionError

from server.config import SettingsError, load_settings
from server.logs import configure_logging

log = logging.getLogger("sijil")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sijil", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web app (and, in development, the "
                                              "outbox worker and the development mailbox)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None,
                       help="web processes sharing the port (default: WEB_CONCURRENCY, else 1)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not run the outbox worker inside the web process (never "
                            "does with SIJIL_ENV=production: run `sijil worker` beside it)")
    commands.add_parser("worker", help="run the outbox worker alone")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("check", help="check the configuration and reach every dependency; "
                                      "exits non-zero naming what is wrong")
    commands.add_parser("demo", help="load demonstration data")
    registry = commands.add_parser("import-practitioners", help="import registry records from "
                                   "a CSV file (idempotent by registration number)")
    registry.add_argument("file", metavar="FILE.csv")
    staff = commands.add_parser("create-staff", help="create a reviewer, supervisor or admin "
                                                     "account; reads the password from stdin")
    staff.add_argument("--email", required=True)
    staff.add_argument("--role", required=True, choices=["reviewer", "supervisor", "admin"])
    copy = commands.add_parser("copy-documents-to", help="copy every document from the "
                               "current store (STORAGE_URL) to another, keeping their keys; "
                               "idempotent")
    copy.add_argument("target", metavar="STORAGE_URL", help="file://PATH or s3://BUCKET/PREFIX")
    keys = commands.add_parser("keys", help="credential signing keys")
    keys.add_argument("action", choices=["rotate"],
                      help="rotate: make a new current key; the old one keeps verifying "
                           "until what it signed has expired")
    make = commands.add_parser("makemigrations", help="(developers) write a migration for "
                                                      "model changes")
    make.add_argument("-n", "--name", default=None)
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as error:
        if args.command == "check":
            from server.checks import Result

            print(Result("config", False, str(error)).line() + "\nsijil check: failing: config")
            return 1
        print(f"sijil: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.production)
    try:
        return COMMANDS[args.command](settings, args)
    except SettingsError as error:
        print(f"sijil: {error}", file=sys.stderr)
        return 2
    except (DBConnectionError, OSError) as error:
        print(f"sijil: cannot reach the database at {masked_url(settings.database_url)}: "
              f"{error or type(error).__name__}. Check DATABASE_URL and that the database "
              f"server is running.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def masked_url(url: str) -> str:
    """The URL without its password, to name it in a message or a log line."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)


def cmd_migrate(settings, args) -> int:
    from server import db

    applied = asyncio.run(db.migrate(settings.database_url))
    print(f"Migrations applied: {', '.join(applied) if applied else 'none (already up to date)'}")
    return 0


def cmd_check(settings, args) -> int:
    from server.checks import run_checks

    results = asyncio.run(run_checks(settings, masked_url))
    for result in results:
        print(result.line())
    failing = [r.name for r in results if r.ok is False]
    print(f"sijil check: failing: {', '.join(failing)}" if failing else "sijil check: all ok")
    # The S3 client's native threads may still be winding down when the interpreter
    # finalises, which aborts the process now and then (SIGABRT, seen under load): the
    # verdict is printed, so leave without finalising and keep the exit code a monitor reads.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if failing else 0)


def cmd_serve(settings, args) -> int:
    import uvicorn

    from server import db
    from server.app import create_app

    pending = asyncio.run(db.pending_migrations(settings.database_url))
    if pending:
        print(f"sijil: the database has {len(pending)} unapplied migration(s) "
              f"({', '.join(pending)}). Run `sijil migrate` first.", file=sys.stderr)
        return 2
    workers = settings.web_concurrency if args.workers is None else args.workers
    if workers < 1:
        print("sijil: --workers must be 1 or more", file=sys.stderr)
        return 2
    # In production the outbox worker is its own process (`sijil worker`), so web processes
    # can be added, restarted and killed without touching deliveries.
    background = not (args.no_worker or settings.production)
    # Proxy headers are applied by the app from FORWARDED_ALLOW_IPS (server/proxies.py),
    # never by uvicorn, which would otherwise trust 127.0.0.1 by default.
    options = dict(host=args.host, port=args.port, log_config=None, proxy_headers=False,
                   server_header=False, timeout_graceful_shutdown=20)
    print(f"Sijil is serving on http://{args.host}:{args.port} with {workers} process(es)"
          f"{' and the outbox worker' if background else ''}", file=sys.stderr)
    if workers == 1:
        uvicorn.run(create_app(settings, background=background), **options)
    else:
        # Each process builds its own app (its own database pool) from the environment.
        os.environ[SERVE_BACKGROUND] = "1" if background else "0"
        _metrics_shared_by(workers)
        uvicorn.run("server.cli:app_for_workers", factory=True, workers=workers, **options)
    return 0


SERVE_BACKGROUND = "SIJIL_SERVE_BACKGROUND"


def _metrics_shared_by(workers: int) -> None:
    """Several processes on one port count into one PROMETHEUS_MULTIPROC_DIR (server/metrics.py),
    emptied before they start so counts of an earlier run do not linger; without the setting,
    a fresh temporary directory."""
    import glob
    import tempfile

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="sijil-metrics-")
    os.makedirs(folder, exist_ok=True)
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def app_for_workers():
    """The app of one of `sijil serve --workers N`'s processes."""
    from server.app import create_app

    settings = load_settings()
    configure_logging(settings.production)
    return create_app(settings, background=os.environ.get(SERVE_BACKGROUND) == "1")


def cmd_worker(settings, args) -> int:
    from server import db
    from server.worker import run_in_background

    async def run() -> None:
        # SIGTERM (systemd's stop, a deploy) lets the round being delivered finish first, so
        # a restart does not leave claimed messages to wait for their lease to run out.
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        await db.connect(settings.database_url)
        try:
            async with run_in_background(settings):
                await stopping.wait()
        finally:
            await db.close()

    asyncio.run(run())
    return 0


def cmd_demo(settings, args) -> int:
    if settings.production:
        # Its accounts have documented passwords and a published authenticator secret.
        print("sijil: `sijil demo` loads accounts whose passwords are published; it does not "
              "run with SIJIL_ENV=production. Nothing was written.", file=sys.stderr)
        return 2
    from server import db
    from server.demo import load_demo

    async def run() -> list[str]:
        await db.connect(settings.database_url)
        try:
            return await load_demo(settings)
        finally:
            await db.close()

    for line in asyncio.run(run()):
        print(line)
    return 0


def cmd_create_staff(settings, args) -> int:
    from server import db
    from server.domain.errors import DomainError
    from server.i18n import gettext
    from server.resolvers.accounts.staff import create_staff

    password = sys.stdin.readline().rstrip("\n")

    async def run():
        await db.connect(settings.database_url)
        try:
            return await create_staff(args.email, args.role, password)
        finally:
            await db.close()

    try:
        account, uri = asyncio.run(run())
    except DomainError as error:
        for problem in error.problems:
            print(f"sijil: {problem.field}: {gettext('en', problem.msgid)}", file=sys.stderr)
        return 2
    print(f"Created {args.role} {account.email}.")
    print("Add this to the authenticator app (it is shown once):")
    print(uri)
    return 0


def cmd_import_practitioners(settings, args) -> int:
    from server import db
    from server.resolvers.register.csv_import import ImportFileError, import_practitioners

    pending = asyncio.run(db.pending_migrations(settings.database_url))
    if pending:
        print(f"sijil: the database has {len(pending)} unapplied migration(s). Run "
              "`sijil migrate` first.", file=sys.stderr)
        return 1

    async def run():
        await db.connect(settings.database_url)
        try:
            return await import_practitioners(
                args.file, progress=_progress_bar if sys.stdout.isatty() else None)
        finally:
            await db.close()

    try:
        summary = asyncio.run(run())
    except ImportFileError as error:
        print(f"sijil: {error}", file=sys.stderr)
        return 1
    rate = summary.read / summary.seconds if summary.seconds else 0
    print(f"Read {summary.read:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s): "
          f"{summary.created:,} created, {summary.updated:,} updated, "
          f"{summary.unchanged:,} unchanged, {summary.rejected:,} rejected.")
    if summary.rejected:
        print(f"Rejected rows, each with its line and the reason: {summary.rejected_path}")
    return 0


def _progress_bar(done: int, total: int) -> None:
    """A text bar on stderr, redrawn in place."""
    share = min(done / total, 1.0) if total else 1.0
    bar = "#" * int(share * 30)
    end = "\n" if done >= total else ""
    print(f"\rImporting [{bar:<30}] {share:4.0%} {done:,} rows", end=end, file=sys.stderr,
          flush=True)


def cmd_copy_documents_to(settings, args) -> int:
    from server import db
    from server.integrations.storage import StorageUnavailable, storage_at, storage_for
    from server.resolvers.kernel.copy_documents import copy_documents

    if args.target.rstrip("/") == settings.storage_url.rstrip("/"):
        print("sijil: the target is the current STORAGE_URL; name another store.",
              file=sys.stderr)
        return 2
    try:
        target = storage_at(args.target, settings)
    except ValueError as error:
        print(f"sijil: {error}", file=sys.stderr)
        return 2

    async def run():
        await db.connect(settings.database_url)
        try:
            await target.check()
            return await copy_documents(storage_for(settings), target)
        finally:
            await db.close()

    try:
        summary = asyncio.run(run())
    except StorageUnavailable as error:
        print(f"sijil: the target store does not answer: {error}", file=sys.stderr)
        return 2
    print(f"{summary.copied} copied, {summary.already_there} already there, "
          f"{len(summary.missing)} missing at the source, {len(summary.corrupt)} not matching "
          "their sha256 (not kept).")
    for document_id in summary.missing:
        print(f"missing at the source: document {document_id}")
    for document_id in summary.corrupt:
        print(f"not matching its sha256: document {document_id}")
    return 1 if summary.missing or summary.corrupt else 0


def cmd_makemigrations(settings, args) -> int:
    from tortoise.cli.cli import run_cli_async

    extra = ["-n", args.name] if args.name else []
    return asyncio.run(run_cli_async(["-c", "server.db.TORTOISE_ORM", "makemigrations", *extra]))


def cmd_keys(settings, args) -> int:
    from server import db
    from server.resolvers.register import signing_keys

    async def run() -> str:
        await db.connect(settings.database_url)
        try:
            return await signing_keys.rotate(settings.secret_key)
        finally:
            await db.close()

    print(f"new current signing key: {asyncio.run(run())}")
    return 0


COMMANDS = {
    "keys": cmd_keys,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "migrate": cmd_migrate,
    "check": cmd_check,
    "demo": cmd_demo,
    "makemigrations": cmd_makemigrations,
    "copy-documents-to": cmd_copy_documents_to,
    "create-staff": cmd_create_staff,
    "import-practitioners": cmd_import_practitioners,
}

if __name__ == "__main__":
    sys.exit(main())
