"""The audit trail: append-only rows; identity numbers masked, never a secret."""

from __future__ import annotations

import re

from server.models.audit import AuditEntry

SECRET_KEYS = {"password", "code", "token", "secret", "captcha", "totp"}
LONG_NUMBER = re.compile(r"\d{6,}(\d{4})")


def _clean(value):
    if isinstance(value, dict):
        return {k: ("[redacted]" if any(s in k.lower() for s in SECRET_KEYS) else _clean(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return LONG_NUMBER.sub(lambda m: "•" * (len(m.group(0)) - 4) + m.group(1), value)
    return value


async def record(action: str, *, actor=None, target_type: str = "", target_id: object = "",
                 ip: str = "", **details) -> None:
    await AuditEntry.create(
        actor_id=getattr(actor, "id", actor), action=action, target_type=target_type,
        target_id=str(target_id)[:64], ip=ip[:45], details=_clean(details))
