"""The public look-up (`verifyPractitioner`) answered without graphql-core's executor.

Every card's QR code and every employer's check sends the same small document: one query,
one `String!` variable, the field `verifyPractitioner(registrationNumber: $var)` and some of
its eight plain fields. For a document of exactly that shape (decided once per query text,
from the parsed document; any formatting, any operation name, any subset and order of the
fields) the view calls the same resolver and writes the same JSON graphql-core would; a
document of any other shape (aliases, fragments, directives, `__typename`, labels, a second
field...) goes through GraphQL as before, and so does every request whose variables do not
fit, or whose look-up fails. tests/register/test_verify_plan.py checks the answers
are the same, byte for byte. It saves ~40 % of the look-up's CPU (docs/performance.md,
"Where the time goes")."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)

from server.resolvers.register import lookup
from server.schema.documents import parsed

# GraphQL field → how the entry gives it (as graphql-core serialises the schema's types).
FIELDS: dict[str, Any] = {
    "registrationNumber": lambda e: e["registration_number"],
    "fullNameAr": lambda e: e["full_name_ar"],
    "fullNameEn": lambda e: e["full_name_en"],
    "category": lambda e: e["category"],
    "specialty": lambda e: e["specialty"],
    "rank": lambda e: e["rank"],
    "status": lambda e: e["status"].name,
    "validUntil": lambda e: e["valid_until"].isoformat(),
}


class Plan:
    __slots__ = ("fields", "name", "root", "variable")

    def __init__(self, name: str | None, root: str, variable: str, fields: tuple) -> None:
        self.name, self.root, self.variable, self.fields = name, root, variable, fields

    async def answer(self, variables: dict | None, operation_name: str | None) -> dict | None:
        """The response's `data`, or None when this request must go through GraphQL."""
        if operation_name is not None and operation_name != self.name:
            return None
        variables = variables or {}
        value = variables.get(self.variable)
        if not isinstance(value, str) or len(variables) != 1:
            return None
        entry = await lookup.verify_practitioner(value)
        return {self.root: None if entry is None else {
            name: FIELDS[name](entry) for name in self.fields}}


def _plain(node) -> bool:
    return not node.directives


def single_query(query: str, max_tokens: int) -> OperationDefinitionNode | None:
    """The document's one operation when it is a query of one field with no directives
    (the shape a plan can answer), else None (a syntax error too: GraphQL says what)."""
    try:
        document = parsed(query, max_tokens)
    except GraphQLError:
        return None
    if len(document.definitions) != 1:
        return None
    op = document.definitions[0]
    if not isinstance(op, OperationDefinitionNode) or op.operation != OperationType.QUERY \
            or not _plain(op) or len(op.selection_set.selections) != 1:
        return None
    return op


@lru_cache(maxsize=1000)
def plan_for(query: str, max_tokens: int) -> Plan | None:
    """The plan for a query text of the public look-up's shape, else None."""
    op = single_query(query, max_tokens)
    if op is None or len(op.variable_definitions or ()) != 1:
        return None
    var = op.variable_definitions[0]
    if var.default_value is not None or var.directives or not (
            isinstance(var.type, NonNullTypeNode) and isinstance(var.type.type, NamedTypeNode)
            and var.type.type.name.value == "String"):
        return None
    root = op.selection_set.selections[0]
    if not isinstance(root, FieldNode) or root.name.value != "verifyPractitioner" \
            or root.alias or not _plain(root) or len(root.arguments or ()) != 1 \
            or root.selection_set is None:
        return None
    argument = root.arguments[0]
    if argument.name.value != "registrationNumber" or not isinstance(argument.value,
                                                                     VariableNode) \
            or argument.value.name.value != var.variable.name.value:
        return None
    fields: list[str] = []
    for selection in root.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.alias or not _plain(selection) \
                or selection.arguments or selection.selection_set is not None \
                or selection.name.value not in FIELDS or selection.name.value in fields:
            return None
        fields.append(selection.name.value)
    return Plan(op.name.value if op.name else None, "verifyPractitioner",
                var.variable.name.value, tuple(fields))
