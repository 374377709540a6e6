"""The public register search (`searchRegister`) answered without graphql-core's executor,
as verify_plan.py answers the look-up.

A page of 20 entries is ~190 fields for graphql-core to complete one by one, most of the
search's CPU once its statement takes under a millisecond (S9, docs/performance.md). For a
document of exactly the contract's shape (decided once per query text, from the parsed
document: one query, the field `searchRegister` with each argument given by a variable of
the argument's own type, and some of `edges { cursor node { …plain fields } }`,
`pageInfo { hasNextPage endCursor }`, `moreNotShown` and `errors { … }`, in any order) the
view calls the same use case and writes the same JSON graphql-core would. Everything else
goes through GraphQL as before: any other shape of document (aliases, fragments, directives,
`__typename`, literals, a second field…), variables that do not fit their types,
and every search that ends in a user error (a short query, a bad cursor, the rate limit),
whose messages GraphQL writes in the caller's language. tests/register/test_search_plan.py
checks the answers are the same, byte for byte.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import FieldNode, ListTypeNode, NamedTypeNode, NonNullTypeNode, VariableNode

from server.domain.errors import DomainError
from server.domain.registry import RegistrationStatus
from server.resolvers.register import search as register_search
from server.schema.register.verify_plan import FIELDS, single_query

# Argument → (its GraphQL type, whether the argument is non-null).
ARGUMENTS = {"query": ("String", True), "category": ("String", False),
             "specialty": ("String", False), "status": ("RegistrationStatus", False),
             "first": ("Int", False), "after": ("String", False)}
PAGE_INFO = {"hasNextPage": lambda page: page.has_next_page,
             "endCursor": lambda page: page.end_cursor}
USER_ERROR = ("field", "code", "message", "retryAfter")
_STATUSES = {status.name for status in RegistrationStatus}
_INT_MAX = 2**31 - 1


class SearchPlan:
    __slots__ = ("arguments", "name", "selection")

    def __init__(self, name: str | None, arguments: dict[str, str], selection: tuple) -> None:
        # arguments: argument name → variable name; selection: (field, sub-selection) pairs
        # in the document's order (edges: (cursor/node, node's fields) pairs).
        self.name, self.arguments, self.selection = name, arguments, selection

    def _values(self, variables: dict) -> dict | None:
        """The arguments' values, or None where GraphQL would not accept the variables as
        given (it then says why)."""
        if not set(variables) <= set(self.arguments.values()):
            return None
        values: dict[str, Any] = {}
        for argument, variable in self.arguments.items():
            value = variables.get(variable)
            if value is None:
                if ARGUMENTS[argument][1]:
                    return None
                values[argument] = None
                continue
            kind = ARGUMENTS[argument][0]
            if (kind == "String" and not isinstance(value, str)) or (
                    kind == "Int" and (type(value) is not int or abs(value) > _INT_MAX)) or (
                    kind == "RegistrationStatus" and value not in _STATUSES):
                return None
            values[argument] = value
        return values

    async def answer(self, ctx, variables: dict | None,
                     operation_name: str | None) -> dict | None:
        """The response's `data`, or None when this request must go through GraphQL."""
        if operation_name is not None and operation_name != self.name:
            return None
        values = self._values(variables or {})
        if values is None:
            return None
        try:
            wanted = register_search.criteria(
                values.get("query"), category=values.get("category"),
                specialty=values.get("specialty"), status=values.get("status"))
            page = await register_search.search(ctx, wanted, first=values.get("first"),
                                                after=values.get("after"))
        except DomainError:
            return None  # GraphQL answers it, in the caller's language
        out: dict[str, Any] = {}
        for name, sub in self.selection:
            if name == "edges":
                out[name] = [{part: (cursor if part == "cursor" else {
                    field: FIELDS[field](entry) for field in fields})
                    for part, fields in sub}
                    for entry, cursor in zip(page.entries, page.cursors, strict=True)]
            elif name == "pageInfo":
                out[name] = {field: PAGE_INFO[field](page) for field in sub}
            elif name == "errors":
                out[name] = []  # a search that ends in errors goes through GraphQL
            else:  # moreNotShown
                out[name] = page.capped
        return {"searchRegister": out}


def _plain(node) -> bool:
    return isinstance(node, FieldNode) and not node.alias and not node.directives


def _leaves(selection_set, allowed) -> tuple[str, ...] | None:
    """The names of a selection of plain leaf fields, each allowed and once, else None."""
    if selection_set is None:
        return None
    names: list[str] = []
    for node in selection_set.selections:
        if not _plain(node) or node.arguments or node.selection_set is not None \
                or node.name.value not in allowed or node.name.value in names:
            return None
        names.append(node.name.value)
    return tuple(names)


def _variable_type(definition) -> tuple[str, bool] | None:
    kind, non_null = definition.type, False
    if isinstance(kind, NonNullTypeNode):
        kind, non_null = kind.type, True
    if isinstance(kind, ListTypeNode) or not isinstance(kind, NamedTypeNode):
        return None
    return kind.name.value, non_null


@lru_cache(maxsize=1000)
def search_plan_for(query: str, max_tokens: int) -> SearchPlan | None:
    """The plan for a query text of the register search's shape, else None."""
    op = single_query(query, max_tokens)
    if op is None:
        return None
    declared: dict[str, tuple[str, bool]] = {}
    for definition in op.variable_definitions or ():
        kind = _variable_type(definition)
        if kind is None or definition.default_value is not None or definition.directives:
            return None
        declared[definition.variable.name.value] = kind
    root = op.selection_set.selections[0]
    if not _plain(root) or root.name.value != "searchRegister" or root.selection_set is None:
        return None
    arguments: dict[str, str] = {}
    for argument in root.arguments or ():
        name = argument.name.value
        if name not in ARGUMENTS or name in arguments \
                or not isinstance(argument.value, VariableNode):
            return None
        variable = argument.value.name.value
        kind = declared.get(variable)
        # The variable's type must be the argument's (a non-null one may fill a nullable
        # argument); each variable is used once, and all of them are used.
        if kind is None or kind[0] != ARGUMENTS[name][0] or (ARGUMENTS[name][1]
                                                             and not kind[1]) \
                or variable in arguments.values():
            return None
        arguments[name] = variable
    if "query" not in arguments or set(arguments.values()) != set(declared):
        return None
    selection: list[tuple[str, Any]] = []
    for node in root.selection_set.selections:
        if not _plain(node) or node.arguments or node.name.value in dict(selection):
            return None
        name = node.name.value
        if name == "moreNotShown" and node.selection_set is None:
            selection.append((name, None))
        elif name == "errors":
            if not _leaves(node.selection_set, USER_ERROR):
                return None
            selection.append((name, None))
        elif name == "pageInfo":
            fields = _leaves(node.selection_set, PAGE_INFO)
            if not fields:
                return None
            selection.append((name, fields))
        elif name == "edges" and node.selection_set is not None:
            parts: list[tuple[str, Any]] = []
            for part in node.selection_set.selections:
                if not _plain(part) or part.arguments or part.name.value in dict(parts):
                    return None
                if part.name.value == "cursor" and part.selection_set is None:
                    parts.append(("cursor", None))
                elif part.name.value == "node":
                    fields = _leaves(part.selection_set, FIELDS)
                    if not fields:
                        return None
                    parts.append(("node", fields))
                else:
                    return None
            if not parts:
                return None
            selection.append((name, tuple(parts)))
        else:
            return None
    return SearchPlan(op.name.value if op.name else None, arguments, tuple(selection))
