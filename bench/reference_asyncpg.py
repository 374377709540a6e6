"""The floor for S1: the same look-up as `verifyPractitioner` written as ONE SQL statement
on asyncpg (prepared once per connection, by asyncpg's statement cache) under a bare
Starlette endpoint: no ORM, no GraphQL, no middleware, no request log. It answers the same
JSON as the app, so bench/run.py checks the two agree before loading them.

    DATABASE_URL=postgres://…?schema=S python -m bench.reference_asyncpg --port P
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SQL = """
SELECT r.number, r.rank, r.specialty, r.valid_until, r.suspended, p.category,
       p.first_name_ar, p.father_name_ar, p.grandfather_name_ar, p.family_name_ar,
       p.first_name_en, p.father_name_en, p.grandfather_name_en, p.family_name_en
FROM registration r JOIN practitioner p ON p.id = r.practitioner_id
WHERE r.number = $1 LIMIT 1
"""
KINGDOM = dt.timezone(dt.timedelta(hours=3))


def _name(*parts: str) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())


def create_app(url: str) -> Starlette:
    schema = re.search(r"[?&]schema=([a-z0-9_]+)", url)
    dsn = re.sub(r"[?&]schema=[a-z0-9_]+", "", url).replace("asyncpg://", "postgres://")
    pool: dict = {}

    async def verify(request: Request) -> Response:
        body = json.loads(await request.body())
        number = (body.get("variables") or {}).get("registrationNumber", "").strip().upper()
        async with pool["pool"].acquire() as conn:
            row = await conn.fetchrow(SQL, number)
        result = None
        if row is not None:
            today = dt.datetime.now(KINGDOM).date()
            status = "SUSPENDED" if row["suspended"] else \
                "EXPIRED" if today > row["valid_until"] else "ACTIVE"
            result = {
                "registrationNumber": row["number"],
                "fullNameAr": _name(row["first_name_ar"], row["father_name_ar"],
                                    row["grandfather_name_ar"], row["family_name_ar"]),
                "fullNameEn": _name(row["first_name_en"], row["father_name_en"],
                                    row["grandfather_name_en"], row["family_name_en"]),
                "category": row["category"], "specialty": row["specialty"],
                "rank": row["rank"], "status": status,
                "validUntil": row["valid_until"].isoformat(),
            }
        return Response(json.dumps({"data": {"verifyPractitioner": result}},
                                   ensure_ascii=False, separators=(",", ":")),
                        media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        settings = {"search_path": schema.group(1)} if schema else {}
        pool["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10,
                                                 server_settings=settings)
        yield
        await pool["pool"].close()

    return Starlette(routes=[Route("/graphql", verify, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(os.environ["DATABASE_URL"]), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False, server_header=False)


if __name__ == "__main__":
    main()
