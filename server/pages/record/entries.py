"""Experience, licences held elsewhere and qualifications, edited in place on /record: each
form swaps its own section (htmx), or posts and comes back to the page (no JavaScript)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.pages.forms import choices, date_from_parts, signed_in
from server.pages.plumbing import form_values, is_htmx, read_form, redirect, render, submit
from server.pages.record.profile import record_data
from server.pages.uploads import refused_before_saving, upload_from_form

TEMPLATE = "record/profile.html"


async def _section(request: Request, ctx, section: str, errors: dict | None = None,
                   values: dict | None = None, extra: dict | None = None,
                   done: str = "saved"):
    """The section again (its block for htmx, the whole page otherwise). `done` says what
    the success banner tells: "saved" or "removed"."""
    practitioner = await record_data(ctx)
    data = {"p": practitioner, **choices(ctx.lang), "errors": {section: errors or {}},
            "values": {section: values or {}}, "done": {} if errors else {section: done},
            **(extra or {})}
    status = 422 if errors else 200
    if is_htmx(request):
        return render(request, ctx, TEMPLATE, data, block=section, status=status)
    if not errors:
        query = f"?removed={section}" if done == "removed" else ""
        return redirect(request, f"/record{query}#{section}")
    return render(request, ctx, TEMPLATE, data, status=status)


EXPERIENCE_FIELDS = ("city", "country", "workplace", "specialty", "jobDescription",
                     "organizationType", "startDate-day", "startDate-month", "startDate-year",
                     "endDate-day", "endDate-month", "endDate-year")


def _experience_input(values: dict, certificate: dict | None, errors: dict,
                      lang: str) -> dict:
    return {
        "city": values["city"], "country": values["country"], "workplace": values["workplace"],
        "specialty": values["specialty"], "jobDescription": values["jobDescription"],
        "organizationType": values["organizationType"],
        "startDate": date_from_parts(values, "startDate", errors, lang),
        "endDate": date_from_parts(values, "endDate", errors, lang),
        "certificateId": certificate["id"] if certificate else None,
    }


def _rename(errors: dict, **names: str) -> dict:
    return {names.get(k, k): v for k, v in errors.items()}


async def add_experience(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, *EXPERIENCE_FIELDS)
    certificate, upload_error = await upload_from_form(ctx, form, "certificate",
                                                       "EXPERIENCE_CERTIFICATE")
    date_errors: dict = {}
    data = _experience_input(values, certificate, date_errors, ctx.lang)
    errors = refused_before_saving(date_errors, certificate=upload_error) or (
        await submit(ctx, "PageAddExperience", "addExperience", {"input": data}))[1]
    if errors:
        return await _section(request, ctx, "experience", _rename(
            errors, certificateId="certificate"), values, {"certificate": certificate})
    return await _section(request, ctx, "experience")


async def update_experience(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, *EXPERIENCE_FIELDS)
    certificate, upload_error = await upload_from_form(ctx, form, "certificate",
                                                       "EXPERIENCE_CERTIFICATE")
    date_errors: dict = {}
    data = _experience_input(values, certificate, date_errors, ctx.lang)
    if certificate is None:
        data.pop("certificateId")  # keep the one it has
    errors = refused_before_saving(date_errors, certificate=upload_error) or (
        await submit(ctx, "PageUpdateExperience", "updateExperience", {"input": {
            "id": request.path_params["id"], **data}}))[1]
    return await _section(request, ctx, "experience", _rename(
        errors, certificateId="certificate"), values,
        {"editing": {"experience": request.path_params["id"]}, "certificate": certificate}
        if errors else None)


async def edit_entry(request: Request):
    """An entry's form, filled in, in place of the section's "add" form: its block for
    htmx, the whole page otherwise (the "Change" link works without JavaScript too)."""
    return await _entry_step(request, "editing")


async def confirm_removal(request: Request):
    """"Remove" asks first, in place of the entry's buttons (a link, so it works without
    JavaScript too): nothing is removed until "Yes, remove it" is pressed."""
    return await _entry_step(request, "confirming")


async def _entry_step(request: Request, step: str):
    ctx = await signed_in(request)
    section = request.path_params["section"]
    if section not in ("experience", "licenses"):
        return redirect(request, "/record")
    practitioner = await record_data(ctx)
    entries = practitioner["experiences"] if section == "experience" \
        else practitioner["licenses"]
    entry = next((e for e in entries if e["id"] == request.path_params["id"]), None)
    if entry is None:
        return redirect(request, f"/record#{section}")
    data = {"p": practitioner, **choices(ctx.lang), "errors": {},
            "values": {section: entry_values(entry) if step == "editing" else {}},
            step: {section: entry["id"]}}
    if is_htmx(request):
        return render(request, ctx, TEMPLATE, data, block=section)
    return render(request, ctx, TEMPLATE, data)


def entry_values(entry: dict) -> dict:
    """An entry as the form's values: its fields, and its dates as day / month / year."""
    values = {k: v for k, v in entry.items() if isinstance(v, str)}
    for name in ("startDate", "endDate", "expiryDate"):
        if entry.get(name):
            year, month, day = entry[name].split("-")
            values.update({f"{name}-year": year, f"{name}-month": str(int(month)),
                           f"{name}-day": str(int(day))})
    return values


