"""What the forms of every domain's pages share: the signed-in caller, dates typed as day,
month and year, and the choices of the record's code lists."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.domain import codes
from server.domain.dates import parse_date_parts
from server.i18n import N_, gettext
from server.pages.labels import VERIFICATION_LABELS
from server.pages.plumbing import Context, page_ctx


async def signed_in(request: Request) -> Context:
    ctx = await page_ctx(request)
    if ctx.account is None:
        raise HTTPException(401)
    return ctx


def date_from_parts(values: dict, name: str, errors: dict | None = None,
                    lang: str = "ar") -> str | None:
    """YYYY-MM-DD from a day / month / year field. Empty → None (the use case says what is
    required); not a real date → None and a message in `errors` (the page's own)."""
    parts = [values.get(f"{name}-{p}", "") for p in ("day", "month", "year")]
    if not any(p.strip() for p in parts):
        return None
    try:
        return parse_date_parts(*parts).isoformat()
    except ValueError:
        if errors is not None:
            errors[name] = gettext(lang, N_(
                "Enter a real date: the day, the month and the year in 4 digits."))
        return None


def choices(lang: str) -> dict:
    return {"countries": codes.choices("country", lang),
            "organization_types": codes.choices("organization_type", lang),
            "genders": codes.choices("gender", lang),
            "verification_labels": VERIFICATION_LABELS}
