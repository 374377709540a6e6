"""Liveness and readiness (docs/contract/README.md). `/healthz` is the cheap liveness check
(the process serves and the database answers); `/readyz` tells a load balancer whether this
process can do its work: the database answers, its migrations are all applied, and the
document store takes writes."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import db
from server.integrations.storage import storage_for

log = logging.getLogger("sijil")
# A check that has not answered by then is failing: a probe must not hang on a dead peer.
CHECK_TIMEOUT = 3.0


async def healthz(request: Request) -> Response:
    try:
        await db.ping()
    except Exception:
        log.exception("health check: the database does not answer")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def _migrations_applied(state) -> None:
    # Once all are applied they stay so for this process's code: asked again only until then.
    if getattr(state, "migrations_applied", False):
        return
    pending = await db.unapplied_migrations()
    if pending:
        raise RuntimeError(f"unapplied migrations: {', '.join(pending)}")
    state.migrations_applied = True


async def _fails(name: str, check) -> bool:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT)
    except Exception as error:
        log.warning("readiness: %s is failing: %s", name, error or type(error).__name__)
        return True
    return False


async def readyz(request: Request) -> Response:
    failing = []
    if await _fails("database", db.ping()):
        failing.append("database")  # and whether migrations are applied is unknown
    elif await _fails("migrations", _migrations_applied(request.app.state)):
        failing.append("migrations")
    if await _fails("storage", storage_for(request.app.state.settings).check()):
        failing.append("storage")
    if failing:
        return JSONResponse({"status": "unavailable", "failing": failing}, status_code=503)
    return JSONResponse({"status": "ready"})
