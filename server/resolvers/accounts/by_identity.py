"""Finding an account by the identity number of the practitioner record it has claimed."""

from __future__ import annotations

from server.domain.identity import normalize_digits
from server.models.accounts import Account
from server.models.practitioners import Practitioner


async def account_by_identity_number(number: str) -> Account | None:
    number = normalize_digits(number.strip())
    if not number.isalnum() or len(number) > 20:
        return None
    practitioner = await Practitioner.get_or_none(identity_number=number.upper()) \
        .select_related("account")
    return practitioner.account if practitioner is not None else None
