"""Development-only pages: the mailbox and SMS inbox of the embedded delivery backends."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.integrations import devmailbox, sms
from server.pages.plumbing import page_ctx, render


async def mailbox(request: Request):
    ctx = await page_ctx(request)
    messages = devmailbox.read(ctx.settings.data_dir / "mailbox")
    return render(request, ctx, "dev/mailbox.html", {"messages": messages})


async def mail_message(request: Request):
    ctx = await page_ctx(request)
    name = request.path_params["id"]
    path = ctx.settings.data_dir / "mailbox" / f"{name}.eml"
    if not name.replace("-", "").isalnum() or not path.exists():
        raise HTTPException(404)
    return render(request, ctx, "dev/mail.html", {"message": devmailbox.parse(path)})


async def sms_inbox(request: Request):
    ctx = await page_ctx(request)
    return render(request, ctx, "dev/sms.html",
                  {"messages": sms.read_console(ctx.settings.data_dir / "sms")})


ROUTES = [
    Route("/dev/mailbox", mailbox, methods=["GET"]),
    Route("/dev/mailbox/{id}", mail_message, methods=["GET"]),
    Route("/dev/sms", sms_inbox, methods=["GET"]),
]
