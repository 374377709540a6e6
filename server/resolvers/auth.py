"""Who may do what: helpers every use case calls first."""

from __future__ import annotations

from server.domain.errors import AccessDenied


def require_account(ctx):
    if ctx.account is None:
        raise AccessDenied("UNAUTHENTICATED")
    return ctx.account


def require_role(ctx, *roles: str):
    account = require_account(ctx)
    if not any(role in account.role_list for role in roles):
        raise AccessDenied("FORBIDDEN")
    return account


def require_staff(ctx):
    return require_role(ctx, "REVIEWER", "ADMIN")
