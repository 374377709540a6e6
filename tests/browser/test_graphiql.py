"""GraphiQL in development (issue 20, point 1): the vendored build renders under our CSP
with no CDN and no inline script, runs a query against /graphql and shows the result."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

QUERY = '{ verifyPractitioner(registrationNumber: "00-X-0000000") { status } __typename }'


def test_graphiql_runs_a_query_and_shows_the_result(page, base_url):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((base_url, "data:")) else None)

    response = page.goto("/graphql")
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src" not in csp or "cdn" not in csp
    page.wait_for_selector(".graphiql-container", timeout=20_000)
    page.evaluate("q => document.querySelector('.graphiql-query-editor .CodeMirror')"
                  ".CodeMirror.setValue(q)", QUERY)
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "() => (document.querySelector('.result-window .CodeMirror')?.CodeMirror"
        "?.getValue() || '').includes('__typename')", timeout=20_000)
    shown = page.evaluate(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()")
    assert json.loads(shown) == {"data": {"verifyPractitioner": None, "__typename": "Query"}}
    page.screenshot(path="test-results/graphiql.png")
    assert outside == [], outside
    assert missing == [], missing
    assert problems == [], problems  # a CSP violation shows as a console error
