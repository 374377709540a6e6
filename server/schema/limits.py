"""Validation rules beyond Strawberry's limiters."""

from __future__ import annotations

import datetime as dt

from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from server.resolvers.kernel import limits as ratelimit


def one_sign_in_mutation_per_document(field_names: frozenset[str]) -> type[ValidationRule]:
    """At most one sign-in mutation a document: no guessing 100 codes with aliases in one
    request. Fragments are counted too."""

    class OneSignInMutation(ValidationRule):
        def __init__(self, context) -> None:
            super().__init__(context)
            self.seen = 0

        def enter_field(self, node: FieldNode, *_args) -> None:
            if node.name.value in field_names:
                self.seen += 1
                if self.seen == 2:
                    self.report_error(GraphQLError(
                        "Only one sign-in mutation is allowed per request.", node,
                        extensions={"code": "TOO_MANY_SIGN_IN_MUTATIONS"}))

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
            for key in keys:
                wait = await ratelimit.hit(key, limit, dt.timedelta(minutes=1))
                if wait is not None:
                    raise GraphQLError(
                        f"Too many requests. Try again in {wait} seconds.",
                        extensions={"code": "RATE_LIMITED", "retryAfter": wait})
        yield
