"""The practitioner's documents: the "My documents" page (every card, certificate and
receipt), the receipt PDF, and `documents_block`, which an application's page calls for
the same list narrowed to that application (web/templates/components/issued_documents.html)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.pages.plumbing import Context, execute, page_ctx, render
from server.resolvers.services.issued import receipt_pdf_for


async def _signed_in(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    return ctx


async def documents_block(ctx: Context, application_id: str) -> list[dict]:
    """For an application's page: pass the result as `issued_documents`."""
    return (await execute(ctx, "PageMyDocuments", {"applicationId": application_id})
            ).data["myDocuments"]


async def page(request: Request):
    ctx = await _signed_in(request)
    found = (await execute(ctx, "PageMyDocuments")).data["myDocuments"]
    return render(request, ctx, "record/documents.html", {"issued_documents": found})


async def receipt(request: Request) -> Response:
    """To the payer only; anyone else gets the 404 of a receipt that does not exist."""
    ctx = await _signed_in(request)
    found = await receipt_pdf_for(ctx.account.id, request.path_params["payment_id"])
    if found is None:
        raise HTTPException(404)
    reference, pdf = found
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="sijil-receipt-{reference}.pdf"',
        "cache-control": "no-store"})


ROUTES = [
    Route("/documents", page, methods=["GET"]),
    Route("/receipts/{payment_id}.pdf", receipt, methods=["GET"]),
]
