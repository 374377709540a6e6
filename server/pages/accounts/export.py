"""GET /account/export.zip: everything Sijil holds about the signed-in account, as one ZIP
(server/resolvers/accounts/export.py). Signed in only; never cached."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import clock
from server.pages.plumbing import page_ctx
from server.resolvers.accounts.export import export_everything
from server.resolvers.kernel import audit


async def download(request: Request) -> Response:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    data = await export_everything(ctx)
    await audit.record("account.exported", actor=ctx.account, ip=ctx.ip,
                       target_type="account", target_id=ctx.account.id, size=len(data))
    filename = f"sijil-export-{clock.today().isoformat()}.zip"
    return Response(data, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-store",
    })


ROUTES = [Route("/account/export.zip", download, methods=["GET"])]
