"""Shared helpers for the benchmark scripts (bench/run.py drives them)."""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OPERATIONS = ROOT / "docs" / "contract" / "operations.graphql"
WEB_OPERATIONS = ROOT / "web" / "operations"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def operation(name: str, path: Path | None = None) -> str:
    """One named operation (with the fragments it uses) from a .graphql file."""
    from graphql import (
        DocumentNode,
        FragmentDefinitionNode,
        OperationDefinitionNode,
        parse,
        print_ast,
    )
    from graphql.language import visit

    paths = [path] if path else [OPERATIONS, *sorted(WEB_OPERATIONS.glob("*.graphql"))]
    for p in paths:
        document = parse(p.read_text())
        found = [d for d in document.definitions
                 if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == name]
        if not found:
            continue
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        needed: dict[str, FragmentDefinitionNode] = {}

        visit(found[0], _Spreads(fragments, needed))
        return print_ast(DocumentNode(definitions=(found[0], *needed.values())))
    raise KeyError(name)


class _Spreads:
    """Collects the fragments an operation spreads, transitively."""

    def __new__(cls, fragments: dict, needed: dict):
        from graphql.language import Visitor, visit

        class Spreads(Visitor):
            def enter_fragment_spread(self, node, *args):
                name = node.name.value
                if name not in needed and name in fragments:
                    needed[name] = fragments[name]
                    visit(fragments[name], Spreads())

        return Spreads()


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def settings_from_env():
    from server.config import load_settings

    return load_settings(dict(os.environ))


class NoCookies(http.cookiejar.CookieJar):
    """Load clients behave as client apps: bearer tokens, no cookies (a kept cookie would
    make every request need a CSRF token)."""

    def set_cookie(self, cookie) -> None:
        return None

    def extract_cookies(self, response, request) -> None:
        return None
