"""The committed schema, the client contract and the pages' operations all agree with the
code."""

from pathlib import Path

import pytest
from graphql import DocumentNode, OperationDefinitionNode, parse, validate

from server.config import ROOT
from server.pages.plumbing import OPERATIONS_DIR
from server.schema import build_schema, printed_schema

CONTRACT = ROOT / "docs" / "contract"
SHARED_CONTRACT = ROOT.parent / "shared" / "contract"

# Contract operations whose features are not built yet. Strict: an operation listed here
# that validates fails the suite, so it must come off the list the moment it is built.
# This list must be empty once every open issue is done.
NOT_YET_BUILT: set[str] = set()


def contract_operations() -> dict[str, str]:
    source = (CONTRACT / "operations.graphql").read_text()
    document = parse(source)
    found = {}
    for definition in document.definitions:
        assert isinstance(definition, OperationDefinitionNode)
        found[definition.name.value] = definition
    return {"_source": source, **found}


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == printed_schema(), (
        "schema.graphql is out of date: run `make schema` and commit it")


def test_project_copy_of_the_contract_equals_the_shared_one():
    if not SHARED_CONTRACT.exists():
        pytest.skip("../shared/contract is not beside this clone")
    shared = {p.name: p.read_bytes() for p in SHARED_CONTRACT.iterdir() if p.is_file()}
    ours = {p.name: p.read_bytes() for p in CONTRACT.iterdir() if p.is_file()}
    assert ours == shared, "docs/contract differs from ../shared/contract: copy it again"


def _operation_errors(name: str) -> list[str]:
    source = (CONTRACT / "operations.graphql").read_text()
    document = parse(source)
    single = DocumentNode(definitions=tuple(
        d for d in document.definitions if d.name and d.name.value == name))
    return [e.message for e in validate(build_schema()._schema, single)]


CONTRACT_NAMES = [n for n in contract_operations() if n != "_source"]


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_contract_operation_validates(name):
    errors = _operation_errors(name)
    if name in NOT_YET_BUILT:
        assert errors, f"{name} now validates: take it off NOT_YET_BUILT in {__file__}"
    else:
        assert errors == [], f"{name}: {errors}"


def test_expected_failures_name_real_operations():
    assert set(NOT_YET_BUILT) <= set(CONTRACT_NAMES)


def test_every_page_operation_validates():
    files = sorted(Path(OPERATIONS_DIR).glob("*.graphql"))
    for path in files:
        errors = validate(build_schema()._schema, parse(path.read_text()))
        assert errors == [], f"{path.name}: {[e.message for e in errors]}"


def test_page_operation_names_are_unique():
    seen: dict[str, str] = {}
    for path in sorted(Path(OPERATIONS_DIR).glob("*.graphql")):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value
                assert name not in seen, f"{name} in both {seen[name]} and {path.name}"
                seen[name] = path.name
