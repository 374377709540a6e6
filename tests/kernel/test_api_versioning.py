"""Versioning (issue 20, point 9; docs/api.md): no contract operation uses a deprecated
field, argument or enum value unless the contract says so, and every deprecation says what
replaces it."""

from __future__ import annotations

from graphql import (
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    parse,
    visit,
)

from server.schema import build_schema as sijil_schema
from tests.conftest import ROOT_CONTRACT
from tests.test_schema import NOT_YET_BUILT

README = ROOT_CONTRACT.path.parent / "README.md"


def deprecated_uses(schema: GraphQLSchema, document: str) -> list[str]:
    info = TypeInfo(schema)
    found: list[str] = []

    class Uses(Visitor):
        def enter_field(self, node, *_args) -> None:
            field, parent = info.get_field_def(), info.get_parent_type()
            if field is not None and field.deprecation_reason is not None:
                found.append(f"{parent.name}.{node.name.value}")

        def enter_argument(self, node, *_args) -> None:
            argument = info.get_argument()
            if argument is not None and argument.deprecation_reason is not None:
                found.append(f"argument {node.name.value}")

        def enter_enum_value(self, node, *_args) -> None:
            value = info.get_enum_value()
            if value is not None and value.deprecation_reason is not None:
                found.append(f"enum value {node.value}")

    visit(parse(document), TypeInfoVisitor(info, Uses()))
    return found


def test_the_check_finds_a_deprecated_field():
    toy = build_schema('type Query { old: Int @deprecated(reason: "use new") new: Int }')
    assert deprecated_uses(toy, "{ old new }") == ["Query.old"]


def test_no_contract_operation_uses_a_deprecated_field_unless_the_contract_says_so():
    schema = sijil_schema(False)._schema
    contract = README.read_text()
    names = [d.name.value for d in parse(ROOT_CONTRACT.path.read_text()).definitions
             if getattr(d, "name", None) is not None and hasattr(d, "operation")]
    checked = 0
    for name in names:
        if name in NOT_YET_BUILT:
            continue
        uses = deprecated_uses(schema, ROOT_CONTRACT.operation(name))
        unexplained = [u for u in uses if f"`{u.split('.')[-1]}` is deprecated" not in contract]
        assert unexplained == [], f"{name} uses deprecated {unexplained}"
        checked += 1
    assert checked > 20


def test_every_deprecation_says_what_replaces_it():
    schema = sijil_schema(False)._schema
    for type_ in schema.type_map.values():
        for field_name, field in (getattr(type_, "fields", None) or {}).items():
            reason = getattr(field, "deprecation_reason", None)
            assert reason is None or len(reason) > 10, f"{type_.name}.{field_name}"
