"""Renewing a registration in the browser: choose the period, then a task list whose every
section saves as it goes (questions, personal details, experience and the employer letter,
CPD, documents), check your answers and submit. What is still needed is always the API's
`missing` list: the pages show it, they never decide it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from server.domain import codes
from server.i18n import N_, format_date, gettext, isolate
from server.pages.forms import signed_in
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

OPEN = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "RETURNED")
EDITABLE = ("DRAFT", "RETURNED")
YEAR_LABELS = {1: N_("1 year"), 3: N_("3 years"), 5: N_("5 years")}

# The documents a renewal may need, in the order the pages ask for them: (label, hint).
DOCUMENTS = {
    "EMPLOYER_LETTER": (N_("Letter from your employer"), N_(
        "Issued in the last 3 months, on your employer's letterhead, saying where you work "
        "and in what role.")),
    "BLS_CERTIFICATE": (N_("Basic Life Support (BLS) certificate"), N_(
        "It must be valid today.")),
    "EVIDENCE": (N_("Documents about the disciplinary action or licence restriction"), N_(
        "The decision, and how it ended if it has.")),
    "MEDICAL_FITNESS_REPORT": (N_("Medical fitness report"), N_(
        "A doctor's report that you are fit to practise, needed from the age of 65.")),
}

# Which task each item of `missing` belongs to, and where it is put right.
SECTIONS = {
    "questions": {"QUESTIONS"},
    "experience": {"CURRENT_EXPERIENCE", "EMPLOYER_LETTER", "LICENSE_DOCUMENT"},
    "cpd": {"CPD_HOURS"},
    "documents": set(DOCUMENTS),
}
FIX_AT = {
    "QUESTIONS": "{base}/questions", "CURRENT_EXPERIENCE": "/record#experience",
    "LICENSE_DOCUMENT": "/record#licenses", "EMPLOYER_LETTER": "{base}/experience",
    "CPD_HOURS": "{base}/cpd",
    **{kind: "{base}/documents#field-" + kind for kind in DOCUMENTS if kind != "EMPLOYER_LETTER"},
}
SAVED = {
    "questions": N_("Your answers are saved."),
    "experience": N_("Your employer letter is saved."),
    "documents": N_("Your documents are saved."),
}


def money(amount: Decimal | str) -> str:
    """250 rather than 250.00: the schedule is in whole riyals."""
    value = Decimal(str(amount))
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def number(value: float | int | str) -> str:
    """Hours as people write them: 90, 12.5, 0.25."""
    return f"{Decimal(str(value)).normalize():f}"


# ------------------------------------------------------------------ choosing the period

async def _start_data(ctx: Context) -> tuple[dict | None, str | None, dict]:
    """(the practitioner, the id of a renewal already open, what a renewal may be)."""
    data = (await execute(ctx, "PageRenewalStart")).data
    open_id = next((e["node"]["id"] for e in data["myApplications"]["edges"]
                    if e["node"]["kind"] == "RENEWAL" and e["node"]["status"] in OPEN), None)
    return data["me"]["practitioner"], open_id, data["renewalOptions"]


def _start_values(ctx: Context, practitioner: dict, options: dict) -> dict:
    refusal = options["refusal"]
    values: dict = {"p": practitioner, "registration": practitioner["registration"],
                    "blocked": refusal["message"] if refusal else None, "options": []}
    for choice in options["choices"]:
        hint = escape(gettext(ctx.lang, N_("%(amount)s SAR. Valid until %(date)s."))) % {
            "amount": isolate(money(Decimal(choice["fee"]["amount"]))),
            "date": _unbroken(_date(ctx, dt.date.fromisoformat(choice["validUntil"])))}
        values["options"].append((str(choice["years"]),
                                  gettext(ctx.lang, YEAR_LABELS[choice["years"]]), hint))
    return values


def _date(ctx: Context, value: dt.date) -> str:
    return format_date(value, ctx.lang, False)


def _unbroken(text: str) -> Markup:
    """Kept on one line, as the templates' `day` macro does."""
    return Markup('<span class="date-input__value">%s</span>') % text


async def start_page(request: Request):
    ctx = await signed_in(request)
    practitioner, open_id, options = await _start_data(ctx)
    if practitioner is None:
        return redirect(request, "/record/claim")
    if open_id:
        return redirect(request, f"/renewals/{open_id}")
    return render(request, ctx, "renewals/new.html", {
        **_start_values(ctx, practitioner, options), "values": {}, "errors": {}})


