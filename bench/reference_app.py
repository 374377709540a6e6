"""The reference for S1: a minimal hand-written Starlette endpoint doing the same indexed
look-up as `verifyPractitioner` (server.resolvers.registry.registration_entry: one query on
the unique registration number joined to the practitioner) and answering the same JSON, with
no GraphQL, no middleware and no request log.

    DATABASE_URL=... python -m bench.reference_app --port P
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os

from server import db
from server.resolvers.register.lookup import registration_entry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def verify(request: Request) -> Response:
    body = json.loads(await request.body())
    number = (body.get("variables") or {}).get("registrationNumber", "")
    entry = await registration_entry(number)
    result = None
    if entry is not None:
        result = {
            "registrationNumber": entry["registration_number"],
            "fullNameAr": entry["full_name_ar"],
            "fullNameEn": entry["full_name_en"],
            "category": entry["category"],
            "specialty": entry["specialty"],
            "rank": entry["rank"],
            "status": str(entry["status"]),
            "validUntil": entry["valid_until"].isoformat(),
        }
    return Response(json.dumps({"data": {"verifyPractitioner": result}}, ensure_ascii=False,
                                separators=(",", ":")), media_type="application/json")


def create_app() -> Starlette:
    url = os.environ["DATABASE_URL"]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await db.connect(url)
        yield
        await db.close()

    return Starlette(routes=[Route("/graphql", verify, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False, server_header=False)


if __name__ == "__main__":
    main()
