"""The root schema: each domain's Query and Mutation merged, with the limits of
docs/security.md."""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.extensions import DisableIntrospection
from strawberry.extensions.max_aliases import create_validator as create_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from server.schema import (
    applications,
    payments,
    renewals,
    review,
    review_search,
    review_workflow,
    services,
)
from server.schema.accounts import notifications as accounts_notifications
from server.schema.accounts import passkeys as accounts_passkeys
from server.schema.accounts import schema as accounts
from server.schema.admin import approvals as admin_approvals
from server.schema.admin import canned_reasons as admin_canned
from server.schema.admin import reports as admin_reports
from server.schema.admin import schema as admin
from server.schema.base import ErrorShaping, NoSuggestions
from server.schema.documents import document_cache
from server.schema.employers import schema as employers
from server.schema.limits import ApiKeyLimit, MutationRateLimit, one_sign_in_mutation_per_document
from server.schema.my_documents import Query as MyDocumentsQuery
from server.schema.record import schema as record
from server.schema.register import credential as register_credential
from server.schema.register import schema as register
from server.schema.register import search as register_search

MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 1000

Query = merge_types("Query", (accounts.Query, accounts_passkeys.Query,
                             accounts_notifications.Query, applications.Query,
                             payments.Query, register.Query, register_credential.Query,
                             register_search.Query, record.Query,
                             renewals.Query, review.Query, review_search.Query,
                             services.Query, admin.Query, employers.Query, MyDocumentsQuery,
                             review_workflow.Query, admin_approvals.Query, admin_reports.Query,
                             admin_canned.Query))
MUTATIONS: tuple[type, ...] = (accounts.Mutation, accounts_passkeys.Mutation,
                              accounts_notifications.Mutation, record.Mutation,
                              renewals.Mutation, payments.Mutation, review.Mutation,
                              services.Mutation, admin.Mutation, employers.Mutation,
                              review_workflow.Mutation, admin_approvals.Mutation,
                              admin_canned.Mutation)
SIGN_IN_RULE = one_sign_in_mutation_per_document(accounts.SIGN_IN_FIELDS
                                                  | accounts_passkeys.SIGN_IN_FIELDS)
VALIDATION_RULES = [
    create_depth_rule(MAX_DEPTH, None),
    create_aliases_rule(MAX_ALIASES),
    SIGN_IN_RULE,
]


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Client mistakes (syntax, validation, limits) are answered, not logged as errors;
        unexpected failures are logged by ErrorShaping with their traceback."""


@cache
def build_schema(production: bool = False) -> strawberry.Schema:
    # A fresh extension per request. The parse and validation caches are module-level LRU
    # caches keyed on the query text and the rule classes, so the rules are built once
    # (VALIDATION_RULES), never per request (server/schema/documents.py).
    extensions = [
        document_cache(tuple(VALIDATION_RULES), MAX_TOKENS),
        ApiKeyLimit,
        MutationRateLimit,
        ErrorShaping,
    ]
    if production:
        extensions += [DisableIntrospection, NoSuggestions]
    return Schema(
        query=Query,
        mutation=merge_types("Mutation", MUTATIONS) if MUTATIONS else None,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def printed_schema() -> str:
    return build_schema(False).as_str() + "\n"
