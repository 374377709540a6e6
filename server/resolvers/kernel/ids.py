"""Ids from callers are parsed before they reach a query: a malformed one is simply
unknown (PostgreSQL would otherwise reject it with an error of its own)."""

from __future__ import annotations

import uuid


def as_uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    text = str(value or "").strip()
    if not 32 <= len(text) <= 36:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
