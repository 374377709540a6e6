"""Each distinct query text parsed and validated once per process.

Strawberry's ParserCache and ValidationCache do this as two extensions, and the validation
cache keys its LRU on the parsed document, whose hash walks every node of the AST on every
request (`graphql.language.ast.Node.__hash__`); with MaxTokensLimiter and AddValidationRules
that made four extensions, each with its hooks, on every request. This one extension keys
both caches on the query text (a str caches its own hash) and the rule classes, and leaves
errors to Strawberry: a text that does not parse is parsed again by Strawberry with the same
token limit, so it answers exactly as before (docs/performance.md, "Where the time goes")."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAXSIZE = 1000  # bounded: anyone may send new query texts


@lru_cache(maxsize=MAXSIZE)
def parsed(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


@lru_cache(maxsize=MAXSIZE)
def validated(schema: GraphQLSchema, query: str, max_tokens: int,
              rules: tuple) -> tuple[GraphQLError, ...]:
    return tuple(validate_document(schema, parsed(query, max_tokens), rules))


def document_cache(rules: tuple, max_tokens: int) -> type[SchemaExtension]:
    """The extension class for these extra validation rules and this token limit."""

    class DocumentCache(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            if context.query:
                try:
                    context.graphql_document = parsed(context.query, max_tokens)
                except GraphQLError:
                    pass  # Strawberry parses it again and answers the syntax error
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            context.validation_rules = all_rules = context.validation_rules + rules
            if context.query and context.graphql_document is not None:
                context.pre_execution_errors = list(validated(
                    context.schema._schema, context.query, max_tokens, all_rules))
            yield

    return DocumentCache
