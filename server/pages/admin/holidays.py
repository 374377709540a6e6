"""/admin/holidays: the days an admin leaves out of working days (overdue cases are counted
in working days), each named in Arabic and English. A list, a form to add one, and a page
that asks before one is removed; plain forms, so it all works without JavaScript."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.pages.admin.console import admin_only
from server.pages.forms import date_from_parts
from server.pages.plumbing import (
    execute,
    form_response,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)

TEMPLATE = "admin/holidays.html"
FIELDS = ("date-day", "date-month", "date-year", "nameAr", "nameEn")


async def _holidays(ctx) -> list[dict]:
    return (await execute(ctx, "AdminHolidays")).data["namedHolidays"]


async def page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, TEMPLATE, {
        "holidays": await _holidays(ctx), "values": {}, "errors": {},
        "done": request.query_params.get("done", "")})


async def add(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, *FIELDS)
    errors: dict[str, str] = {}
    day = date_from_parts(values, "date", errors, ctx.lang)
    if not errors:
        _, errors = await submit(ctx, "AdminAddHoliday", "addHoliday", {"input": {
            "date": day, "nameAr": values["nameAr"], "nameEn": values["nameEn"]}})
    if errors:
        return form_response(request, ctx, TEMPLATE, {
            "holidays": await _holidays(ctx), "values": values, "done": ""}, errors)
    return redirect(request, "/admin/holidays?done=added")


def _day(request: Request) -> str:
    try:
        return dt.date.fromisoformat(request.path_params["date"]).isoformat()
    except ValueError:
        raise HTTPException(404) from None


async def remove_confirm(request: Request):
    ctx = await admin_only(request)
    day = _day(request)
    found = [h for h in await _holidays(ctx) if h["date"] == day]
    if not found:
        raise HTTPException(404)
    return render(request, ctx, "admin/holiday_remove.html", {"holiday": found[0]})


async def remove(request: Request):
    ctx = await admin_only(request)
    await read_form(request)
    _, errors = await submit(ctx, "AdminRemoveHoliday", "removeHoliday", {
        "input": {"date": _day(request)}})
    if errors:
        return render(request, ctx, TEMPLATE, {
            "holidays": await _holidays(ctx), "values": {}, "errors": {},
            "action_errors": errors, "done": ""}, status=422)
    return redirect(request, "/admin/holidays?done=removed")


ROUTES = [
    Route("/admin/holidays", page, methods=["GET"]),
    Route("/admin/holidays", add, methods=["POST"]),
    Route("/admin/holidays/{date}/remove", remove_confirm, methods=["GET"]),
    Route("/admin/holidays/{date}/remove", remove, methods=["POST"]),
]
