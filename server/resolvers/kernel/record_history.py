"""The history of a practitioner's record: every change, who made it and why (shown on the
record's history page)."""

from __future__ import annotations

from server.models.practitioners import RecordChange


async def record_change(practitioner_id, actor_id, what: str, changes: dict | None = None,
                        application_id=None) -> None:
    await RecordChange.create(practitioner_id=practitioner_id, actor_id=actor_id, what=what,
                              changes=changes or {}, application_id=application_id)
