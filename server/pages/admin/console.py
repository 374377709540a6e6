"""The admin console in the browser: one page per section, each with plain forms (htmx
enhances them). Admins only: anyone else signed in gets 403, nobody signed in is sent to
sign in. Every change goes through the named operations in web/operations/admin.graphql."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.domain import codes
from server.domain.applications import ApplicationKind
from server.domain.renewal import ANSWERS
from server.i18n import N_, gettext
from server.pages.labels import KIND_NAMES
from server.pages.plumbing import (
    Context,
    execute,
    form_response,
    form_values,
    page_ctx,
    read_form,
    redirect,
    render,
    submit,
)

PAYMENT_STATUSES = ("INITIATED", "PAID", "FAILED", "EXPIRED", "REFUNDED")
EXTRA_QUESTION_ROWS = 1

SECTIONS = (
    ("/admin/fees", N_("Fee schedule"), N_("The amount of each fee, in riyals.")),
    ("/admin/questions", N_("Renewal questions"),
     N_("The eligibility questions every renewal answers.")),
    ("/admin/renewal-policy", N_("Renewal policy"),
     N_("Whether renewals that meet every rule are approved when paid.")),
    ("/admin/review-targets", N_("Review time targets"),
     N_("Days within which each kind of application should be decided.")),
    ("/admin/holidays", N_("Holidays"),
     N_("Days left out of the working days overdue applications are counted in.")),
    ("/admin/staff", N_("Staff accounts"),
     N_("Reviewers and admins: create, disable, reset the authenticator app.")),
    ("/admin/registrations", N_("Suspend or reinstate a registration"),
     N_("By registration number, with the reason.")),
    ("/admin/extend", N_("Extend registrations"),
     N_("Every registration expiring between two dates, by a number of months.")),
    ("/admin/approvals", N_("Four eyes: waiting for a second admin"),
     N_("Mass extensions, reinstatements, suspensions and large refunds another admin "
        "asked for.")),
    ("/admin/outbox", N_("Undelivered messages"),
     N_("Emails and text messages that failed for good, to send again.")),
    ("/admin/payments", N_("Payments"), N_("Payments and the gateway's callbacks.")),
    ("/admin/refunds", N_("Refund requests"), N_("Approve or decline refunds.")),
    ("/admin/employers", N_("Employers and API keys"),
     N_("Organisations that check practitioners through the API: keys, webhooks, "
        "deliveries.")),
    ("/admin/audit", N_("Audit log"), N_("Who did what, and when.")),
    ("/admin/canned-reasons", N_("Prepared decision reasons"),
     N_("Reasons in Arabic and English that reviewers pick when they decide.")),
    ("/admin/reports", N_("Reports and exports"),
     N_("Applications, decisions, backlog, reviewers and money, with CSV exports.")),
    ("/admin/audit?action=claim.conflict", N_("Claim conflicts"),
     N_("Someone gave the right details of a record another account holds: find out whose "
        "it is.")),
)
FEE_NAMES = {
    "CLASSIFICATION_BASIC": N_("Classification: general practitioner, resident, pharmacist, "
                               "technician"),
    "CLASSIFICATION_SPECIALIST": N_("Classification: registrar, specialist, senior ranks"),
    "CLASSIFICATION_CONSULTANT": N_("Classification: consultant"),
    "REGISTRATION_YEAR_OTHER": N_("Registration or renewal, per year: other ranks"),
    "REGISTRATION_YEAR_SENIOR": N_("Registration or renewal, per year: senior registrar, "
                                   "senior specialist, senior pharmacist"),
    "REGISTRATION_YEAR_CONSULTANT": N_("Registration or renewal, per year: consultant"),
    "GOOD_STANDING": N_("Good-standing certificate"),
    "TRAINING_CERTIFICATE": N_("Training certificate"),
    "CPD_RECOGNITION": N_("CPD recognition"),
}
NUMBER_INVALID = N_("Enter a whole number.")


async def admin_only(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    if "ADMIN" not in ctx.account.role_list:
        raise HTTPException(403)
    return ctx


def _query(**values) -> str:
    found = {k: v for k, v in values.items() if v}
    return "?" + urlencode(found) if found else ""


def _field_of(errors: dict[str, str], prefix: str, names: list[str],
              sub: bool = False) -> dict[str, str]:
    """Errors of `prefix.N.field` → the page's names[N] (with "-field" when `sub`)."""
    found: dict[str, str] = {}
    for field, message in errors.items():
        parts = field.split(".")
        if parts[0] == prefix and len(parts) >= 2 and parts[1].isdigit() \
                and int(parts[1]) < len(names):
            name = names[int(parts[1])]
            found.setdefault(f"{name}-{parts[2]}" if sub and len(parts) > 2 else name,
                             message)
        else:
            found.setdefault(field, message)
    return found


