"""The renewal's document steps: the employer's letter (with the date it bears) on the
experience step, and the documents the answers ask for. Each file chosen is stored and
attached; the page then names whatever is still missing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.domain import codes
from server.i18n import N_, gettext
from server.pages.forms import date_from_parts
from server.pages.plumbing import form_response, form_values, read_form, redirect, submit
from server.pages.renewals.renewing import attached_documents, document_kinds, load, renewal_of
from server.pages.uploads import upload_from_form

LETTER_DATE_FIELDS = tuple(f"letterIssuedOn-{part}" for part in ("day", "month", "year"))
LETTER_DATE_REQUIRED = N_("Enter the date on the letter.")


async def save_employer_letter(request: Request):
    return await _save_documents(request, "experience")


async def save_documents(request: Request):
    return await _save_documents(request, "documents")


async def _save_documents(request: Request, section: str):
    """Stores and attaches each file chosen; "Save and continue" then asks for whatever
    the API still misses among them, "Save and come back later" does not."""
    ctx, view = await renewal_of(request)
    form = await read_form(request)
    if not view["editable"]:  # nothing to store files for
        return redirect(request, view["base"])
    renewal_id = view["r"]["id"]
    letter_date = form_values(form, *LETTER_DATE_FIELDS)  # shown again after an error
    attached = attached_documents(view)
    kinds = ["EMPLOYER_LETTER"] if section == "experience" else document_kinds(view, attached)
    errors: dict = {}
    chosen: dict = {}
    for kind in kinds:
        document, problem = await upload_from_form(ctx, form, kind, kind)
        if problem:
            errors[kind] = problem
        elif document:
            chosen[kind] = document
    new = [{"kind": kind, "documentId": d["id"]} for kind, d in chosen.items()
           if attached.get(kind, {}).get("id") != d["id"]]
    letter = next((item for item in new if item["kind"] == "EMPLOYER_LETTER"), None)
    if letter is not None:
        # A new letter comes with the date it bears: its age is what counts.
        issued = date_from_parts(letter_date, "letterIssuedOn", errors, ctx.lang)
        if issued is None and "letterIssuedOn" not in errors:
            errors["letterIssuedOn"] = gettext(ctx.lang, LETTER_DATE_REQUIRED)
        letter["issuedOn"] = issued
        if "letterIssuedOn" in errors:
            new = []  # nothing attached until the date is right; the file stays chosen
    if new:
        _, attach_errors = await submit(ctx, "PageAttachRenewalDocuments", "attachDocuments",
                                        {"input": {"applicationId": renewal_id,
                                                   "documents": new}})
        errors.update({"_form" if field == "documents" else
                       "letterIssuedOn" if field.endswith(".issuedOn") else field: message
                       for field, message in attach_errors.items()})
    if not errors and form.get("then") != "later":
        view = await load(ctx, renewal_id)
        errors = {kind: view["missing"][kind] for kind in kinds if kind in view["missing"]}
    if not errors:
        return redirect(request, f"{view['base']}?saved={section}")
    attached = attached_documents(await load(ctx, renewal_id))
    template = f"renewals/{section}.html"
    return form_response(request, ctx, template, {
        **view, "attached": {**attached, **chosen}, "kinds": kinds,
        "countries": dict(codes.choices("country", ctx.lang)),
        "values": letter_date}, errors)


ROUTES = [
    Route("/renewals/{id}/experience", save_employer_letter, methods=["POST"]),
    Route("/renewals/{id}/documents", save_documents, methods=["POST"]),
]
