"""The layer rules of docs/architecture.md hold (import-linter's contracts in pyproject.toml),
and they would catch a break: the same contracts run on a copy of the package with one bad
import added fail, naming the rule."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from server.config import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(where),
                                                       "PATH": "/usr/bin:/bin"})


def test_the_layer_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().split("contracts:")[-1].split("kept")[0]


@pytest.fixture(scope="module")
def copy_of_the_package(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "server", where / "server",
                    ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


BREAKS = [
    # (module, the line added, the contract that must break)
    ("server/pages/applications.py", "from server.models.payments import Payment\n",
     "Pages never read models"),
    ("server/resolvers/renewals/reminders.py", "import starlette.requests\n",
     "Use cases and rules know nothing of the web or GraphQL"),
    # A function-level import counts: it cannot hide a dependency, or a cycle.
    ("server/resolvers/kernel/outbox.py",
     "\n\ndef _hidden():\n    from server.resolvers.review import decisions\n",
     "The kernel of the use cases imports no domain"),
    ("server/resolvers/register/numbers.py",
     "\n\ndef _hidden():\n    from server.resolvers.review import decisions\n",
     "The use cases' domains form no cycle"),
    ("server/domain/fees.py", "from server import config\n", "Layers: imports point down only"),
]


@pytest.mark.parametrize(("module", "line", "contract"), BREAKS)
def test_a_broken_rule_fails_the_suite(copy_of_the_package, module, line, contract):
    path = copy_of_the_package / module
    original = path.read_text()
    try:
        path.write_text(original + line if line.startswith("\n") else line + original)
        result = lint_imports(copy_of_the_package)
    finally:
        path.write_text(original)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout


# Pure libraries the rules are written with: they do no I/O and hold the data a rule is
# about (numbering plans, the common-passwords list, the names of countries).
PURE_LIBRARIES = {"phonenumbers", "zxcvbn", "babel"}


def test_the_domain_rules_import_only_the_standard_library_and_themselves():
    graph = grimp.build_graph("server", include_external_packages=True)
    outside = {
        (module, imported)
        for module in graph.find_descendants("server.domain") | {"server.domain"}
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith("server.domain")
        and imported.split(".")[0] not in sys.stdlib_module_names | PURE_LIBRARIES
    }
    assert outside == set()
