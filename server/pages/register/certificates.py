"""Certificates: the public check page the QR code opens, and the owner's download."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.pages.plumbing import execute, page_ctx, render
from server.resolvers.services import certificates


async def check_page(request: Request):
    ctx = await page_ctx(request)
    found = (await execute(ctx, "PublicCertificateCheck", {"code": request.path_params["code"]})
             ).data["verifyCertificate"]
    return render(request, ctx, "register/certificate.html", {"c": found},
                  status=200 if found else 404)


async def download(request: Request):
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    certificate = await certificates.owned(ctx.account.id, request.path_params["code"])
    if certificate is None:
        raise HTTPException(404)
    pdf = await certificates.pdf_for(ctx.settings, certificate)
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="sijil-certificate-{certificate.code}.pdf"',
        "cache-control": "no-store"})


ROUTES = [
    Route("/verify/certificate/{code}", check_page, methods=["GET"]),
    Route("/certificates/{code}.pdf", download, methods=["GET"]),
]
