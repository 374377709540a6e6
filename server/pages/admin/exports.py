"""GET /admin/exports/{name}.csv: staff exports as CSV (server/resolvers/admin/exports.py),
streamed chunk by chunk (a StreamingResponse over keyset-paged queries), in UTF-8 with a
byte-order mark so Excel opens Arabic names correctly. Applications and the register for any
staff member, payments, refunds and the audit log for admins. Every export is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from server import clock
from server.domain.errors import AccessDenied, DomainError
from server.pages.plumbing import page_ctx
from server.resolvers.admin import exports
from server.resolvers.kernel import audit

BOM = "\ufeff"
ROWS_PER_WRITE = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A cell Excel will not run as a formula (CSV injection): text starting with = + - @
    gets a leading apostrophe. Numbers pass as they are."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def csv_lines(export: exports.Export) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(export.header)
    pending = 0
    async for row in export.rows:
        writer.writerow([_cell(v) for v in row])
        pending += 1
        if pending >= ROWS_PER_WRITE:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def _older(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


async def download(request: Request) -> StreamingResponse:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    name = request.path_params["name"]
    make = exports.EXPORTS.get(name)
    if make is None:
        raise HTTPException(404)
    params = request.query_params
    try:
        if name == "applications":
            export = await make(ctx, kind=params.get("kind") or None,
                                status=params.get("status") or None,
                                older_than_days=_older(params.get("older")))
        else:
            export = await make(ctx)
    except AccessDenied as error:
        raise HTTPException(403) from error
    except DomainError as error:
        raise HTTPException(400) from error
    await audit.record("admin.exported", actor=ctx.account, ip=ctx.ip, target_type="export",
                       target_id=name, filters={k: v for k, v in params.items() if v})
    filename = f"sijil-{name}-{clock.today().isoformat()}.csv"
    return StreamingResponse(csv_lines(export), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-store",
    })


ROUTES = [Route("/admin/exports/{name}.csv", download, methods=["GET"])]