async def _remove(request: Request, section: str, operation: str, field: str):
    ctx = await signed_in(request)
    form = await read_form(request)
    entry_id = request.path_params["id"]
    if form.get("confirmed") != "1":  # never in one click: "Remove" asks first
        return redirect(request, f"/record/{section}/{entry_id}/remove#{section}")
    _, errors = await submit(ctx, operation, field, {"input": {"id": entry_id}})
    return await _section(request, ctx, section, errors, done="removed")


async def remove_experience(request: Request):
    return await _remove(request, "experience", "PageRemoveExperience", "removeExperience")


LICENSE_FIELDS = ("specialty", "country", "authority", "referenceNumber", "expiryDate-day",
                  "expiryDate-month", "expiryDate-year")


def _license_input(values: dict, errors: dict, lang: str) -> dict:
    return {
        "specialty": values["specialty"], "country": values["country"],
        "authority": values["authority"], "referenceNumber": values["referenceNumber"],
        "expiryDate": date_from_parts(values, "expiryDate", errors, lang),
    }


async def add_license(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, *LICENSE_FIELDS)
    document, upload_error = await upload_from_form(ctx, form, "document", "LICENSE")
    date_errors: dict = {}
    data = {**_license_input(values, date_errors, ctx.lang),
            "documentId": document["id"] if document else None}
    errors = refused_before_saving(date_errors, documentId=upload_error) or (
        await submit(ctx, "PageAddLicense", "addLicense", {"input": data}))[1]
    if errors:
        return await _section(request, ctx, "licenses", _rename(errors, documentId="document"),
                              values, {"document": document})
    return await _section(request, ctx, "licenses")


async def update_license(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, *LICENSE_FIELDS)
    document, upload_error = await upload_from_form(ctx, form, "document", "LICENSE")
    date_errors: dict = {}
    data = {"id": request.path_params["id"],
            **_license_input(values, date_errors, ctx.lang)}
    if document is not None:
        data["documentId"] = document["id"]  # none chosen: the licence keeps its own
    errors = refused_before_saving(date_errors, documentId=upload_error) or (
        await submit(ctx, "PageUpdateLicense", "updateLicense", {"input": data}))[1]
    return await _section(request, ctx, "licenses", _rename(errors, documentId="document"),
                          values, {"editing": {"licenses": request.path_params["id"]},
                                   "document": document} if errors else None)


async def remove_license(request: Request):
    return await _remove(request, "licenses", "PageRemoveLicense", "removeLicense")


QUALIFICATION_FIELDS = ("degree", "institution", "country", "verificationReference",
                        "awardedOn-day", "awardedOn-month", "awardedOn-year")


async def add_qualification(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, *QUALIFICATION_FIELDS)
    certificate, upload_error = await upload_from_form(ctx, form, "certificate",
                                                       "QUALIFICATION_CERTIFICATE")
    date_errors: dict = {}
    data = {"degree": values["degree"], "institution": values["institution"],
            "country": values["country"], "verificationReference": values["verificationReference"],
            "awardedOn": date_from_parts(values, "awardedOn", date_errors, ctx.lang),
            "certificateId": certificate["id"] if certificate else None}
    errors = refused_before_saving(date_errors, certificateId=upload_error) or (
        await submit(ctx, "PageAddQualification", "addQualification", {"input": data}))[1]
    if errors:
        return await _section(request, ctx, "qualifications", _rename(
            errors, certificateId="certificate"), values, {"certificate": certificate})
    return await _section(request, ctx, "qualifications")


ROUTES = [
    Route("/record/experience", add_experience, methods=["POST"]),
    Route("/record/experience/{id}", update_experience, methods=["POST"]),
    Route("/record/experience/{id}/remove", remove_experience, methods=["POST"]),
    Route("/record/licences", add_license, methods=["POST"]),
    Route("/record/licences/{id}", update_license, methods=["POST"]),
    Route("/record/licences/{id}/remove", remove_license, methods=["POST"]),
    Route("/record/{section}/{id}/edit", edit_entry, methods=["GET"]),
    Route("/record/{section}/{id}/remove", confirm_removal, methods=["GET"]),
    Route("/record/qualifications", add_qualification, methods=["POST"]),
]
