"""The service pages besides renewal: one form per service, which creates its application
and goes on to payment (or to the application when there is no fee)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.domain import codes
from server.domain.application_details import LEVEL_LABELS
from server.domain.classification import LEVELS
from server.domain.identity import normalize_digits
from server.i18n import N_, gettext
from server.pages.forms import date_from_parts, signed_in
from server.pages.labels import SERVICE_DESCRIPTIONS, SERVICE_NAMES
from server.pages.plumbing import (
    execute,
    form_response,
    form_values,
    read_form,
    redirect,
    render,
    submit,
)
from server.pages.uploads import refused_before_saving, upload_from_form

CANCELLABLE = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "RETURNED")
# page slug → (application kind, template, operation, payload field)
SERVICES = {
    "good-standing": ("GOOD_STANDING", "PageGoodStanding", "applyForGoodStandingCertificate"),
    "training-certificate": ("TRAINING_CERTIFICATE", "PageTrainingCertificate",
                             "applyForTrainingCertificate"),
    "qualification-evaluation": ("QUALIFICATION_EVALUATION", "PageQualificationEvaluation",
                                 "applyForQualificationEvaluation"),
    "classification": ("CLASSIFICATION", "PageClassification", "applyForClassification"),
    "registration": ("REGISTRATION", "PageRegistration", "applyForRegistration"),
    "reclassification": ("RECLASSIFICATION", "PageReclassification",
                         "applyForReclassification"),
}
FIELDS = ("programme", "institution", "degree", "country", "verificationReference",
          "category", "specialty", "qualificationLevel", "yearsOfExperience", "examPassed",
          "examReference", "years", "targetRank", "targetSpecialty", "note",
          "firstNameAr", "familyNameAr", "firstNameEn", "familyNameEn", "gender",
          "nationality", "identityType", "identityNumber",
          *(f"{d}-{p}" for d in ("startDate", "endDate", "awardedOn", "dateOfBirth")
            for p in ("day", "month", "year")))


async def _context(ctx, slug: str) -> dict:
    data = (await execute(ctx, "PageServiceContext")).data
    kind = SERVICES[slug][0]
    lang = ctx.lang
    practitioner = data["me"]["practitioner"]
    category = (practitioner or {}).get("category")
    return {
        "slug": slug, "kind": kind, "name": SERVICE_NAMES[kind],
        "description": SERVICE_DESCRIPTIONS[kind], "p": practitioner,
        "certificates": data["myCertificates"],
        "countries": codes.choices("country", lang),
        "categories": codes.choices("category", lang),
        "specialties": codes.choices("specialty", lang, category=category) if category
        else codes.choices("specialty", lang),
        # For the classification form's script, which narrows the list as the category
        # changes: every specialty with the categories it is open to.
        "specialty_categories": [
            [code, label, list(codes.specialty_categories(code))]
            for code, label in codes.choices("specialty", lang)],
        "ranks": codes.choices("rank", lang, category=category) if category else [],
        "levels": [(code, gettext(lang, LEVEL_LABELS[code])) for code in LEVELS],
    }


async def page(request: Request):
    ctx = await signed_in(request)
    slug = request.path_params["slug"]
    if slug not in SERVICES:
        return render(request, ctx, "pages/error.html", {
            "status": 404, "title": N_("Page not found"), "explanation": ""}, status=404)
    return render(request, ctx, "services/apply.html", {
        **await _context(ctx, slug), "values": {}, "errors": {}})


async def apply(request: Request):
    ctx = await signed_in(request)
    slug = request.path_params["slug"]
    if slug not in SERVICES:
        return redirect(request, "/")
    kind, operation, field = SERVICES[slug]
    form = await read_form(request)
    values = form_values(form, *FIELDS)
    errors: dict = {}
    evidence, upload_error = await upload_from_form(
        ctx, form, "evidence", "QUALIFICATION_CERTIFICATE"
        if kind in ("QUALIFICATION_EVALUATION", "CLASSIFICATION") else "EVIDENCE")
    variables = _input(slug, values, evidence, errors, ctx.lang)
    if refused_before_saving(errors, evidence=upload_error):  # nothing saved without its file
        return await _again(request, ctx, slug, values, evidence, errors, upload_error)
    if slug == "classification" and not (await _context(ctx, slug))["p"]:
        _, record_errors = await submit(ctx, "PageStartRecord", "startPractitionerRecord",
                                        {"input": _record_input(values, errors, ctx.lang)})
        errors.update(record_errors)
        if record_errors:
            return await _again(request, ctx, slug, values, evidence, errors, upload_error)
    payload, use_case_errors = await submit(ctx, operation, field, variables)
    errors.update(use_case_errors)
    if errors:
        return await _again(request, ctx, slug, values, evidence, errors, upload_error)
    application = payload["application"]
    if application["status"] == "AWAITING_PAYMENT":
        return redirect(request, f"/applications/{application['id']}/pay")
    return redirect(request, f"/applications/{application['id']}?new=1")


async def _again(request, ctx, slug, values, evidence, errors, upload_error):
    renamed = {("evidence" if k in ("documentIds", "certificateId") else k): v
               for k, v in errors.items()}
    if upload_error:
        renamed["evidence"] = upload_error
    context = await _context(ctx, slug)
    if slug == "classification" and codes.is_code("category", values["category"]):
        # Without JavaScript the list is narrowed once a category was chosen.
        context["specialties"] = codes.choices("specialty", ctx.lang,
                                               category=values["category"])
    return form_response(request, ctx, "services/apply.html", {
        **context, "values": values, "evidence": evidence}, _named(renamed, ctx.lang))


# The labels the form shows, so that a message says which field it is about.
FIELD_LABELS = {
    "firstNameAr": N_("First name in Arabic"), "familyNameAr": N_("Family name in Arabic"),
    "firstNameEn": N_("First name in English"), "familyNameEn": N_("Family name in English"),
    "dateOfBirth": N_("Date of birth"), "gender": N_("Gender"),
    "nationality": N_("Nationality"), "identityType": N_("Identity document"),
    "identityNumber": N_("Identity number"), "category": N_("Category"),
    "specialty": N_("Specialty"), "qualificationLevel": N_("Your highest qualification"),
    "yearsOfExperience": N_("Years of experience after that qualification"),
    "examPassed": N_("Did you pass the licensing exam?"),
    "examReference": N_("Exam result reference"), "programme": N_("Training programme"),
    "institution": N_("Institution"), "degree": N_("Degree"), "country": N_("Country"),
    "startDate": N_("Start date"), "endDate": N_("End date"), "awardedOn": N_("Date awarded"),
    "targetRank": N_("The rank you apply for"), "evidence": N_("Evidence"),
}
NAMED = {N_("This is required."): N_("%(field)s: this is required."),
         N_("This value is not valid."): N_("%(field)s: this value is not valid.")}


def _named(errors: dict[str, str], lang: str) -> dict[str, str]:
    """The summary said "This is required." seven times without naming a field."""
    generic = {gettext(lang, plain): named for plain, named in NAMED.items()}
    return {field: gettext(lang, generic[message], field=gettext(lang, FIELD_LABELS[field]))
            if message in generic and field in FIELD_LABELS else message
            for field, message in errors.items()}


def _input(slug: str, v: dict, evidence: dict | None, errors: dict, lang: str) -> dict:
    documents = [evidence["id"]] if evidence else []
    if slug == "good-standing":
        return {}
    if slug == "training-certificate":
        return {"input": {"programme": v["programme"], "institution": v["institution"],
                          "startDate": date_from_parts(v, "startDate", errors, lang),
                          "endDate": date_from_parts(v, "endDate", errors, lang),
                          "documentIds": documents}}
    if slug == "qualification-evaluation":
        return {"input": {"degree": v["degree"], "institution": v["institution"],
                          "country": v["country"],
                          "awardedOn": date_from_parts(v, "awardedOn", errors, lang),
                          "verificationReference": v["verificationReference"],
                          "certificateId": documents[0] if documents else None}}
    if slug == "classification":
        years = normalize_digits(v["yearsOfExperience"]).strip()
        return {"input": {"category": v["category"], "specialty": v["specialty"],
                          "qualificationLevel": v["qualificationLevel"],
                          "yearsOfExperience": int(years)
                          if years.isascii() and years.isdigit() else -1,
                          "examPassed": v["examPassed"] == "YES",
                          "examReference": v["examReference"], "documentIds": documents}}
    if slug == "registration":
        years = normalize_digits(v["years"]).strip()
        return {"input": {"years": int(years) if years.isascii() and years.isdigit()
                          else None}}
    return {"input": {"targetRank": v["targetRank"], "targetSpecialty": v["targetSpecialty"],
                      "note": v["note"], "documentIds": documents}}


def _record_input(v: dict, errors: dict, lang: str) -> dict:
    return {"firstNameAr": v["firstNameAr"], "familyNameAr": v["familyNameAr"],
            "firstNameEn": v["firstNameEn"], "familyNameEn": v["familyNameEn"],
            "dateOfBirth": date_from_parts(v, "dateOfBirth", errors, lang),
            "gender": v["gender"], "nationality": v["nationality"],
            "identityType": v["identityType"], "identityNumber": v["identityNumber"],
            "category": v["category"], "specialty": v["specialty"]}


async def confirm_cancel(request: Request):
    """Cancelling is a step of its own (it works without JavaScript): it says what becomes
    of the money before anything changes."""
    ctx = await signed_in(request)
    data = (await execute(ctx, "PageApplication", {"id": request.path_params["id"]})).data
    application = data["myApplication"]
    if application is None:
        raise HTTPException(404)
    if application["status"] not in CANCELLABLE:
        return redirect(request, f"/applications/{application['id']}?problem=cancel")
    return render(request, ctx, "applications/cancel.html", {
        "a": application, "service_names": SERVICE_NAMES})


async def cancel(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    application_id = request.path_params["id"]
    if form.get("confirmed") != "1":  # never in one click: the confirmation comes first
        return redirect(request, f"/applications/{application_id}/cancel")
    _, errors = await submit(ctx, "PageCancelApplication", "cancelApplication",
                             {"input": {"applicationId": application_id}})
    if errors:
        return redirect(request, f"/applications/{application_id}?done=cancel&problem=cancel")
    if form.get("refund") == "1":
        _, refund_errors = await submit(ctx, "PageRequestRefund", "requestRefund",
                                        {"input": {"applicationId": application_id}})
        problem = "&problem=refund" if refund_errors else ""
        return redirect(request, f"/applications/{application_id}?done=cancel-refund{problem}")
    return redirect(request, f"/applications/{application_id}?done=cancel")


async def refund(request: Request):
    ctx = await signed_in(request)
    await read_form(request)
    application_id = request.path_params["id"]
    _, errors = await submit(ctx, "PageRequestRefund", "requestRefund",
                             {"input": {"applicationId": application_id}})
    problem = "&problem=refund" if errors else ""
    return redirect(request, f"/applications/{application_id}?done=refund{problem}")


ROUTES = [
    Route("/services/{slug}", page, methods=["GET"]),
    Route("/services/{slug}", apply, methods=["POST"]),
    Route("/applications/{id}/cancel", confirm_cancel, methods=["GET"]),
    Route("/applications/{id}/cancel", cancel, methods=["POST"]),
    Route("/applications/{id}/refund", refund, methods=["POST"]),
]
