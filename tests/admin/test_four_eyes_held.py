"""Four eyes over what a reviewer or an admin does alone otherwise (issue 21): a reviewer's
approval that changes an identity number or a birth date, or grants the Consultant rank,
waits for a second admin (approved: done with its usual emails; refused: the record is
left alone and the application is its reviewer's again, with the admin's reason as a staff
note); an admin's own refund above the four-eyes amount waits the same way. Nobody decides
their own request, and each step is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.models.accounts import Account
from server.models.applications import Application
from server.models.audit import AuditEntry
from server.models.outbox import OutboxMessage
from server.models.payments import Payment
from server.models.practitioners import Practitioner, RecordChange
from server.models.workflow import ApplicationNote, ApprovalRequest
from tests.admin.test_admin import codes, paid_and_cancelled, payload
from tests.admin.test_four_eyes import decide as decide_request
from tests.builders import open_session, staff_session
from tests.conftest import csrf_of, gql
from tests.review.test_review import decide, practitioner_with_account, submitted

REQUESTS = """query($status: ApprovalStatus) { approvalRequests(status: $status) {
  id action status summary applicationId applicationReference requestedByEmail
  changes { field fromValue toValue } } }"""
MINE = """query($id: ID!) { myApplication(id: $id) { status awaitingSecondApproval
  nextStep } }"""
REVIEW = """query($id: ID!) { reviewApplication(id: $id) { status awaitingSecondApproval } }"""
RELEASE = """mutation($input: ReleaseApplicationInput!) { releaseApplication(input: $input) {
  errors { field code message } } }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status refundStatus } approvalRequest { id action status amount }
  errors { field code message } } }"""
LIMIT = """mutation($input: UpdateFourEyesSettingsInput!) { updateFourEyesSettings(
  input: $input) { errors { field code } } }"""


def identity(n: int) -> str:
    nine = f"19{n:07d}"
    return nine + saudi_id_check_digit(nine)


async def identity_change(**changes) -> tuple[Application, Practitioner]:
    practitioner, account = await practitioner_with_account()
    before = {"identityNumber": practitioner.identity_number,
              "dateOfBirth": practitioner.date_of_birth.isoformat(),
              "familyNameEn": practitioner.family_name_en}
    application = await submitted("PERSONAL_DATA_CHANGE", practitioner=practitioner,
                                  account=account, data={
                                      "changes": changes,
                                      "before": {f: before[f] for f in changes}})
    return application, practitioner


async def token_of(application: Application) -> str:
    return await open_session(await Account.get(id=application.applicant_id))


async def test_an_identity_change_waits_for_a_second_admin_then_is_applied(client):
    reviewer, staff = await staff_session("reviewer")
    _, admin = await staff_session("admin")
    new_id = identity(1)
    application, practitioner = await identity_change(identityNumber=new_id,
                                                      familyNameEn="Al-Qahtani")
    approved = await decide(client, staff, application.id, "APPROVE", "Documents match")
    assert approved["errors"] == [] and approved["application"]["status"] == "IN_REVIEW"
    row = await Practitioner.get(id=practitioner.id)
    assert row.identity_number == practitioner.identity_number  # not yet
    assert row.family_name_en == practitioner.family_name_en
    assert not await RecordChange.exists(practitioner_id=practitioner.id,
                                         what="PERSONAL_DATA_CHANGED")

    applicant = await token_of(application)
    mine = (await gql(client, MINE, {"id": str(application.id)}, token=applicant)
            )["data"]["myApplication"]
    assert mine["status"] == "IN_REVIEW" and mine["awaitingSecondApproval"] is True
    assert "second approval" in mine["nextStep"]
    arabic = (await gql(client, MINE, {"id": str(application.id)}, token=applicant,
                        lang="ar"))["data"]["myApplication"]
    assert arabic["nextStep"] != mine["nextStep"]
    seen = (await gql(client, REVIEW, {"id": str(application.id)}, token=staff)
            )["data"]["reviewApplication"]
    assert seen == {"status": "IN_REVIEW", "awaitingSecondApproval": True}

    # Held: the reviewer cannot decide it again nor give it back meanwhile.
    again = await decide(client, staff, application.id, "REJECT", "Changed my mind")
    assert again["errors"][0]["code"] == "INVALID_STATE"
    released = (await gql(client, RELEASE, {"input": {"applicationId": str(application.id)}},
                          token=staff))["data"]["releaseApplication"]
    assert released["errors"][0]["code"] == "INVALID_STATE"

    [request] = (await gql(client, REQUESTS, {}, token=admin))["data"]["approvalRequests"]
    assert request["action"] == "PERSONAL_DATA_CHANGE"
    assert request["applicationId"] == str(application.id)
    assert request["applicationReference"] == application.reference
    assert request["requestedByEmail"] == reviewer.email
    assert request["changes"] == [{"field": "identityNumber",
                                   "fromValue": practitioner.identity_number,
                                   "toValue": new_id}]
    assert practitioner.identity_number in request["summary"] and new_id in request["summary"]
    assert "Identity number / رقم الهوية" in request["summary"]

    # Only an admin decides it.
    body = await gql(client, """mutation($input: DecideApprovalRequestInput!) {
        decideApprovalRequest(input: $input) { errors { code } } }""",
                     {"input": {"requestId": request["id"], "approve": True}}, token=staff)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Practitioner.get(id=practitioner.id)).identity_number == \
        practitioner.identity_number

    emails = await OutboxMessage.all().count()
    done = await decide_request(client, admin, request["id"])
    assert done["errors"] == [] and done["request"]["status"] == "APPROVED"
    decided = await Application.get(id=application.id)
    assert decided.status == "APPROVED" and decided.decided_by_id == reviewer.id
    assert decided.decision_reason == "Documents match" and "held" not in decided.data
    row = await Practitioner.get(id=practitioner.id)
    assert row.identity_number == new_id and row.family_name_en == "Al-Qahtani"
    assert await RecordChange.exists(practitioner_id=practitioner.id,
                                     what="PERSONAL_DATA_CHANGED")
    assert await OutboxMessage.all().count() > emails  # the applicant is told, as usual
    actions = [e.action for e in await AuditEntry.filter(
        target_id__in=[str(application.id), request["id"]]).order_by("id")
        if e.action != "application.viewed"]
    assert actions == ["approval.requested", "decision.held", "decision.approved",
                       "approval.approved"]


async def test_a_refused_birth_date_change_goes_back_to_its_reviewer_unchanged(client):
    reviewer, staff = await staff_session("reviewer")
    asker_admin, admin = await staff_session("admin")
    application, practitioner = await identity_change(dateOfBirth="1990-02-03")
    await decide(client, staff, application.id, "APPROVE")
    request = await ApprovalRequest.get(target=str(application.id))
    assert request.action == "PERSONAL_DATA_CHANGE"
    no_reason = await decide_request(client, admin, str(request.id), approve=False)
    assert codes(no_reason) == {"reason": "REQUIRED"}
    refused = await decide_request(client, admin, str(request.id), approve=False,
                                   reason="The birth certificate is not certified")
    assert refused["errors"] == [] and refused["request"]["status"] == "REFUSED"

    assert (await Practitioner.get(id=practitioner.id)).date_of_birth == \
        practitioner.date_of_birth
    back = await Application.get(id=application.id)
    assert back.status == "IN_REVIEW" and "held" not in back.data
    assert back.claimed_by_id == reviewer.id
    assert back.claimed_until < dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    note = await ApplicationNote.get(application_id=application.id)
    assert "The birth certificate is not certified" in note.body
    assert note.author_id == asker_admin.id
    assert await AuditEntry.exists(action="decision.second_approval_refused",
                                   target_id=str(application.id))
    applicant = await token_of(application)
    mine = (await gql(client, MINE, {"id": str(application.id)}, token=applicant)
            )["data"]["myApplication"]
    assert mine["awaitingSecondApproval"] is False

    # The reviewer decides again, with a reason written for the applicant.
    returned = await decide(client, staff, application.id, "RETURN",
                            "Send a certified copy of your birth certificate")
    assert returned["errors"] == [] and returned["application"]["status"] == "RETURNED"


async def test_other_personal_data_changes_stay_one_step(client):
    _, staff = await staff_session("reviewer")
    application, practitioner = await identity_change(familyNameEn="Al-Qahtani")
    done = await decide(client, staff, application.id, "APPROVE")
    assert done["errors"] == [] and done["application"]["status"] == "APPROVED"
    assert (await Practitioner.get(id=practitioner.id)).family_name_en == "Al-Qahtani"
    assert not await ApprovalRequest.exists()


async def classification(rank: str) -> tuple[Application, Practitioner]:
    practitioner, account = await practitioner_with_account()
    await Practitioner.filter(id=practitioner.id).update(rank="REGISTRAR")
    practitioner = await Practitioner.get(id=practitioner.id)
    application = await submitted("RECLASSIFICATION", practitioner=practitioner,
                                  account=account, data={
                                      "category": "PHYSICIAN",
                                      "specialty": "INTERNAL_MEDICINE",
                                      "from_rank": practitioner.rank, "rank": rank})
    return application, practitioner


async def test_a_consultant_rank_is_granted_only_on_a_second_admins_approval(client):
    _, staff = await staff_session("reviewer")
    _, admin = await staff_session("admin")
    application, practitioner = await classification("CONSULTANT")
    held = await decide(client, staff, application.id, "APPROVE")
    assert held["errors"] == [] and held["application"]["status"] == "IN_REVIEW"
    assert (await Practitioner.get(id=practitioner.id)).rank == practitioner.rank
    [request] = (await gql(client, REQUESTS, {}, token=admin))["data"]["approvalRequests"]
    assert request["action"] == "CONSULTANT_RANK"
    assert request["changes"] == [{"field": "rank", "fromValue": practitioner.rank,
                                   "toValue": "CONSULTANT"}]
    done = await decide_request(client, admin, request["id"])
    assert done["errors"] == [] and done["request"]["status"] == "APPROVED"
    assert (await Practitioner.get(id=practitioner.id)).rank == "CONSULTANT"
    assert (await Application.get(id=application.id)).status == "APPROVED"

    # Another rank, or a Consultant's reclassification to another specialty, is the
    # reviewer's alone.
    other, someone = await classification("SENIOR_REGISTRAR")
    done = await decide(client, staff, other.id, "APPROVE")
    assert done["application"]["status"] == "APPROVED"
    assert (await Practitioner.get(id=someone.id)).rank == "SENIOR_REGISTRAR"
    already, consultant = await classification("CONSULTANT")
    await Practitioner.filter(id=consultant.id).update(rank="CONSULTANT")
    done = await decide(client, staff, already.id, "APPROVE")
    assert done["application"]["status"] == "APPROVED"
    assert await ApprovalRequest.filter(action="CONSULTANT_RANK").count() == 1


async def test_a_staff_member_who_approved_may_not_confirm_it_as_admin(client):
    """An admin may decide applications too: the one who approved it is not the second."""
    _, admin = await staff_session("admin")
    _, second = await staff_session("admin")
    application, practitioner = await classification("CONSULTANT")
    await decide(client, admin, application.id, "APPROVE")
    request = await ApprovalRequest.get(target=str(application.id))
    own = await decide_request(client, admin, str(request.id))
    assert codes(own) == {"requestId": "NOT_ALLOWED"}
    assert (await Practitioner.get(id=practitioner.id)).rank == practitioner.rank
    assert (await decide_request(client, second, str(request.id)))["errors"] == []
    assert (await Practitioner.get(id=practitioner.id)).rank == "CONSULTANT"


async def test_an_admins_own_refund_above_the_amount_waits_for_a_second_admin(client):
    asker, token = await staff_session("admin")
    _, second = await staff_session("admin")
    await gql(client, LIMIT, {"input": {"refundAbove": "50"}}, token=token)
    payment = await paid_and_cancelled(refund_status="")  # 100 SAR, nobody asked
    asked = payload(await gql(client, REFUND, {"input": {
        "paymentId": str(payment.id), "reason": "Paid twice"}}, token=token), "refundPayment")
    assert asked["errors"] == [] and asked["payment"]["status"] == "PAID"
    assert asked["approvalRequest"] == {"id": asked["approvalRequest"]["id"],
                                        "action": "REFUND_PAYMENT", "status": "PENDING",
                                        "amount": "100.00"}
    twice = payload(await gql(client, REFUND, {"input": {
        "paymentId": str(payment.id), "reason": "Paid twice"}}, token=second),
        "refundPayment")
    assert codes(twice) == {"paymentId": "INVALID_STATE"}
    own = await decide_request(client, token, asked["approvalRequest"]["id"])
    assert codes(own) == {"requestId": "NOT_ALLOWED"}
    assert (await Payment.get(id=payment.id)).status == "PAID"
    done = await decide_request(client, second, asked["approvalRequest"]["id"])
    assert done["errors"] == [] and done["request"]["status"] == "APPROVED"
    row = await Payment.get(id=payment.id)
    assert row.status == "REFUNDED" and row.refund_reason == "Paid twice"
    entry = await AuditEntry.get(action="admin.payment_refunded")
    assert entry.details["reason"] == "Paid twice"
    assert await AuditEntry.exists(action="approval.requested", actor_id=asker.id)

    # At or below the amount, one admin refunds at once, as before.
    await gql(client, LIMIT, {"input": {"refundAbove": "100"}}, token=token)
    small = await paid_and_cancelled(email="small@example.com", refund_status="")
    at_once = payload(await gql(client, REFUND, {"input": {
        "paymentId": str(small.id), "reason": "Gateway error"}}, token=token),
        "refundPayment")
    assert at_once["approvalRequest"] is None and at_once["payment"]["status"] == "REFUNDED"


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_pages_say_a_large_console_refund_waits_and_the_audit_log_names_it(
        browser_like, settings, lang):
    _, token = await staff_session("admin")
    _, second = await staff_session("admin")
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    await browser_like.get("/admin/payments")
    await gql(browser_like, LIMIT, {"input": {"refundAbove": "50"}}, token=token)
    payment = await paid_and_cancelled(email=f"page-held-{lang}@example.com", refund_status="")
    done = await browser_like.post(f"/admin/payments/{payment.id}/refund", data={
        "reason": "Charged twice", "csrf_token": csrf_of(browser_like)})
    assert done.status_code == 303 and done.headers["location"].endswith("done=held")
    page = (await browser_like.get(done.headers["location"])).text
    assert ("الاسترداد ينتظر موافقة مشرف ثانٍ" if lang == "ar"
            else "The refund is waiting for a second admin.") in page
    assert (await Payment.get(id=payment.id)).status == "PAID"
    request = await ApprovalRequest.get(target=str(payment.id))
    assert (await decide_request(browser_like, second, str(request.id)))["errors"] == []

    audit = (await browser_like.get("/admin/audit?action=approval.")).text
    main = audit[audit.index("<main"):]
    if lang == "ar":
        assert "طلب اعتماد مشرف ثانٍ" in main and "اعتمد طلب مراجعة ثنائية قدّمه غيره" in main
        assert "استرداد دفعة تتجاوز حد المراجعة الثنائية" in main
    else:
        assert "Asked a second admin to approve" in main
        assert "Approved another's four-eyes request" in main
        assert "<dd><bdi>null</bdi></dd>" not in main and "<dd><bdi></bdi></dd>" not in main
        assert "Refund of a payment above the four-eyes amount" in main
    assert "REFUND_PAYMENT" not in main  # the code is named, not shown
    assert f'href="/admin/approvals/{request.id}"' in main


async def test_a_held_application_stays_with_its_reviewer_until_the_second_admin(client):
    """Nobody takes it away meanwhile: not the queue, not another reviewer opening it, not
    the reviewer opening another application, not a supervisor's assignment or release."""
    reviewer, staff = await staff_session("reviewer")
    _, other = await staff_session("reviewer")
    _, supervisor = await staff_session("supervisor")
    application, _ = await identity_change(dateOfBirth="1991-04-05")
    await decide(client, staff, application.id, "APPROVE")
    held = await Application.get(id=application.id)
    assert held.claimed_by_id == reviewer.id and held.data["held"]

    def call(name, input_type, fields="errors { field code }"):
        return f"""mutation($input: {input_type}!) {{ {name}(input: $input) {{ {fields} }} }}"""

    taken = (await gql(client, call("claimNextApplication", "ClaimNextApplicationInput",
                                    "application { id }"),
                       {"input": {"kind": "PERSONAL_DATA_CHANGE"}}, token=other)
             )["data"]["claimNextApplication"]["application"]
    assert taken is None or taken["id"] != str(application.id)
    await gql(client, call("claimApplication", "ClaimApplicationInput"),
              {"input": {"applicationId": str(application.id)}}, token=other)
    another = await submitted("GOOD_STANDING")
    await gql(client, call("claimApplication", "ClaimApplicationInput"),
              {"input": {"applicationId": str(another.id)}}, token=staff)
    for name, input_type, extra in (
            ("assignApplication", "AssignApplicationInput", {"team": "Identity"}),
            ("forceReleaseApplication", "ForceReleaseApplicationInput",
             {"reason": "Reviewer away"})):
        body = (await gql(client, call(name, input_type), {"input": {
            "applicationId": str(application.id), **extra}}, token=supervisor))["data"][name]
        assert codes(body) == {"applicationId": "INVALID_STATE"}, name
    still = await Application.get(id=application.id)
    assert still.status == "IN_REVIEW" and still.claimed_by_id == reviewer.id
    assert still.claimed_until == held.claimed_until and still.data["held"]
