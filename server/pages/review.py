"""The reviewers' console in the browser: the queue, "take the next one", one application
with the decision form. Staff only: anyone else signed in gets 403, nobody signed in is sent
to sign in."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.domain import codes
from server.i18n import N_, gettext
from server.pages.labels import KIND_NAMES, VERIFICATION_LABELS
from server.pages.plumbing import (
    Context,
    execute,
    form_response,
    form_values,
    is_htmx,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)
from server.schema.base import decode_time_cursor

PAGE_SIZE = 25
QUEUE_STATUSES = ("SUBMITTED", "IN_REVIEW")
AGE_CHOICES = (1, 3, 5, 10, 30)

DECISION_DONE = {
    "APPROVED": N_("The application is approved."),
    "REJECTED": N_("The application is rejected."),
    "RETURNED": N_("The application is returned to the applicant for correction."),
    # Four eyes (server/resolvers/review/decisions.py): the approval waits.
    "IN_REVIEW": N_("Your approval is saved. It takes effect when a second admin approves "
                    "it, because it changes an identity number or a date of birth, or "
                    "grants the Consultant rank."),
}
REASON_REQUIRED = N_("Give the reason: the applicant sees it.")
FIX_REQUIRED = N_("Say what the applicant should correct.")
HOURS_INVALID = N_("Enter the hours as a number, like 1.5.")
SEARCH_TOO_SHORT = N_("Enter at least 2 characters: a name, an identity or registration "
                      "number, or an application reference.")

# Reasons the system writes into an application's history, shown in the reader's language.
HISTORY_REASONS = {
    "payment confirmed": N_("Payment confirmed"),
    "cancelled by applicant": N_("Cancelled by the applicant"),
}


async def staff_only(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    if not ctx.account.is_staff:
        raise HTTPException(403)
    return ctx


def _filters(params) -> dict:
    """The queue's filters from the query string; anything unknown is ignored."""
    kind = params.get("kind") or ""
    status = params.get("status") or ""
    older = (params.get("older") or "").strip()
    return {"kind": kind if kind in KIND_NAMES else "",
            "status": status if status in QUEUE_STATUSES else "",
            "older": older if older.isdigit() and int(older) <= 3650 else ""}


def _cursor(after: str | None) -> str | None:
    """A cursor this server made, else None (the first page): a forged one is not an
    error worth a page."""
    return after if decode_time_cursor(after) else None


def _query(filters: dict, **extra) -> str:
    values = {k: v for k, v in {**filters, **extra}.items() if v}
    return "?" + urlencode(values) if values else ""


async def queue_page(request: Request):
    ctx = await staff_only(request)
    filters = _filters(request.query_params)
    after = _cursor(request.query_params.get("after"))
    data = (await execute(ctx, "PageReviewQueue", {
        "first": PAGE_SIZE, "after": after, "kind": filters["kind"] or None,
        "status": filters["status"] or None,
        "olderThanDays": int(filters["older"]) if filters["older"] else None})).data
    page = data["reviewQueue"]
    params = request.query_params
    return render(request, ctx, "review/queue.html", {
        "items": [e["node"] for e in page["edges"]], "filters": filters,
        "kind_names": KIND_NAMES, "age_choices": AGE_CHOICES,
        "next_url": "/review" + _query(filters, after=page["pageInfo"]["endCursor"])
        if page["pageInfo"]["hasNextPage"] else None,
        "first_url": "/review" + _query(filters) if after else None,
        "nothing_waiting": params.get("taken") == "none",
        "released": params.get("released") == "1",
        "decided": DECISION_DONE.get(params.get("decided") or ""),
    })


async def take_next(request: Request):
    ctx = await staff_only(request)
    form = await read_form(request)
    kind = str(form.get("kind", ""))
    kind = kind if kind in KIND_NAMES else ""
    payload, _ = await submit(ctx, "PageClaimNextApplication", "claimNextApplication",
                              {"input": {"kind": kind or None}})
    if payload.get("application"):  # the kind goes along, so the next one is of it too
        return redirect(request, f"/review/{payload['application']['id']}"
                        + _query({"kind": kind}))
    return redirect(request, "/review" + _query({"kind": kind}, taken="none"))


