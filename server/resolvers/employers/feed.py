"""The change feed: every change of the public register in the order it happened, for a
key with scope REGISTER_READ to page through from its last cursor (one query a page)."""

from __future__ import annotations

from server.models.employers import RegisterChange
from server.resolvers.employers.keys import require_api_key
from server.resolvers.kernel.caller import Caller


async def register_changes(ctx: Caller, size: int, after_id: int | None) -> tuple[list, bool]:
    require_api_key(ctx, "REGISTER_READ")
    query = RegisterChange.all()
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    rows = list(await query.order_by("id").limit(size + 1))
    return rows[:size], len(rows) > size
