"""Who may do what: helpers every use case calls first (the signed-in account, its role, its
practitioner record)."""

from __future__ import annotations

from server.domain.errors import AccessDenied, DomainError
from server.i18n import N_
from server.models.practitioners import Practitioner
from server.resolvers.kernel.caller import Caller


def require_account(ctx: Caller):
    if ctx.account is None:
        raise AccessDenied("UNAUTHENTICATED")
    return ctx.account


def require_role(ctx: Caller, *roles: str):
    """A staff account made with a temporary password is refused every staff power until it
    has chosen its own (changePassword clears `must_change_password`)."""
    account = require_account(ctx)
    if not any(role in account.role_list for role in roles):
        raise AccessDenied("FORBIDDEN")
    if getattr(account, "must_change_password", False):
        raise AccessDenied("FORBIDDEN")
    return account


def require_staff(ctx: Caller):
    return require_role(ctx, "REVIEWER", "ADMIN")


async def my_practitioner(ctx: Caller) -> Practitioner | None:
    account = require_account(ctx)
    return await Practitioner.get_or_none(account_id=account.id)


async def require_practitioner(ctx: Caller) -> Practitioner:
    """The caller's record, or INVALID_STATE telling them to claim it first."""
    practitioner = await my_practitioner(ctx)
    if practitioner is None:
        raise DomainError("INVALID_STATE", None, N_(
            "Link your account to your registration record first."))
    return practitioner
