"""Validation rules beyond Strawberry's limiters."""

from __future__ import annotations

import datetime as dt

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from server.graphql_http import MESSAGES
from server.i18n import gettext
from server.resolvers.kernel import limits as ratelimit


def one_sign_in_mutation_per_document(field_names: frozenset[str]) -> type[ValidationRule]:
    """At most one sign-in mutation in the operation that runs: no guessing 100 codes with
    aliases in one request. Fragments count once per spread. Each operation of a document
    is counted on its own, so a client's operations file (Login, VerifyLogin, …) can be
    sent whole with `operationName` choosing one; validation does not know which one is
    chosen, so an operation with two is refused whether it is chosen or not."""

    class OneSignInMutation(ValidationRule):
        def __init__(self, context) -> None:
            super().__init__(context)
            self.current: str | None = None  # "op:<index>" or "fragment:<name>"
            self.fields: dict[str, int] = {}
            self.spreads: dict[str, list[str]] = {}
            self.operations: list[tuple[str, OperationDefinitionNode]] = []

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args) -> None:
            self.current = f"op:{len(self.operations)}"
            self.operations.append((self.current, node))

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_args) -> None:
            self.current = f"fragment:{node.name.value}"

        def enter_field(self, node: FieldNode, *_args) -> None:
            if self.current and node.name.value in field_names:
                self.fields[self.current] = self.fields.get(self.current, 0) + 1

        def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
            if self.current:
                self.spreads.setdefault(self.current, []).append(
                    f"fragment:{node.name.value}")

        def leave_document(self, *_args) -> None:
            for key, node in self.operations:
                if self._count(key, frozenset()) > 1:
                    self.report_error(GraphQLError(
                        "Only one sign-in mutation is allowed per request.", node,
                        extensions={"code": "TOO_MANY_SIGN_IN_MUTATIONS"}))

        def _count(self, key: str, seen: frozenset[str]) -> int:
            if key in seen:
                return 0  # a fragment cycle, refused by graphql-core's own rule
            return self.fields.get(key, 0) + sum(
                self._count(spread, seen | {key}) for spread in self.spreads.get(key, ()))

    return OneSignInMutation


class MutationRateLimit(SchemaExtension):
    """docs/security.md: a rate per account and per address (settings.mutations_per_minute,
    120 by default: far above any person's pace). Mutations only: they write
    anyway, so the counter costs them little; reads (the public register) stay free of
    writes. Sign-in mutations have their own, stricter limits in their use cases."""

    async def on_execute(self):
        execution = self.execution_context
        if execution.graphql_document is not None and \
                execution.operation_type == OperationType.MUTATION:
            context = execution.context
            limit = context.settings.mutations_per_minute
            keys = [f"gql-mutations:ip:{getattr(context, 'ip', '')}"]
            account = getattr(context, "account", None)
            if account is not None:
                keys.append(f"gql-mutations:account:{account.id}")
            window = dt.timedelta(minutes=1)
            for key in keys:
                used, reset = await ratelimit.count(key, window)
                remaining = max(0, limit - used)
                if context.rate_limit is None or remaining < context.rate_limit[1]:
                    context.rate_limit = (limit, remaining, reset)
                if used > limit:
                    raise GraphQLError(
                        gettext(context.lang, MESSAGES["RATE_LIMITED"], seconds=reset),
                        extensions={"code": "RATE_LIMITED", "retryAfter": reset})
        yield


class ApiKeyLimit(SchemaExtension):
    """Requests with an API key: an unknown or revoked key is refused (UNAUTHENTICATED)
    whatever the operation, and each key has its own rate (ApiKey.requests_per_minute),
    counted on every operation, reads included (a key is a machine, not a person)."""

    async def on_execute(self):
        context = self.execution_context.context
        if getattr(context, "api_key_refused", False):
            raise GraphQLError("This API key is unknown or revoked.",
                               extensions={"code": "UNAUTHENTICATED"})
        key = getattr(context, "api_key", None)
        if key is not None:
            from server.resolvers.kernel import limits as ratelimit

            wait = await ratelimit.hit(f"api-key:{key.id}", key.requests_per_minute,
                                       dt.timedelta(minutes=1))
            if wait is not None:
                raise GraphQLError(
                    gettext(context.lang, MESSAGES["RATE_LIMITED"], seconds=wait),
                    extensions={"code": "RATE_LIMITED", "retryAfter": wait})
        yield
