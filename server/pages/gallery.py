"""Development only: the component gallery, every macro of web/templates/components/ on one
page in the current language. Its form really submits (plain POST, or htmx swapping the
form alone), so the error summary, focus handling and busy buttons can be tried."""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request
from starlette.routing import Route

from server import clock
from server.i18n import N_, gettext
from server.pages.plumbing import is_htmx, page_ctx, read_form, render

PROFESSIONS = ("physician", "dentist", "nurse", "pharmacist", "allied")
REGISTRATION_TYPES = ("new", "renewal")
MOBILE = re.compile(r"05\d{8}")

MESSAGES = {
    "full_name": N_("Enter your full name."),
    "email": N_("Enter an email address in the correct format, like name@example.com."),
    "mobile": N_("Enter a Saudi mobile number, like 0501234567."),
    "profession": N_("Choose your profession."),
    "registration_type": N_("Choose the type of registration."),
    "birth_date": N_("Enter a real date of birth, in the past."),
    "consent": N_("Confirm that the information is correct."),
}

# Sample people for the table: data, not interface text, so one set per language.
APPLICANTS = {
    "ar": ["سارة العتيبي", "محمد القحطاني", "نورة الشمري", "عبدالله الغامدي"],
    "en": ["Sara Al-Otaibi", "Mohammed Al-Qahtani", "Noura Al-Shammari", "Abdullah Al-Ghamdi"],
}
APPLICATION_ROWS = [
    ("APP-2026-000124", dt.date(2026, 11, 2), "SUBMITTED"),
    ("APP-2026-000123", dt.date(2026, 10, 28), "IN_REVIEW"),
    ("APP-2026-000119", dt.date(2026, 10, 14), "RETURNED"),
    ("APP-2026-000117", dt.date(2026, 9, 30), "APPROVED"),
]


def check(form) -> tuple[dict, dict[str, str]]:
    """The values as typed, and a message per field that is wrong."""
    text = {name: str(form.get(name, "")).strip() for name in
            ("full_name", "email", "mobile", "profession", "registration_type")}
    birth = {part: str(form.get(f"birth_date-{part}", "")).strip()
             for part in ("day", "month", "year")}
    values = {**text, "birth_date": birth, "consent": form.get("consent") == "1"}
    upload = form.get("certificate")
    if getattr(upload, "filename", ""):
        values["certificate"] = {"id": "example", "name": upload.filename}

    wrong = {
        "full_name": not text["full_name"],
        "email": not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text["email"]),
        "mobile": bool(text["mobile"]) and not MOBILE.fullmatch(_ascii_digits(text["mobile"])),
        "profession": text["profession"] not in PROFESSIONS,
        "registration_type": text["registration_type"] not in REGISTRATION_TYPES,
        "birth_date": _date(birth) is None,
        "consent": not values["consent"],
    }
    return values, {name: MESSAGES[name] for name, bad in wrong.items() if bad}


def _ascii_digits(value: str) -> str:
    return "".join(str(int(c)) if c.isdecimal() else c for c in value)


def _date(parts: dict[str, str]) -> dt.date | None:
    if not all(p.isdecimal() for p in parts.values()):
        return None
    try:
        value = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None
    return value if dt.date(1900, 1, 1) <= value < clock.today() else None


async def gallery(request: Request):
    ctx = await page_ctx(request)
    values: dict = {"birth_date": dt.date(1990, 4, 23)}
    errors: dict[str, str] = {}
    submitted = request.method == "POST"
    if submitted:
        values, errors = check(await read_form(request))
    data = {
        "values": values,
        "errors": {name: gettext(ctx.lang, message) for name, message in errors.items()},
        "submitted": submitted,
        "applications": [
            {"reference": ref, "applicant": name, "submitted": day, "status": status}
            for (ref, day, status), name in zip(APPLICATION_ROWS, APPLICANTS[ctx.lang],
                                                strict=True)
        ],
    }
    status = 422 if errors else 200
    if submitted and is_htmx(request):
        return render(request, ctx, "dev/components.html", data, block="live_form",
                      status=status)
    return render(request, ctx, "dev/components.html", data, status=status)


ROUTES = [Route("/dev/components", gallery, methods=["GET", "POST"])]
