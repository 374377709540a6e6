"""The notification inbox: every email and SMS the outbox queued for the signed-in account,
newest first, read or unread. The rows are the outbox's own (OutboxMessage.account), so
nothing sent is missing from the inbox; a message holding a secret (a one-time code or
link) is listed without its text."""

from __future__ import annotations

from server import clock
from server.domain.errors import DomainError
from server.models.outbox import OutboxMessage
from server.resolvers.kernel.access import require_account

CHANNELS = ("email", "sms")
MAX_FIRST = 100


def _mine(account_id):
    return OutboxMessage.filter(account_id=account_id, channel__in=CHANNELS)


async def inbox(ctx, first: int = 50) -> list[OutboxMessage]:
    """One query, whatever the number of messages."""
    account = require_account(ctx)
    first = max(1, min(int(first or 50), MAX_FIRST))
    return await _mine(account.id).order_by("-id").limit(first)


async def unread_count(ctx) -> int:
    account = require_account(ctx)
    return await _mine(account.id).filter(read_at=None).count()


async def mark_read(ctx, ids: list[str] | None) -> int:
    """The given messages (or all, when `ids` is None) marked read. An id that is not one of
    the caller's notifications (another account's, or none at all) is NOT_FOUND, the same
    for both, and nothing is marked. Gives the unread count after."""
    account = require_account(ctx)
    query = _mine(account.id).filter(read_at=None)
    if ids is not None:
        texts = {str(i) for i in ids}
        wanted = {int(i) for i in texts if i.isdigit() and len(i) <= 18}
        found = await _mine(account.id).filter(id__in=list(wanted)).count() if wanted else 0
        if len(wanted) != len(texts) or found != len(wanted):
            raise DomainError("NOT_FOUND", "ids")
        query = query.filter(id__in=list(wanted))
    await query.update(read_at=clock.now())
    return await unread_count(ctx)