async def home(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/index.html", {"sections": SECTIONS})


# ------------------------------------------------------------------ fees

async def fees_page(request: Request):
    ctx = await admin_only(request)
    items = (await execute(ctx, "AdminFees")).data["feeSchedule"]
    return render(request, ctx, "admin/fees.html", {
        "items": items, "names": FEE_NAMES, "values": {
            i["key"]: i["amount"]["amount"] for i in items}, "errors": {},
        "saved": request.query_params.get("saved") == "1"})


async def fees_save(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    keys = list(FEE_NAMES)
    values = form_values(form, *keys)
    _, errors = await submit(ctx, "AdminUpdateFees", "updateFeeSchedule", {"input": {
        "items": [{"key": k, "amount": values[k].strip()} for k in keys]}})
    if errors:
        items = (await execute(ctx, "AdminFees")).data["feeSchedule"]
        return form_response(request, ctx, "admin/fees.html", {
            "items": items, "names": FEE_NAMES, "values": values},
            _field_of(errors, "items", keys))
    return redirect(request, "/admin/fees?saved=1")


# ------------------------------------------------------------------ renewal questions

def _question_rows(questions: list[dict]) -> list[dict]:
    return [*questions, *({"code": "", "textAr": "", "textEn": "", "riskAnswer": None,
                           "requiresDocument": None} for _ in range(EXTRA_QUESTION_ROWS))]


def _question_values(ctx: Context, rows: list[dict], **values) -> dict:
    lang = ctx.lang
    return {"rows": rows, "answers": ANSWERS,
            "document_kinds": codes.choices("document_kind", lang), **values}


async def questions_page(request: Request):
    ctx = await admin_only(request)
    found = (await execute(ctx, "AdminQuestions")).data["renewalQuestionSet"]
    return render(request, ctx, "admin/questions.html", _question_values(
        ctx, _question_rows(found), errors={},
        saved=request.query_params.get("saved") == "1"))


async def questions_save(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    count = min(int(form.get("rows", "0") or 0) if str(form.get("rows", "0")).isdigit()
                else 0, 40)
    rows, sent, names = [], [], []
    for index in range(count):
        row = {field: str(form.get(f"q{index}-{field}", "")).strip()
               for field in ("code", "textAr", "textEn", "riskAnswer", "requiresDocument")}
        removed = form.get(f"q{index}-remove") == "1"
        rows.append({**row, "remove": removed})
        if removed or not any(row.values()):
            continue
        sent.append({k: (v or None) if k in ("riskAnswer", "requiresDocument") else v
                     for k, v in row.items()})
        names.append(f"q{index}")
    _, errors = await submit(ctx, "AdminUpdateQuestions", "updateRenewalQuestions",
                             {"input": {"questions": sent}})
    if errors:
        return form_response(request, ctx, "admin/questions.html", _question_values(
            ctx, rows), _field_of(errors, "questions", names, sub=True))
    return redirect(request, "/admin/questions?saved=1")


# ------------------------------------------------------------------ review targets

async def targets_page(request: Request):
    ctx = await admin_only(request)
    found = (await execute(ctx, "AdminReviewTargets")).data["reviewTargets"]
    return render(request, ctx, "admin/targets.html", {
        "kinds": KIND_NAMES, "values": {t["kind"]: str(t["days"]) for t in found},
        "errors": {}, "saved": request.query_params.get("saved") == "1"})


async def targets_save(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    kinds = [k.value for k in ApplicationKind]
    values = form_values(form, *kinds)
    errors: dict[str, str] = {}
    items = []
    for kind in kinds:
        text = values[kind].strip()
        if not text.isdigit():
            errors[kind] = gettext(ctx.lang, NUMBER_INVALID)
        else:
            items.append({"kind": kind, "days": int(text)})
    if not errors:
        _, found = await submit(ctx, "AdminUpdateReviewTargets", "updateReviewTargets",
                                {"input": {"items": items}})
        errors = _field_of(found, "items", [i["kind"] for i in items])
    if errors:
        return form_response(request, ctx, "admin/targets.html", {
            "kinds": KIND_NAMES, "values": values}, errors)
    return redirect(request, "/admin/review-targets?saved=1")


# ------------------------------------------------------------------ renewal policy

POLICY_CHOICES = ("AUTO", "REVIEW")


async def policy_page(request: Request):
    ctx = await admin_only(request)
    found = (await execute(ctx, "AdminRenewalPolicy")).data["renewalPolicy"]
    return render(request, ctx, "admin/policy.html", {
        "values": {"policy": "AUTO" if found["autoApprove"] else "REVIEW"}, "errors": {},
        "saved": request.query_params.get("saved") == "1"})


async def policy_save(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "policy")
    errors: dict[str, str] = {}
    if values["policy"] not in POLICY_CHOICES:
        errors["policy"] = gettext(ctx.lang, N_(
            "Choose whether renewals that meet every rule are approved when paid."))
    else:
        _, found = await submit(ctx, "AdminUpdateRenewalPolicy", "updateRenewalPolicy",
                                {"input": {"autoApprove": values["policy"] == "AUTO"}})
        errors = {"policy": next(iter(found.values()))} if found else {}
    if errors:
        return form_response(request, ctx, "admin/policy.html", {"values": values}, errors)
    return redirect(request, "/admin/renewal-policy?saved=1")


# ------------------------------------------------------------------ staff

async def _staff_values(ctx: Context, **values) -> dict:
    found = (await execute(ctx, "AdminStaff")).data["staffAccounts"]
    return {"accounts": found, "values": {}, "errors": {}, **values}


async def staff_page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/staff.html", await _staff_values(
        ctx, done=request.query_params.get("done", "")))


async def staff_create(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "email", "role", "firstName", "familyName")
    # No password from the admin: the server makes one, shown once, changed at first sign-in.
    payload, errors = await submit(ctx, "AdminCreateStaff", "createStaffAccount",
                                   {"input": values})
    if errors:
        return form_response(request, ctx, "admin/staff.html",
                             await _staff_values(ctx, values=values), errors, block="create")
    # The URI and the password are shown once, in this response; nothing keeps them.
    # (`staff`, not `account`: the layout's navigation is the signed-in admin's.)
    return render(request, ctx, "admin/staff_secret.html", {
        "staff": payload["account"], "otpauth_uri": payload["otpauthUri"],
        "qr_svg": payload["otpauthQrSvg"], "temporary_password": payload["temporaryPassword"],
        "created": True})


async def _staff_action(request: Request, operation: str, field: str):
    ctx = await admin_only(request)
    await read_form(request)
    account_id = request.path_params["id"]
    payload, errors = await submit(ctx, operation, field, {"input": {"accountId": account_id}})
    if errors:
        return render(request, ctx, "admin/staff.html", await _staff_values(
            ctx, action_errors=errors), status=422)
    return ctx, payload


async def staff_disable_confirm(request: Request):
    """Disabling ends the person's sessions at once: the page asks first."""
    ctx = await admin_only(request)
    found = [a for a in (await execute(ctx, "AdminStaff")).data["staffAccounts"]
             if a["id"] == request.path_params["id"]]
    if not found:
        raise HTTPException(404)
    return render(request, ctx, "admin/staff_disable.html", {"staff": found[0]})


async def staff_disable(request: Request):
    result = await _staff_action(request, "AdminDisableStaff", "disableStaffAccount")
    if not isinstance(result, tuple):
        return result
    return redirect(request, "/admin/staff?done=disabled")


async def staff_enable(request: Request):
    result = await _staff_action(request, "AdminEnableStaff", "enableStaffAccount")
    if not isinstance(result, tuple):
        return result
    return redirect(request, "/admin/staff?done=enabled")


async def staff_reset(request: Request):
    result = await _staff_action(request, "AdminResetAuthenticator", "resetStaffAuthenticator")
    if not isinstance(result, tuple):
        return result
    ctx, payload = result
    return render(request, ctx, "admin/staff_secret.html", {
        "staff": payload["account"], "otpauth_uri": payload["otpauthUri"],
        "qr_svg": payload["otpauthQrSvg"], "created": False})


# ------------------------------------------------------------------ registrations

async def _registration(ctx: Context, number: str) -> dict | None:
    if not number.strip():
        return None
    return (await execute(ctx, "AdminRegistration", {"registrationNumber": number})
            ).data["adminRegistration"]


async def registrations_page(request: Request):
    ctx = await admin_only(request)
    number = request.query_params.get("number", "")[:40]
    return render(request, ctx, "admin/registrations.html", {
        "number": number, "registration": await _registration(ctx, number),
        "values": {}, "errors": {}, "done": request.query_params.get("done", "")})


async def registration_status(request: Request):
    ctx = await admin_only(request)
    form = await read_form(request)
    values = form_values(form, "registrationNumber", "reason", "action")
    suspend = values["action"] != "reinstate"
    payload, errors = await submit(
        ctx, "AdminSuspendRegistration" if suspend else "AdminReinstateRegistration",
        "suspendRegistration" if suspend else "reinstateRegistration",
        {"input": {"registrationNumber": values["registrationNumber"],
                   "reason": values["reason"]}})
    if errors:
        number = values["registrationNumber"]
        return form_response(request, ctx, "admin/registrations.html", {
            "number": number, "registration": await _registration(ctx, number),
            "values": values}, errors, block="status")
    if not suspend:  # four eyes: a second admin approves the reinstatement
        return redirect(request, f"/admin/approvals/{payload['approvalRequest']['id']}"
                                 "?done=asked")
    return redirect(request, "/admin/registrations" + _query(
        number=payload["registration"]["number"], done="suspended"))


# ------------------------------------------------------------------ policy extension

async def extend_page(request: Request):
    ctx = await admin_only(request)
    return render(request, ctx, "admin/extend.html", {"values": {}, "errors": {}})


ROUTES = [
    Route("/admin", home, methods=["GET"]),
    Route("/admin/fees", fees_page, methods=["GET"]),
    Route("/admin/fees", fees_save, methods=["POST"]),
    Route("/admin/questions", questions_page, methods=["GET"]),
    Route("/admin/questions", questions_save, methods=["POST"]),
    Route("/admin/renewal-policy", policy_page, methods=["GET"]),
    Route("/admin/renewal-policy", policy_save, methods=["POST"]),
    Route("/admin/review-targets", targets_page, methods=["GET"]),
    Route("/admin/review-targets", targets_save, methods=["POST"]),
    Route("/admin/staff", staff_page, methods=["GET"]),
    Route("/admin/staff", staff_create, methods=["POST"]),
    Route("/admin/staff/{id}/disable", staff_disable_confirm, methods=["GET"]),
    Route("/admin/staff/{id}/disable", staff_disable, methods=["POST"]),
    Route("/admin/staff/{id}/enable", staff_enable, methods=["POST"]),
    Route("/admin/staff/{id}/reset-authenticator", staff_reset, methods=["POST"]),
    Route("/admin/registrations", registrations_page, methods=["GET"]),
    Route("/admin/registrations", registration_status, methods=["POST"]),
    Route("/admin/extend", extend_page, methods=["GET"]),
]