async def _application(ctx: Context, application_id: str) -> dict:
    try:
        uuid.UUID(application_id)
    except ValueError:
        raise HTTPException(404) from None
    found = (await execute(ctx, "PageReviewApplication", {"id": application_id})
             ).data["reviewApplication"]
    if found is None:
        raise HTTPException(404)
    return found


def _page_values(ctx: Context, application: dict, **values) -> dict:
    lang = ctx.lang
    requested = {c["field"]: c["requested"] for c in application.get("requestedChanges") or []}
    classification = application["kind"] in ("CLASSIFICATION", "RECLASSIFICATION")
    category = requested.get("category") or (application.get("practitioner") or {}).get(
        "category")
    return {
        "a": application, "kind_names": KIND_NAMES, "verification_labels": VERIFICATION_LABELS,
        "rank_options": codes.choices("rank", lang, category=category)
        if classification and category else [],
        "proposed_rank": requested.get("rank"),
        "document_kind": lambda k: codes.label("document_kind", k, lang) or k,
        "country": lambda c: codes.label("country", c, lang) or c,
        # Codes (category, rank, specialty, …) by their labels in the reviewer's language.
        "code_label": lambda kind, value: codes.label(kind, value, lang) or value,
        "history_reasons": HISTORY_REASONS,
        "own": ctx.account is not None and application["applicant"] is not None
        and application["applicant"]["id"] == str(ctx.account.id),
        "values": {}, "errors": {}, **values,
    }


async def _canned(ctx: Context) -> list[dict]:
    """The prepared reasons as the picker offers them: shown in the reviewer's language,
    inserted in both (the applicant reads Arabic or English)."""
    rows = (await execute(ctx, "PageCannedReasons")).data["cannedReasons"]
    return [{"label": r["textAr"] if ctx.lang == "ar" else r["textEn"],
             "text": f"{r['textAr']}\n{r['textEn']}"} for r in rows]


async def application_page(request: Request):
    """Opening it claims it (the use case says who holds it otherwise), except when only
    looked at (`?look=1`, from search and files) or asked for by another site."""
    ctx = await staff_only(request)
    application_id = request.path_params["id"]
    if request.query_params.get("look") != "1" and \
            request.headers.get("sec-fetch-site") != "cross-site":
        try:
            uuid.UUID(application_id)
        except ValueError:
            raise HTTPException(404) from None
        await submit(ctx, "PageClaimApplication", "claimApplication",
                     {"input": {"applicationId": application_id}})
    application = await _application(ctx, application_id)
    return render(request, ctx, "review/application.html", _page_values(
        ctx, application, canned=await _canned(ctx),
        decided=DECISION_DONE.get(request.query_params.get("decided") or ""),
        queue_kind=_filters(request.query_params)["kind"]))


