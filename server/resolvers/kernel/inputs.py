"""Values from callers that many use cases read the same way."""

from __future__ import annotations

import datetime as dt

from server.domain.dates import parse_date_parts
from server.domain.errors import Problems
from server.domain.identity import normalize_digits
from server.i18n import N_


def parse_date(value, field: str, problems: Problems) -> dt.date | None:
    """A date from GraphQL (already a date) or a form's YYYY-MM-DD text."""
    if isinstance(value, dt.date):
        return value
    text = normalize_digits(str(value or "")).strip()
    if not text:
        problems.add("REQUIRED", field)
        return None
    try:
        year, month, day = text.split("-")
        return parse_date_parts(day, month, year)
    except ValueError:
        problems.add("INVALID", field, N_("Enter a real date, like 2024-03-31."))
        return None