async def start(request: Request):
    ctx = await signed_in(request)
    form = await read_form(request)
    values = form_values(form, "years")
    years = int(values["years"]) if values["years"].isdecimal() else None
    payload, errors = await submit(ctx, "PageStartRenewal", "startRenewal",
                                   {"input": {"years": years}})
    if not errors:
        return redirect(request, f"/renewals/{payload['renewal']['id']}")
    practitioner, open_id, options = await _start_data(ctx)
    if open_id:  # a second click, or another tab: carry on with the one already open
        return redirect(request, f"/renewals/{open_id}")
    if practitioner is None:
        return redirect(request, "/record/claim")
    return form_response(request, ctx, "renewals/new.html", {
        **_start_values(ctx, practitioner, options), "values": values}, errors)


# ------------------------------------------------------------------ one renewal

async def load(ctx: Context, renewal_id: str) -> dict:
    """Everything the renewal's pages show; 404 for a renewal that is not the caller's."""
    data = (await execute(ctx, "PageRenewal", {"id": renewal_id})).data
    renewal = data["renewal"]
    if renewal is None or data["me"]["practitioner"] is None:
        raise HTTPException(404)
    missing = {m["code"]: m["message"] for m in renewal["missing"]}
    base = f"/renewals/{renewal['id']}"
    return {
        "r": renewal, "p": data["me"]["practitioner"], "application": data["myApplication"],
        "base": base, "missing": missing, "editable": renewal["status"] in EDITABLE,
        "answers": {q["code"]: q["answer"] for q in renewal["questions"]},
        "fix_at": {code: FIX_AT.get(code, "{base}").format(base=base) for code in missing},
        "current_experiences": [e for e in data["me"]["practitioner"]["experiences"]
                                if not e["endDate"]],
        "documents": DOCUMENTS, "money": money, "number": number,
        "year_label": gettext(ctx.lang, YEAR_LABELS[renewal["years"]])
        if renewal["years"] in YEAR_LABELS else str(renewal["years"]),
    }


def attached_documents(view: dict) -> dict[str, dict]:
    """Kind → {"id", "name"} of what is attached to the renewal `load` read."""
    return {d["kind"]: {"id": d["documentId"], "name": d["name"]}
            for d in view["r"]["documents"]}


def document_kinds(view: dict, attached: dict) -> list[str]:
    """The employer letter always; the others once the answers (or the age) ask for them."""
    return [kind for kind in DOCUMENTS if kind == "EMPLOYER_LETTER"
            or kind in view["missing"] or kind in attached]


def task_statuses(view: dict, attached: dict) -> dict[str, str]:
    missing = set(view["missing"])
    p = view["p"]

    def status(section: str, started: bool) -> str:
        if not missing & SECTIONS[section]:
            return "done"
        return "in_progress" if started else "todo"

    found = {
        "questions": status("questions", any(view["answers"].values())),
        "details": "done",
        "experience": status("experience", "CURRENT_EXPERIENCE" not in missing
                             or "EMPLOYER_LETTER" in attached),
        "cpd": status("cpd", bool(p["cpd"] and p["cpd"]["earnedHours"])),
        "documents": status("documents", bool(attached)),
    }
    if "QUESTIONS" in missing and found["documents"] == "done":
        # The answers decide which documents are needed: not done before they are given.
        found["documents"] = "in_progress" if attached else "todo"
    return found


async def renewal_of(request: Request) -> tuple[Context, dict]:
    ctx = await signed_in(request)
    return ctx, await load(ctx, request.path_params["id"])


async def task_list(request: Request):
    ctx, view = await renewal_of(request)
    attached = attached_documents(view)
    statuses = task_statuses(view, attached)
    saved = SAVED.get(request.query_params.get("saved", ""))
    return render(request, ctx, "renewals/task_list.html", {
        **view, "attached": attached, "status": statuses,
        "completed": sum(1 for s in statuses.values() if s == "done"),
        "saved": gettext(ctx.lang, saved) if saved else None,
        "sent": request.query_params.get("sent") == "1"})


async def _section_page(request: Request, template: str):
    """A section of a renewal still being prepared; once submitted, its task list."""
    ctx, view = await renewal_of(request)
    if not view["editable"]:
        return redirect(request, view["base"])
    attached = attached_documents(view)
    return render(request, ctx, template, {
        **view, "attached": attached, "kinds": document_kinds(view, attached),
        "countries": dict(codes.choices("country", ctx.lang)), "values": {}, "errors": {}})