async def decide(request: Request):
    ctx = await staff_only(request)
    application_id = request.path_params["id"]
    form = await read_form(request)
    values = form_values(form, "decision", "reason", "whatToFix", "recognisedHours",
                         "queueKind", "rank", "cannedReason")
    canned = await _canned(ctx)
    chosen = values["cannedReason"]
    if chosen.isdigit() and int(chosen) < len(canned) and not values["reason"].strip():
        values["reason"] = canned[int(chosen)]["text"]  # without JavaScript: the pick itself
    decision = values["decision"]
    errors: dict[str, str] = {}
    if decision in ("REJECT", "RETURN") and not values["reason"].strip():
        errors["reason"] = gettext(ctx.lang, REASON_REQUIRED)
    if decision == "RETURN" and not values["whatToFix"].strip():
        errors["whatToFix"] = gettext(ctx.lang, FIX_REQUIRED)
    hours = None
    if decision == "APPROVE" and values["recognisedHours"].strip():
        try:
            hours = float(values["recognisedHours"].strip())
        except ValueError:
            errors["recognisedHours"] = gettext(ctx.lang, HOURS_INVALID)
    payload: dict = {}
    if not errors and decision == "APPROVE" and values["rank"]:
        # The rank chosen is set first (audited); the same value again changes nothing.
        _, errors = await submit(ctx, "PageSetClassificationRank", "setClassificationRank", {
            "input": {"applicationId": application_id, "rank": values["rank"]}})
    if not errors:
        payload, errors = await submit(ctx, "PageDecideApplication", "decideApplication", {
            "input": {"applicationId": application_id, "decision": decision or None,
                      "reason": values["reason"], "whatToFix": values["whatToFix"],
                      "recognisedHours": hours}})
    if errors:
        application = await _application(ctx, application_id)
        page_values = _page_values(ctx, application, values=values, canned=canned,
                                   queue_kind=_filters({"kind": values["queueKind"]})["kind"])
        if application["status"] in QUEUE_STATUSES and not (
                application["claimedBy"] and not application["claimedByMe"]):
            return form_response(request, ctx, "review/application.html", page_values,
                                 errors, block="decision")
        # Lost to another reviewer: the whole page, so its status and who decided show.
        response = render(request, ctx, "review/application.html", {
            **page_values, "errors": errors, "lost": next(iter(errors.values()))},
            status=422)
        if is_htmx(request):
            response.headers.update({"HX-Retarget": "main", "HX-Reselect": "main",
                                     "HX-Reswap": "outerHTML"})
        return response
    status = payload["application"]["status"]
    queue_kind = _filters({"kind": values["queueKind"]})["kind"]
    following, _ = await submit(ctx, "PageClaimNextApplication", "claimNextApplication",
                                {"input": {"kind": queue_kind or None}})
    if following.get("application"):
        return redirect(request, f"/review/{following['application']['id']}"
                        + _query({"kind": queue_kind}, decided=status))
    return redirect(request, "/review" + _query({"kind": queue_kind}, decided=status))


async def release(request: Request):
    ctx = await staff_only(request)
    application_id = request.path_params["id"]
    await read_form(request)
    _, errors = await submit(ctx, "PageReleaseApplication", "releaseApplication",
                             {"input": {"applicationId": application_id}})
    if errors:
        application = await _application(ctx, application_id)
        return render(request, ctx, "review/application.html",
                      _page_values(ctx, application, release_errors=errors), status=422)
    return redirect(request, "/review?released=1")


async def find_page(request: Request):
    """Search: by name, identity or registration number, or application reference."""
    ctx = await staff_only(request)
    query = " ".join(str(request.query_params.get("q") or "").split())[:100]
    after = _cursor(request.query_params.get("after"))
    items, next_url, error = [], None, None
    if query:
        result = await execute(ctx, "PageFindApplications",
                               {"query": query, "first": PAGE_SIZE, "after": after}) \
            if len(query) >= 2 else None
        if result is None:
            error = gettext(ctx.lang, SEARCH_TOO_SHORT)
        else:
            page = result.data["findApplications"]
            items = [e["node"] for e in page["edges"]]
            if page["pageInfo"]["hasNextPage"]:
                next_url = "/review/find?" + urlencode(
                    {"q": query, "after": page["pageInfo"]["endCursor"]})
    return render(request, ctx, "review/find.html", {
        "query": query, "items": items, "next_url": next_url, "error": error,
        "first_url": "/review/find?" + urlencode({"q": query}) if after else None,
        "kind_names": KIND_NAMES})


async def file_page(request: Request):
    """A practitioner's whole file."""
    ctx = await staff_only(request)
    try:
        uuid.UUID(request.path_params["id"])
    except ValueError:
        raise HTTPException(404) from None
    found = (await execute(ctx, "PagePractitionerFile", {"id": request.path_params["id"]})
             ).data["practitionerFile"]
    if found is None:
        raise HTTPException(404)
    lang = ctx.lang
    return render(request, ctx, "review/file.html", {
        "f": found, "p": found["practitioner"], "kind_names": KIND_NAMES,
        "verification_labels": VERIFICATION_LABELS,
        "country": lambda c: codes.label("country", c, lang) or c})


ROUTES = [
    Route("/review", queue_page, methods=["GET"]),
    Route("/review/find", find_page, methods=["GET"]),
    Route("/review/practitioners/{id}", file_page, methods=["GET"]),
    Route("/review/next", take_next, methods=["POST"]),
    Route("/review/{id}", application_page, methods=["GET"]),
    Route("/review/{id}/decide", decide, methods=["POST"]),
    Route("/review/{id}/release", release, methods=["POST"]),
]
