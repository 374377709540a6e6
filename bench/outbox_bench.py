"""S6: outbox delivery to a local aiosmtpd (server/integrations/devmailbox.py), in its own
process so that the SMTP server's CPU is not charged to the worker.

    python -m bench.outbox_bench run --emails 5000 --workers 1   # prints OUTBOXJSON {...}

`run` enqueues N email rows with `bulk_create` (channel email, payload subject/text/html),
starts the mailbox process, then drains with `server.worker.run_once` loops (one Deliverer
per worker; --workers 2 runs two worker processes at once, which is only safe on
PostgreSQL) and times it until no row of the batch is left unsent. Afterwards it reads every
received message and checks that each row was delivered exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from server import db

ROOT = Path(__file__).resolve().parent.parent


async def mailbox(directory: Path, port_file: Path) -> None:
    from server.integrations import devmailbox

    server, port = await devmailbox.start(directory)
    await asyncio.to_thread(port_file.write_text, str(port))
    async with server:
        await asyncio.Event().wait()


async def enqueue(n: int, tag: str) -> None:
    from server.models.outbox import OutboxMessage

    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    rows = [OutboxMessage(channel="email", recipient=f"bench-{tag}-{i}@example.com",
                          payload={"subject": f"Bench {tag} {i}",
                                   "text": f"Message {i} of the outbox benchmark.\n" * 5,
                                   "html": None},
                          next_attempt_at=moment) for i in range(n)]
    for i in range(0, n, 2000):
        await OutboxMessage.bulk_create(rows[i:i + 2000])


async def drain(smtp_url: str) -> dict:
    from bench.common import settings_from_env
    from server.worker import Deliverer, run_once

    deliverer = Deliverer(settings_from_env(), smtp_url)
    delivered, rounds, empty = 0, 0, 0
    started = time.perf_counter()
    while True:
        got = await run_once(deliverer)
        rounds += 1
        delivered += got
        if got == 0:
            empty += 1
            if empty >= 3:  # the other worker may hold the last batch: look again briefly
                break
            await asyncio.sleep(0.05)
        else:
            empty = 0
    return {"delivered": delivered, "rounds": rounds,
            "seconds": time.perf_counter() - started}


async def pending(tag: str) -> int:
    from server.models.outbox import OutboxMessage

    return await OutboxMessage.filter(recipient__startswith=f"bench-{tag}-").exclude(
        status="SENT").count()


async def with_db(coro_fn, *args):
    await db.connect(os.environ["DATABASE_URL"])
    try:
        return await coro_fn(*args)
    finally:
        await db.close()


def run(emails: int, workers: int) -> dict:
    tag = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="sijil-outbox-") as tmp:
        directory, port_file = Path(tmp) / "mailbox", Path(tmp) / "port"
        box = subprocess.Popen([sys.executable, "-m", "bench.outbox_bench", "mailbox",
                                str(directory), str(port_file)], cwd=ROOT)
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            smtp_url = f"smtp://127.0.0.1:{port_file.read_text()}"
            asyncio.run(with_db(enqueue, emails, tag))
            started = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, "-m", "bench.outbox_bench", "drain",
                                       smtp_url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
                     for _ in range(workers)]
            outs = [p.communicate(timeout=600)[0] for p in procs]
            seconds = time.perf_counter() - started
            left = asyncio.run(with_db(pending, tag))
            per_worker = [json.loads(o.strip().splitlines()[-1]) for o in outs]
            # exactly once: every subject of the batch received once
            time.sleep(0.3)
            seen: dict[str, int] = {}
            import email as email_lib

            for path in directory.glob("*.eml"):
                message = email_lib.message_from_bytes(path.read_bytes())
                subject = str(message["Subject"])
                if subject.startswith(f"Bench {tag} "):
                    seen[subject] = seen.get(subject, 0) + 1
        finally:
            box.terminate()
            box.wait()
    duplicates = sum(c - 1 for c in seen.values() if c > 1)
    return {"emails": emails, "workers": workers, "seconds": round(seconds, 2),
            "emails_per_s": round(emails / seconds, 1), "left_unsent": left,
            "received_distinct": len(seen), "duplicates": duplicates,
            "exactly_once": len(seen) == emails and duplicates == 0 and left == 0,
            "per_worker": per_worker}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mailbox")
    m.add_argument("directory", type=Path)
    m.add_argument("port_file", type=Path)
    d = sub.add_parser("drain")
    d.add_argument("smtp_url")
    r = sub.add_parser("run")
    r.add_argument("--emails", type=int, default=5000)
    r.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.cmd == "mailbox":
        asyncio.run(mailbox(args.directory, args.port_file))
    elif args.cmd == "drain":
        print(json.dumps(asyncio.run(with_db(drain, args.smtp_url))), flush=True)
    else:
        print("OUTBOXJSON " + json.dumps(run(args.emails, args.workers)), flush=True)


if __name__ == "__main__":
    main()
