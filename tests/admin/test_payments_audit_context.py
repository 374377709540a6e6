"""Issue 21, points 6, 8 and 9 on the admin pages: payments and refunds with their applicant,
application and reason; an admin refunds a payment nobody asked about (with a reason,
audited); the audit log names who did what (names, labelled actions, linked targets,
readable details, the decision's reason) in the Kingdom's time."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from server.context import session_cookie_name
from server.models.accounts import Account
from server.models.applications import Application
from server.models.audit import AuditEntry
from server.models.payments import Payment
from server.resolvers.kernel import audit
from tests.builders import staff_session
from tests.conftest import csrf_of, gql

REFUND = """mutation R($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status refundStatus refundReason applicationKind applicantName }
  errors { field code message } } }"""


async def paid(email: str, status: str = "SUBMITTED") -> Payment:
    applicant = await Account.create(email=email, mobile="+966500000008", first_name="Huda",
                                     family_name="Alharbi", password_hash="x",
                                     status="ACTIVE", language="en")
    application = await Application.create(kind="GOOD_STANDING", status=status,
                                           applicant=applicant, fee=Decimal("100.00"))
    return await Payment.create(
        application=application, provider="sandbox", method="MADA", status="PAID",
        amount=Decimal("100.00"), idempotency_key=uuid.uuid4().hex,
        provider_payment_id=f"sbx_{uuid.uuid4()}", paid_at=dt.datetime.now(dt.UTC))


async def test_an_admin_refunds_a_payment_nobody_asked_about_with_a_reason(client):
    admin, token = await staff_session("admin")
    payment = await paid("staff-reports-dup@example.test", status="APPROVED")
    missing = await gql(client, REFUND, {"input": {"paymentId": str(payment.id),
                                                   "reason": "  "}}, token=token)
    assert missing["data"]["refundPayment"]["errors"][0]["field"] == "reason"
    assert (await Payment.get(id=payment.id)).status == "PAID"
    done = (await gql(client, REFUND, {"input": {"paymentId": str(payment.id),
                                                 "reason": "Paid twice (card and SADAD)."}},
                      token=token))["data"]["refundPayment"]
    assert done["errors"] == []
    assert done["payment"]["status"] == "REFUNDED"
    assert done["payment"]["refundReason"] == "Paid twice (card and SADAD)."
    row = await Payment.get(id=payment.id)
    assert row.refunded_at is not None and row.refunded_amount == Decimal("100.00")
    entry = await AuditEntry.get(action="admin.payment_refunded")
    assert entry.actor_id == admin.id and entry.details["reason"] == "Paid twice (card and SADAD)."
    again = (await gql(client, REFUND, {"input": {"paymentId": str(payment.id),
                                                  "reason": "Again"}}, token=token))
    assert again["data"]["refundPayment"]["errors"][0]["code"] == "INVALID_STATE"
    _, reviewer = await staff_session("reviewer")
    refused = await gql(client, REFUND, {"input": {"paymentId": str(payment.id),
                                                   "reason": "x"}}, token=reviewer)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_payments_page_names_the_applicant_and_refunds_with_a_reason(
        browser_like, settings, lang):
    _, token = await staff_session("admin")
    payment = await paid(f"staff-reports-page-{lang}@example.test")
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    page = (await browser_like.get("/admin/payments")).text
    assert "Huda Alharbi" in page and f"staff-reports-page-{lang}@example.test" in page
    assert f'href="/review/{payment.application_id}"' in page
    assert ("شهادة حسن السيرة" in page) if lang == "ar" else ("Good-standing certificate" in page)
    assert f'href="/admin/payments/{payment.id}/refund"' in page
    form = await browser_like.get(f"/admin/payments/{payment.id}/refund")
    assert form.status_code == 200 and "Huda Alharbi" in form.text
    empty = await browser_like.post(f"/admin/payments/{payment.id}/refund",
                                    data={"reason": "", "csrf_token": csrf_of(browser_like)})
    assert empty.status_code == 422
    done = await browser_like.post(f"/admin/payments/{payment.id}/refund", data={
        "reason": "Gateway error: charged twice.", "csrf_token": csrf_of(browser_like)})
    assert done.status_code == 303
    after = (await browser_like.get("/admin/payments")).text
    assert "Gateway error: charged twice." in after
    assert (await browser_like.get(f"/admin/payments/{uuid.uuid4()}/refund")).status_code == 404


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_audit_log_says_who_did_what_in_riyadh_time(browser_like, settings, lang):
    admin, token = await staff_session("admin")
    await Account.filter(id=admin.id).update(first_name="Nora", family_name="Alotaibi")
    application_id = uuid.uuid4()
    with time_machine.travel(dt.datetime(2026, 12, 3, 22, 30, tzinfo=dt.UTC), tick=False):
        await audit.record("decision.rejected", actor=admin, target_type="application",
                           target_id=application_id, kind="RENEWAL",
                           reason="The employer letter is older than 3 months.")
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    page = (await browser_like.get("/admin/audit?action=decision.")).text
    assert "Nora Alotaibi" in page
    assert f'href="/review/{application_id}"' in page
    assert "The employer letter is older than 3 months." in page
    assert "2026-12-04 01:30" in page  # 22:30 UTC is 01:30 the next day in Riyadh
    main = page[page.index("<main"):]
    assert "{&#34;" not in main and '{"' not in main  # no raw JSON
    if lang == "ar":
        assert "رفض طلبًا" in page and "السبب" in page
    else:
        assert "Rejected an application" in page and "signin." in page
        assert "login." not in page
    by_email = (await browser_like.get(f"/admin/audit?actor={admin.email}")).text
    assert "Nora Alotaibi" in by_email


async def test_a_decision_is_audited_with_its_reason(client):
    from tests.review.test_review import decide, submitted

    _, token = await staff_session(email="staff-reports-decider@sijil.example")
    application = await submitted("PERSONAL_DATA_CHANGE", data={"changes": {}, "before": {}})
    done = await decide(client, token, application.id, "REJECT", "The passport is expired.")
    assert done["application"]["status"] == "REJECTED"
    entry = await AuditEntry.get(action="decision.rejected", target_id=str(application.id))
    assert entry.details["reason"] == "The passport is expired."
