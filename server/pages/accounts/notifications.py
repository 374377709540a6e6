"""The notification inbox: every email and SMS sent to the signed-in account, newest first,
with a form to mark them read (all, or one) that works without JavaScript."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.plumbing import execute, page_ctx, read_form, redirect, render, submit


async def page(request: Request):
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    inbox = (await execute(ctx, "PageNotifications")).data["myNotifications"]
    return render(request, ctx, "accounts/notifications.html", {
        "inbox": inbox, "done": request.query_params.get("done") == "read"})


async def mark_read(request: Request):
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    form = await read_form(request)
    one = str(form.get("id", ""))
    _, errors = await submit(ctx, "PageMarkNotificationsRead", "markNotificationsRead",
                             {"input": {"ids": [one] if one else None}})
    # An id that is not the caller's (a stale page) marks nothing: the inbox as it is.
    return redirect(request, "/notifications" if errors else "/notifications?done=read")


ROUTES = [
    Route("/notifications", page, methods=["GET"]),
    Route("/notifications/read", mark_read, methods=["POST"]),
]
