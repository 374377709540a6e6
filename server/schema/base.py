"""What every domain's schema shares: UserError, Money, connections, and the one place
that turns a raised DomainError into a payload's `errors`."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from server.domain.errors import AccessDenied, DomainError
from server.domain.errors import ErrorCode as DomainErrorCode
from server.i18n import gettext
from server.resolvers.kernel import audit

log = logging.getLogger("sijil.graphql")

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode")


@strawberry.type
class UserError:
    field: str | None
    code: ErrorCode
    message: str
    retry_after: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: the seconds to wait before trying "
                                  "again (also sent as the Retry-After header).")


@strawberry.type
class Money:
    amount: str
    currency: str

    @classmethod
    def sar(cls, amount: Decimal) -> Money:
        return cls(amount=f"{amount:.2f}", currency="SAR")


def user_errors(error: DomainError, lang: str) -> list[UserError]:
    return [
        UserError(field=p.field, code=p.code, message=gettext(lang, p.msgid, **p.params),
                  retry_after=p.params.get("retry_after"))
        for p in error.problems
    ]


P = TypeVar("P")


async def mutation_payload(info: strawberry.Info, payload: type[P],
                           use_case: Callable[[], Awaitable[dict]]) -> P:
    """Run a use case; its result fills the payload, a DomainError fills `errors`."""
    try:
        fields = await use_case()
    except DomainError as error:
        waits = [p.params["retry_after"] for p in error.problems if "retry_after" in p.params]
        if waits:
            info.context.retry_after = max([*waits, info.context.retry_after or 0])
        return payload(errors=user_errors(error, info.context.lang))
    return payload(errors=[], **fields)


# ------------------------------------------------------------------ connections

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo


def encode_cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode("|".join(str(p) for p in parts).encode()).decode()


def decode_cursor(cursor: str | None, arity: int) -> list[str] | None:
    """A cursor this server made, or None. The contract has no top-level error for bad
    input and a query has no `errors` payload, so a cursor this server did not make is
    read as no cursor: the first page (docs/api.md, "Paging")."""
    if not cursor:
        return None
    try:
        parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        return None
    return parts if len(parts) == arity else None


def decode_time_cursor(cursor: str | None) -> tuple[str, str] | None:
    """A (timestamp, id) cursor, or None for the first page (as decode_cursor)."""
    parts = decode_cursor(cursor, 2)
    if parts is None:
        return None
    try:
        dt.datetime.fromisoformat(parts[0])
        uuid.UUID(parts[1])
    except ValueError:
        return None
    return parts[0], parts[1]


def page_size(first: int | None, default: int = 20) -> int:
    """`first` kept to 1..100 (docs/security.md): a larger one gets 100, a smaller one 1,
    rather than a top-level error the contract does not allow for bad input."""
    if first is None:
        return default
    return min(100, max(1, first))


# ------------------------------------------------------------------ top-level errors

class ErrorShaping(SchemaExtension):
    """Access errors get their code (and a refused field an audit row); anything unexpected
    is logged and masked."""

    async def on_operation(self):
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        lang = getattr(context, "lang", "ar")
        result.errors = [self._shape(error, lang) for error in result.errors]
        refused = [".".join(str(p) for p in (e.path or [])) for e in result.errors
                   if (e.extensions or {}).get("code") == "FORBIDDEN"]
        if refused:
            await audit.record("authz.forbidden", actor=getattr(context, "account", None),
                               ip=getattr(context, "ip", ""), fields=refused)

    @staticmethod
    def _shape(error: GraphQLError, lang: str) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error  # syntax, validation, limits: safe and useful to the client
        if isinstance(original, AccessDenied):
            return GraphQLError(gettext(lang, original.msgid), nodes=error.nodes,
                                path=error.path, extensions={"code": original.code})
        if isinstance(original, DomainError):
            problem = original.problems[0] if original.problems else None
            message = gettext(lang, problem.msgid, **problem.params) if problem else ""
            return GraphQLError(message, nodes=error.nodes, path=error.path,
                                extensions={"code": "BAD_USER_INPUT"})
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError("Unexpected error.", nodes=error.nodes, path=error.path,
                            extensions={"code": "INTERNAL_SERVER_ERROR"})


class NoSuggestions(SchemaExtension):
    """Production: no "Did you mean …?" anywhere. graphql-core suggests argument names,
    enum values and input fields, which is enough to rebuild a schema without
    introspection."""

    def on_operation(self):
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [
            GraphQLError(e.message.split(" Did you mean")[0], nodes=e.nodes, path=e.path,
                         extensions=e.extensions)
            if " Did you mean" in e.message else e
            for e in result.errors]


# docs/api.md, "Codes": why the contract's fixed code sets are String, not GraphQL enums.
WHY_STRING = ("One of the contract's codes, typed String rather than an enum: the contract's "
              "operations pass these codes as String variables (SearchRegister's $category, "
              "$specialty), which an enum argument would refuse, and a code reads the same "
              "going in and coming out.")
CODE_FIELDS = {
    "category": "A category code: PHYSICIAN, DENTIST, PHARMACIST, NURSE or ALLIED_HEALTH.",
    "rank": "A rank code of the category (e.g. CONSULTANT).",
    "specialty": "A specialty code or its English name (e.g. INTERNAL_MEDICINE); free text "
                 "on experiences and licences held elsewhere.",
    "organization_type": "GOVERNMENT, PRIVATE, MILITARY, UNIVERSITY or OTHER.",
    "gender": "M or F.",
    "nationality": "An ISO 3166-1 alpha-2 country code (e.g. SA).",
    "country": "An ISO 3166-1 alpha-2 country code (e.g. SA).",
    "identity_type": "NATIONAL_ID, IQAMA or PASSPORT.",
}


def code_field(name: str, **options):
    """A field holding one of the contract's codes, saying what it holds and why a String."""
    return strawberry.field(description=f"{CODE_FIELDS[name]} {WHY_STRING}", **options)