async def questions_page(request: Request):
    return await _section_page(request, "renewals/questions.html")


async def details_page(request: Request):
    return await _section_page(request, "renewals/details.html")


async def experience_page(request: Request):
    return await _section_page(request, "renewals/experience.html")


async def cpd_page(request: Request):
    return await _section_page(request, "renewals/cpd.html")


async def documents_page(request: Request):
    return await _section_page(request, "renewals/documents.html")


async def check_page(request: Request):
    ctx, view = await renewal_of(request)
    if not view["editable"]:
        return redirect(request, view["base"])
    return await _check(request, ctx, view, {})


async def _check(request: Request, ctx: Context, view: dict, errors: dict):
    attached = attached_documents(view)
    new_until = view["r"]["projectedValidUntil"]
    values = {**view, "attached": attached, "kinds": document_kinds(view, attached),
              "new_until": new_until,
              "countries": dict(codes.choices("country", ctx.lang))}
    if errors:
        return form_response(request, ctx, "renewals/check.html", values, errors, "check")
    return render(request, ctx, "renewals/check.html", {**values, "errors": {}})


# ------------------------------------------------------------------ saving

async def answer(request: Request):
    ctx, view = await renewal_of(request)
    form = await read_form(request)
    if not view["editable"]:
        return redirect(request, view["base"])
    renewal_id = view["r"]["id"]
    # A radio cannot be cleared: an answer saved earlier stands unless it is changed.
    given = {q["code"]: str(form.get(q["code"]) or q["answer"] or "")
             for q in view["r"]["questions"]}
    errors: dict = {}
    answers = [{"code": code, "answer": value} for code, value in given.items() if value]
    if answers:  # what is answered is saved even when another question is not
        _, errors = await submit(ctx, "PageAnswerRenewalQuestions", "answerRenewalQuestions",
                                 {"input": {"renewalId": renewal_id, "answers": answers}})
        errors = {("_form" if field == "answers" else field): message
                  for field, message in errors.items()}
    summary = dict(errors)
    for q in view["r"]["questions"]:
        if not given[q["code"]]:
            errors[q["code"]] = gettext(ctx.lang, N_("Answer yes or no."))
            summary[q["code"]] = gettext(ctx.lang, N_("Answer yes or no: %(question)s"),
                                         question=q["text"])
    if errors:
        return form_response(request, ctx, "renewals/questions.html", {
            **view, "values": given, "summary": summary}, errors)
    return redirect(request, f"{view['base']}?saved=questions")


async def submit_renewal(request: Request):
    ctx, view = await renewal_of(request)
    await read_form(request)
    renewal_id = view["r"]["id"]
    if view["r"]["status"] == "AWAITING_PAYMENT":  # submitted already (a second click)
        return redirect(request, f"/applications/{renewal_id}/pay")
    payload, errors = await submit(ctx, "PageSubmitRenewal", "submitRenewal",
                                   {"input": {"renewalId": renewal_id}})
    if not errors:
        if payload["renewal"]["status"] == "AWAITING_PAYMENT":
            return redirect(request, f"/applications/{renewal_id}/pay")
        return redirect(request, f"{view['base']}?sent=1")  # corrected: no second fee
    view = await load(ctx, renewal_id)
    # Each thing still missing is listed on the page with an anchor the summary links to.
    return await _check(request, ctx, view, dict(view["missing"]) or errors)


ROUTES = [
    Route("/renewals/new", start_page, methods=["GET"]),
    Route("/renewals/new", start, methods=["POST"]),
    Route("/renewals/{id}", task_list, methods=["GET"]),
    Route("/renewals/{id}/questions", questions_page, methods=["GET"]),
    Route("/renewals/{id}/questions", answer, methods=["POST"]),
    Route("/renewals/{id}/details", details_page, methods=["GET"]),
    Route("/renewals/{id}/experience", experience_page, methods=["GET"]),
    Route("/renewals/{id}/cpd", cpd_page, methods=["GET"]),
    Route("/renewals/{id}/documents", documents_page, methods=["GET"]),
    Route("/renewals/{id}/check", check_page, methods=["GET"]),
    Route("/renewals/{id}/check", submit_renewal, methods=["POST"]),
]
