"""The `sijil` command (docs/contract/README.md)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
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
    serve.add_argument("--no-worker", action="store_true",
                       help="do not run the outbox worker inside the web process")
    commands.add_parser("worker", help="run the outbox worker alone")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("demo", help="load demonstration data")
    registry = commands.add_parser("import-practitioners", help="import registry records from "
                                   "a CSV file (idempotent by registration number)")
    registry.add_argument("file", metavar="FILE.csv")
    staff = commands.add_parser("create-staff", help="create a reviewer or admin account; "
                                                     "reads the password from stdin")
    staff.add_argument("--email", required=True)
    staff.add_argument("--role", required=True, choices=["reviewer", "admin"])
    make = commands.add_parser("makemigrations", help="(developers) write a migration for "
                                                      "model changes")
    make.add_argument("-n", "--name", default=None)
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as error:
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


def cmd_serve(settings, args) -> int:
    import uvicorn

    from server import db
    from server.app import create_app

    pending = asyncio.run(db.pending_migrations(settings.database_url))
    if pending:
        print(f"sijil: the database has {len(pending)} unapplied migration(s) "
              f"({', '.join(pending)}). Run `sijil migrate` first.", file=sys.stderr)
        return 2
    app = create_app(settings, background=not args.no_worker)
    print(f"Sijil is serving on http://{args.host}:{args.port}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, proxy_headers=False,
                server_header=False)
    return 0


def cmd_worker(settings, args) -> int:
    from server import db
    from server.worker import run_in_background

    async def run() -> None:
        await db.connect(settings.database_url)
        try:
            async with run_in_background(settings):
                await asyncio.Event().wait()
        finally:
            await db.close()

    asyncio.run(run())
    return 0


def cmd_demo(settings, args) -> int:
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


def cmd_makemigrations(settings, args) -> int:
    from tortoise.cli.cli import run_cli_async

    extra = ["-n", args.name] if args.name else []
    return asyncio.run(run_cli_async(["-c", "server.db.TORTOISE_ORM", "makemigrations", *extra]))


COMMANDS = {
    "serve": cmd_serve,
    "worker": cmd_worker,
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "makemigrations": cmd_makemigrations,
    "create-staff": cmd_create_staff,
    "import-practitioners": cmd_import_practitioners,
}

if __name__ == "__main__":
    sys.exit(main())
