"""Validation rules beyond Strawberry's limiters."""

from __future__ import annotations

from graphql import FieldNode, GraphQLError, ValidationRule


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
