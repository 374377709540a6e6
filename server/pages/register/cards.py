"""The registration card, /cards/{number}.pdf: the PDF its owner downloads."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.domain.applications import normalize_registration_number
from server.pages.plumbing import page_ctx
from server.resolvers.register.cards import card_pdf_for


async def card(request: Request) -> Response:
    """The registration card, to its owner only. Anyone else, signed in, gets the same 404
    as for a number that does not exist: the answer never says "exists, but not yours"."""
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    number = request.path_params["number"]
    pdf = await card_pdf_for(number, ctx.settings.base_url, owner_account_id=ctx.account.id)
    if pdf is None:
        raise HTTPException(404)
    # Found, so the normalised number is one the register holds: safe in a header.
    filename = f"sijil-card-{normalize_registration_number(number)}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        # Personal data: no shared cache may keep it, nor the browser's.
        "cache-control": "no-store",
    })


ROUTES = [
    Route("/cards/{number}.pdf", card, methods=["GET"]),
]
