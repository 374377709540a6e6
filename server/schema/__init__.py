"""The root schema: each domain's Query and Mutation merged, with the limits of
docs/security.md."""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from server.schema import (
    accounts,
    applications,
    public,
    record,
    renewals,
    review,
    services,
)
from server.schema.base import ErrorShaping
from server.schema.limits import one_sign_in_mutation_per_document

MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 1000

Query = merge_types("Query", (accounts.Query, applications.Query, public.Query, record.Query,
                             renewals.Query, review.Query, services.Query))
MUTATIONS: tuple[type, ...] = (accounts.Mutation, record.Mutation, renewals.Mutation,
                              review.Mutation, services.Mutation)
SIGN_IN_RULE = one_sign_in_mutation_per_document(accounts.SIGN_IN_FIELDS)


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Client mistakes (syntax, validation, limits) are answered, not logged as errors;
        unexpected failures are logged by ErrorShaping with their traceback."""


@cache
def build_schema(production: bool = False) -> strawberry.Schema:
    # Factories: a fresh extension per request. The parse and validation caches are
    # module-level LRU caches keyed by maxsize, so they survive across requests.
    extensions = [
        lambda: ParserCache(maxsize=1000),
        lambda: ValidationCache(maxsize=1000),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: AddValidationRules([SIGN_IN_RULE]),
        ErrorShaping,
    ]
    if production:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=merge_types("Mutation", MUTATIONS) if MUTATIONS else None,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def printed_schema() -> str:
    return build_schema(False).as_str() + "\n"
