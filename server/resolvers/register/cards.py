"""Registration cards: the PDF a practitioner downloads, and that other use cases (the
renewal-approval email) attach."""

from __future__ import annotations

import asyncio
from uuid import UUID

from server.integrations import pdf
from server.resolvers.register.lookup import registration_entry


async def card_pdf_for(registration_number: str, base_url: str, *,
                       owner_account_id: UUID | str | None = None) -> bytes | None:
    """The card of a registration as PDF bytes, or None when there is no such registration
    (or, with `owner_account_id`, when that account's practitioner does not hold it).
    `base_url` is `settings.base_url`: the QR code opens {base_url}/verify/{number}.

    One query; the PDF is drawn in a worker thread (~0.2 s of CPU for font subsetting and
    shaping) so the event loop keeps serving."""
    entry = await registration_entry(registration_number, owner_account_id=owner_account_id)
    if entry is None:
        return None
    return await asyncio.to_thread(pdf.registration_card, dict(entry), base_url)
