"""Staff exports (GET /admin/exports/{name}.csv): CSV in UTF-8 with a BOM (Excel reads the
Arabic), streamed from keyset chunks (the number of queries grows with the rows, each query
fetches at most CHUNK rows), filters as in the console, and who may download which."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest

from server.context import session_cookie_name
from server.models.accounts import Account
from server.models.applications import Application
from server.models.audit import AuditEntry
from server.pages.admin.exports import csv_lines
from server.resolvers.admin import exports
from tests.builders import imported_record, staff_session
from tests.querycount import count_queries

NAMES = ("applications", "payments", "refunds", "audit-log", "register")


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), body[:10]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def applications_of(practitioner, n: int, kind: str = "GOOD_STANDING",
                          status: str = "SUBMITTED") -> list[Application]:
    applicant = await Account.create(email=f"staff-reports-{uuid.uuid4().hex[:6]}@example.test",
                                     mobile="+966500000007", first_name="Sara",
                                     family_name="Q", password_hash="x", status="ACTIVE")
    return [await Application.create(
        kind=kind, status=status, applicant=applicant, practitioner=practitioner,
        fee=Decimal("100.00"), submitted_at=dt.datetime.now(dt.UTC)) for _ in range(n)]


async def signed_in(browser_like, settings, role: str) -> Account:
    account, token = await staff_session(role)
    browser_like.cookies.set(session_cookie_name(settings), token)
    return account


async def test_the_applications_export_is_utf8_with_a_bom_and_arabic_names(
        browser_like, settings):
    practitioner = await imported_record()
    await applications_of(practitioner, 3)
    await applications_of(practitioner, 2, kind="CPD_RECOGNITION", status="APPROVED")
    await signed_in(browser_like, settings, "reviewer")
    answer = await browser_like.get("/admin/exports/applications.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = rows_of(answer.content)
    assert rows[0][:3] == ["application_id", "kind", "status"]
    assert len(rows) == 1 + 5
    assert {r[3] for r in rows[1:]} == {"سارة القحطاني"}
    assert {r[5] for r in rows[1:]} == {"******0008"}  # identity masked to its last 4
    # The console's filters apply.
    only = rows_of((await browser_like.get(
        "/admin/exports/applications.csv?kind=CPD_RECOGNITION&status=APPROVED")).content)
    assert len(only) == 1 + 2 and {r[1] for r in only[1:]} == {"CPD_RECOGNITION"}
    bad = await browser_like.get("/admin/exports/applications.csv?kind=NOPE")
    assert bad.status_code == 400
    assert await AuditEntry.filter(action="admin.exported", target_id="applications").count() == 2


async def test_exports_fetch_rows_in_chunks_not_all_at_once(settings, clean_db):
    practitioner = await imported_record()
    await applications_of(practitioner, 23)
    reviewer, _ = await staff_session("reviewer")
    ctx = SimpleNamespace(account=reviewer, settings=settings, lang="en", ip="")
    export = await exports.applications(ctx, chunk=5)
    with count_queries() as counted:
        body = b"".join([part async for part in csv_lines(export)])
    assert len(rows_of(body)) == 1 + 23
    selects = [q for q in counted.queries if q.lstrip().upper().startswith("SELECT")]
    # 23 rows in chunks of 5: five queries with LIMIT, and one for the names of each chunk —
    # never one query for every row.
    assert len(selects) == 5 * 2, selects
    assert sum("LIMIT" in q.upper() for q in selects) == 5


async def test_a_large_export_is_sent_as_it_is_read(settings, clean_db):
    """The first part of the body leaves before the later chunks are even queried: rows are
    read chunk by chunk while the response streams, never all held at once."""
    practitioner = await imported_record()
    await applications_of(practitioner, 450)
    admin, _ = await staff_session("admin")
    ctx = SimpleNamespace(account=admin, settings=settings, lang="en", ip="")
    parts = csv_lines(await exports.applications(ctx, chunk=100))
    with count_queries() as counted:
        first = await anext(parts)
        queried_for_first = len(counted.queries)
        rest = [part async for part in parts]
    # Each chunk is two queries (the rows, then their practitioners' names in one go).
    assert queried_for_first == 2 * 2  # 200 rows written at a time: two chunks of 100 so far
    assert len(counted.queries) == 5 * 2  # 450 rows: chunks of 100, 100, 100, 100, 50
    assert len(rest) >= 2
    assert len(rows_of(first + b"".join(rest))) == 1 + 450


async def test_the_export_over_http_is_a_stream(browser_like, settings):
    practitioner = await imported_record()
    await applications_of(practitioner, 250)
    await signed_in(browser_like, settings, "admin")
    async with browser_like.stream("GET", "/admin/exports/applications.csv") as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers  # chunked: the size is not known ahead
        body = b"".join([part async for part in answer.aiter_bytes()])
    assert len(rows_of(body)) == 1 + 250


async def test_cells_that_look_like_formulas_are_neutralised(browser_like, settings):
    await signed_in(browser_like, settings, "admin")
    await AuditEntry.create(action="x.y", target_type="t", target_id="=HYPERLINK(1)",
                            details={"note": "نص عربي"})
    rows = rows_of((await browser_like.get("/admin/exports/audit-log.csv")).content)
    row = next(r for r in rows if r[3] == "x.y")
    assert row[5] == "'=HYPERLINK(1)"
    assert "نص عربي" in row[7]


async def test_payments_and_refunds_list_the_application_kind(browser_like, settings):
    from tests.admin.test_admin import paid_and_cancelled

    payment = await paid_and_cancelled("staff-reports-payer@example.test")
    await signed_in(browser_like, settings, "admin")
    for name in ("payments", "refunds"):
        rows = rows_of((await browser_like.get(f"/admin/exports/{name}.csv")).content)
        assert [r[0] for r in rows[1:]] == [str(payment.id)]
        assert rows[1][2] == "GOOD_STANDING" and rows[1][3] == "Huda A"
        assert rows[1][8] == "100.00"
    paid = await paid_and_cancelled("staff-reports-payer2@example.test", refund_status="")
    refunds = rows_of((await browser_like.get("/admin/exports/refunds.csv")).content)
    assert str(paid.id) not in {r[0] for r in refunds}


@pytest.mark.parametrize(("role", "allowed"), [
    (None, set()), ("practitioner", set()), ("reviewer", {"applications", "register"}),
    ("admin", set(NAMES))])
async def test_who_may_download_each_export(browser_like, settings, role, allowed):
    if role == "practitioner":
        from tests.admin.test_admin import practitioner_token

        _, token = await practitioner_token()
        browser_like.cookies.set(session_cookie_name(settings), token)
    elif role:
        await signed_in(browser_like, settings, role)
    for name in NAMES:
        answer = await browser_like.get(f"/admin/exports/{name}.csv")
        expected = 200 if name in allowed else (401 if role is None else 403)
        if role is None:
            assert answer.status_code in (303, 401), name
        else:
            assert answer.status_code == expected, (role, name)
    assert (await browser_like.get("/admin/exports/secrets.csv")).status_code in (303, 401, 404)
