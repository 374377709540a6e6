"""The practitioner's record in the browser: dashboard, profile, claiming, CPD, personal-data
change and history. Experience, licences and qualifications are in entries.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.domain.cpd import ACTIVITY_TYPE_LABELS
from server.domain.identity import normalize_digits
from server.i18n import gettext
from server.pages.forms import choices, date_from_parts, signed_in
from server.pages.plumbing import (
    Context,
    execute,
    form_response,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)
from server.pages.uploads import refused_before_saving, upload_from_form


async def record_data(ctx: Context) -> dict:
    return (await execute(ctx, "PageRecord")).data["me"]["practitioner"]


async def profile(request: Request):
    ctx = await signed_in(request)
    practitioner = await record_data(ctx)
    if practitioner is None:
        return redirect(request, "/record/claim")
    return render(request, ctx, "record/profile.html", {
        "p": practitioner, **choices(ctx.lang), "errors": {}, "values": {}})


async def claim_form(request: Request):
    ctx = await signed_in(request)
    return render(request, ctx, "record/claim.html", {"values": {}, "errors": {}})


async def claim(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, "registrationNumber", "identityNumber", "dateOfBirth-day",
                         "dateOfBirth-month", "dateOfBirth-year")
    date_errors: dict = {}
    born = date_from_parts(values, "dateOfBirth", date_errors, ctx.lang)
    _, errors = await submit(ctx, "PageClaimRecord", "claimPractitionerRecord", {"input": {
        "registrationNumber": values["registrationNumber"],
        "identityNumber": values["identityNumber"], "dateOfBirth": born}})
    errors.update(date_errors)
    if errors:
        return form_response(request, ctx, "record/claim.html", {"values": values}, errors)
    return redirect(request, "/?claimed=1")


async def _cpd_context(ctx: Context, practitioner: dict) -> dict:
    days = (await execute(ctx, "PageCpdDecisionDays")).data["usualDecisionDays"]
    return {"p": practitioner, "usual_days": days, "activity_types": [
        (code, gettext(ctx.lang, label)) for code, label in ACTIVITY_TYPE_LABELS.items()]}


async def cpd_page(request: Request):
    ctx = await signed_in(request)
    practitioner = await record_data(ctx)
    if practitioner is None:
        return redirect(request, "/record/claim")
    return render(request, ctx, "record/cpd.html", {
        **await _cpd_context(ctx, practitioner), "values": {}, "errors": {}})


async def submit_cpd(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, "title", "provider", "accreditationNumber", "hours",
                         "activityType", "confirmHours",
                         "completedOn-day", "completedOn-month", "completedOn-year")
    certificate, upload_error = await upload_from_form(ctx, form, "certificate",
                                                       "CPD_CERTIFICATE")
    hours = normalize_digits(values["hours"]).replace("\u066b", ".").strip()
    try:
        hours_value = float(hours) if hours else None
    except ValueError:
        hours_value = -1.0  # the use case names the problem
    date_errors: dict = {}
    completed = date_from_parts(values, "completedOn", date_errors, ctx.lang)
    errors = refused_before_saving(date_errors, certificate=upload_error)
    if not errors:
        payload, errors = await submit(ctx, "PageSubmitCpdActivity", "submitCpdActivity", {
            "input": {"title": values["title"], "provider": values["provider"],
                      "accreditationNumber": values["accreditationNumber"],
                      "hours": hours_value, "completedOn": completed,
                      "activityType": values["activityType"],
                      "confirmHours": values["confirmHours"] == "1",
                      "certificateId": certificate["id"] if certificate else None}})
    errors = {("certificate" if k == "certificateId" else k): v for k, v in errors.items()}
    if errors:
        practitioner = await record_data(ctx)
        return form_response(request, ctx, "record/cpd.html", {
            **await _cpd_context(ctx, practitioner), "values": values,
            "certificate": certificate}, errors)
    return redirect(request, f"/applications/{payload['application']['id']}?new=1")


async def change_form(request: Request):
    ctx = await signed_in(request)
    practitioner = await record_data(ctx)
    if practitioner is None:
        return redirect(request, "/record/claim")
    return render(request, ctx, "record/change.html", {
        "p": practitioner, "values": {}, "errors": {}, **choices(ctx.lang)})


CHANGE_FIELDS = ("firstNameAr", "fatherNameAr", "grandfatherNameAr", "familyNameAr",
                 "firstNameEn", "fatherNameEn", "grandfatherNameEn", "familyNameEn",
                 "gender", "nationality", "identityNumber")


async def request_change(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, "registrationNumber", "note", "dateOfBirth-day",
                         "dateOfBirth-month", "dateOfBirth-year", *CHANGE_FIELDS)
    practitioner = await record_data(ctx)
    evidence, upload_error = await upload_from_form(ctx, form, "evidence", "EVIDENCE")
    # Only what the practitioner changed is sent: an untouched field is not a change.
    changes = {f: values[f].strip() for f in CHANGE_FIELDS
               if values[f].strip() and values[f].strip() != str(practitioner.get(f) or "")}
    date_errors: dict = {}
    born = date_from_parts(values, "dateOfBirth", date_errors, ctx.lang)
    if born and born != practitioner["dateOfBirth"]:
        changes["dateOfBirth"] = born
    errors = refused_before_saving(date_errors, evidence=upload_error)
    if not errors:
        payload, errors = await submit(ctx, "PageRequestPersonalDataChange",
                                       "requestPersonalDataChange", {"input": {
                                           "registrationNumber": values["registrationNumber"],
                                           "changes": changes, "note": values["note"],
                                           "documentIds": [evidence["id"]] if evidence else []}})
    errors = {("evidence" if k == "documentIds" else k.removeprefix("changes.")): v
              for k, v in errors.items()}
    if errors:
        return form_response(request, ctx, "record/change.html", {
            "p": practitioner, "values": values, "evidence": evidence, **choices(ctx.lang)},
            errors)
    return redirect(request, f"/applications/{payload['application']['id']}?new=1")


async def history(request: Request):
    ctx = await signed_in(request)
    data = (await execute(ctx, "PageRecordHistory")).data
    return render(request, ctx, "record/history.html", {"changes": data["recordHistory"]})


ROUTES = [
    Route("/record", profile, methods=["GET"]),
    Route("/record/claim", claim_form, methods=["GET"]),
    Route("/record/claim", claim, methods=["POST"]),
    Route("/record/cpd", cpd_page, methods=["GET"]),
    Route("/record/cpd", submit_cpd, methods=["POST"]),
    Route("/record/change", change_form, methods=["GET"]),
    Route("/record/change", request_change, methods=["POST"]),
    Route("/record/history", history, methods=["GET"]),
]
