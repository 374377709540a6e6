"""Errors as data: every bad input becomes a UserError(field, code, message) in a payload.

Resolvers raise `DomainError`; the schema layer turns it into the payload's `errors` in one
place (`server.schema.base.mutation_payload`). Messages are English msgids translated into
the request's language when the payload is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import Enum

from server.domain.text import N_


class ErrorCode(Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    MISMATCH = "MISMATCH"
    TAKEN = "TAKEN"
    TOO_WEAK = "TOO_WEAK"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    EXPIRED = "EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_STATE = "INVALID_STATE"
    CAPTCHA_FAILED = "CAPTCHA_FAILED"
    TOO_LARGE = "TOO_LARGE"
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    INCOMPLETE = "INCOMPLETE"
    PAYMENT_FAILED = "PAYMENT_FAILED"


DEFAULT_MESSAGES = {
    ErrorCode.REQUIRED: N_("This is required."),
    ErrorCode.INVALID: N_("This value is not valid."),
    ErrorCode.MISMATCH: N_("This does not match."),
    ErrorCode.TAKEN: N_("This is already in use."),
    ErrorCode.TOO_WEAK: N_("Choose a stronger password."),
    ErrorCode.NOT_FOUND: N_("Not found."),
    ErrorCode.NOT_ALLOWED: N_("This is not allowed."),
    ErrorCode.EXPIRED: N_("This has expired."),
    ErrorCode.RATE_LIMITED: N_("Too many attempts. Try again later."),
    ErrorCode.INVALID_STATE: N_("This cannot be done at this stage."),
    ErrorCode.CAPTCHA_FAILED: N_("The robot check failed. Please try it again."),
    ErrorCode.TOO_LARGE: N_("The file is too large."),
    ErrorCode.UNSUPPORTED_TYPE: N_("This type of file is not accepted."),
    ErrorCode.INCOMPLETE: N_("Something is still missing."),
    ErrorCode.PAYMENT_FAILED: N_("The payment did not go through."),
}


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    field: str | None = None
    message: str | None = None
    params: dict = dataclass_field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.message or DEFAULT_MESSAGES[self.code]


class DomainError(Exception):
    """One or more problems with a request; nothing was changed."""

    def __init__(self, code: ErrorCode | str | None = None, field: str | None = None,
                 message: str | None = None, *, problems: list[Problem] | None = None,
                 **params) -> None:
        self.problems = list(problems or [])
        if code is not None:
            self.problems.append(Problem(ErrorCode(code), field, message, params))
        super().__init__("; ".join(f"{p.field}: {p.code.value}" for p in self.problems))


class Problems:
    """Collects every field problem of a form, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode | str, field: str | None = None,
            message: str | None = None, **params) -> None:
        if field is not None and self.has(field):
            return  # one message a field: the first problem found is the one to fix
        self.items.append(Problem(ErrorCode(code), field, message, params))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(problems=self.items)


class AccessDenied(Exception):
    """A top-level GraphQL error: not signed in, or a field this caller may not use."""

    def __init__(self, code: str = "UNAUTHENTICATED", message: str | None = None) -> None:
        self.code = code
        self.msgid = message or (
            N_("Sign in to continue.") if code == "UNAUTHENTICATED"
            else N_("You are not allowed to do this.")
        )
        super().__init__(code)
