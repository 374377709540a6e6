"""What every domain's schema shares: UserError, Money, connections, and the one place
that turns a raised DomainError into a payload's `errors`."""

from __future__ import annotations

import base64
import logging
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


@strawberry.type
class Money:
    amount: str
    currency: str

    @classmethod
    def sar(cls, amount: Decimal) -> Money:
        return cls(amount=f"{amount:.2f}", currency="SAR")


def user_errors(error: DomainError, lang: str) -> list[UserError]:
    return [
        UserError(field=p.field, code=p.code, message=gettext(lang, p.msgid, **p.params))
        for p in error.problems
    ]


P = TypeVar("P")


async def mutation_payload(info: strawberry.Info, payload: type[P],
                           use_case: Callable[[], Awaitable[dict]]) -> P:
    """Run a use case; its result fills the payload, a DomainError fills `errors`."""
    try:
        fields = await use_case()
    except DomainError as error:
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
    """A cursor this server made, or None; a forged one raises INVALID."""
    if not cursor:
        return None
    try:
        parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        parts = []
    if len(parts) != arity:
        raise DomainError("INVALID", "after")
    return parts


def page_size(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if not 1 <= first <= 100:
        raise GraphQLError("`first` must be between 1 and 100.",
                           extensions={"code": "BAD_USER_INPUT"})
    return first


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
