"""Registration numbers for first registrations: "YY-R-NNNNNNN" (the year's last two
digits, R, a 7-digit sequence within the year), e.g. 26-R-0000042. Imported records keep
the numbers they have."""

from __future__ import annotations

from server.domain.applications import format_registration_number
from server.models.practitioners import Registration


async def next_registration_number(year: int) -> str:
    """The next free number of the year. Called inside the approving transaction: the
    unique index on `number` turns a race into a retried decision, never a duplicate."""
    prefix = f"{year % 100:02d}-R-"
    # Imported numbers may share the prefix without the format (26-R-X1): skip those.
    candidates = await Registration.filter(number__startswith=prefix).order_by("-number") \
        .limit(100).values_list("number", flat=True)
    tails = [n[len(prefix):] for n in candidates]
    last = next((int(t) for t in tails if t.isdigit() and len(t) == 7), 0)
    return format_registration_number(year % 100, last + 1)
