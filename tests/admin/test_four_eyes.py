"""Four eyes: a second admin approves mass extensions, reinstatements and refunds above
the admin's amount; a suspension is in force at once and confirmed afterwards (refused, it
is lifted); the requester never decides their own request; each step is audited."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.domain.dates import add_months
from server.models.audit import AuditEntry
from server.models.payments import Payment
from server.models.practitioners import RecordChange, Registration
from server.models.workflow import ApprovalRequest
from tests.admin.test_admin import codes, op, paid_and_cancelled, payload
from tests.builders import imported_record, staff_session
from tests.conftest import gql

FIELDS = "id action status count amount registrationNumber undone requestedByEmail"
DECIDE = f"""mutation($input: DecideApprovalRequestInput!) {{
  decideApprovalRequest(input: $input) {{ request {{ {FIELDS}
    extended {{ registrationNumber validUntilBefore validUntilAfter }} }}
  errors {{ field code }} }} }}"""
UNDO = f"""mutation($input: ApprovalRequestIdInput!) {{ undoRegistrationExtension(input: $input)
  {{ request {{ {FIELDS} }} errors {{ field code }} }} }}"""
PENDING = f"""query($status: ApprovalStatus) {{
  approvalRequests(status: $status) {{ {FIELDS} }} }}"""
PREVIEW = """mutation($input: ExtensionPreviewInput!) { previewRegistrationExtension(
  input: $input) { preview { count registrations { registrationNumber validUntil
  newValidUntil } } errors { field code } } }"""


async def decide(client, token, request_id, approve=True, reason=""):
    return payload(await gql(client, DECIDE, {"input": {"requestId": request_id,
                                                        "approve": approve,
                                                        "reason": reason}}, token=token),
                   "decideApprovalRequest")


async def test_a_mass_extension_is_previewed_approved_listed_and_undone(client):
    asker, token = await staff_session("admin")
    _, second = await staff_session("admin")
    today = clock.today()
    for n, days in enumerate((40, 41, 90)):
        await imported_record(number=f"24-R-07200{n + 1}0", identity=[
            "1720000049", "1720000056", "1720000064"][n], valid_for_days=days)
    window = {"expiringFrom": (today + dt.timedelta(days=40)).isoformat(),
              "expiringTo": (today + dt.timedelta(days=41)).isoformat(), "months": 3}

    preview = payload(await gql(client, PREVIEW, {"input": {**window, "first": 1}},
                                token=token), "previewRegistrationExtension")["preview"]
    assert preview["count"] == 2 and len(preview["registrations"]) == 1
    assert preview["registrations"][0]["registrationNumber"] == "24-R-0720010"
    bad = payload(await gql(client, PREVIEW, {"input": {**window, "months": 30}},
                            token=token), "previewRegistrationExtension")
    assert codes(bad) == {"months": "INVALID"}
    empty = payload(await gql(client, op("AdminExtendRegistrations"), {"input": {
        **window, "expiringFrom": "2090-01-01", "expiringTo": "2090-01-02"}}, token=token),
        "extendRegistrations")
    assert codes(empty) == {"expiringFrom": "INVALID_STATE"}

    asked = payload(await gql(client, op("AdminExtendRegistrations"), {"input": window},
                              token=token), "extendRegistrations")["approvalRequest"]
    listed = (await gql(client, PENDING, {}, token=second))["data"]["approvalRequests"]
    assert [r["id"] for r in listed] == [asked["id"]]
    assert listed[0]["requestedByEmail"] == asker.email

    done = await decide(client, second, asked["id"])
    assert done["request"]["status"] == "APPROVED" and done["request"]["count"] == 2
    first_day, second_day = today + dt.timedelta(days=40), today + dt.timedelta(days=41)
    assert [(e["registrationNumber"], e["validUntilBefore"], e["validUntilAfter"])
            for e in done["request"]["extended"]] == [
        ("24-R-0720010", first_day.isoformat(), add_months(first_day, 3).isoformat()),
        ("24-R-0720020", second_day.isoformat(), add_months(second_day, 3).isoformat())]
    assert (await Registration.get(number="24-R-0720010")).valid_until == \
        add_months(first_day, 3)
    twice = await decide(client, second, asked["id"])
    assert codes(twice) == {"requestId": "INVALID_STATE"}

    # A renewal since the extension keeps its own date: the undo leaves it alone.
    renewed = today + dt.timedelta(days=800)
    await Registration.filter(number="24-R-0720020").update(valid_until=renewed)
    undone = payload(await gql(client, UNDO, {"input": {"requestId": asked["id"]}},
                               token=token), "undoRegistrationExtension")
    assert undone["errors"] == [] and undone["request"]["status"] == "UNDONE"
    assert undone["request"]["undone"] == 1
    assert (await Registration.get(number="24-R-0720010")).valid_until == \
        today + dt.timedelta(days=40)
    assert (await Registration.get(number="24-R-0720020")).valid_until == renewed
    assert await RecordChange.exists(what="REGISTRATION_EXTENSION_UNDONE")
    again = payload(await gql(client, UNDO, {"input": {"requestId": asked["id"]}},
                              token=token), "undoRegistrationExtension")
    assert codes(again) == {"requestId": "INVALID_STATE"}
    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"approval.requested", "approval.approved", "admin.registrations_extended",
            "admin.registrations_extension_undone"} <= actions


async def test_a_suspension_holds_at_once_and_a_refused_confirmation_lifts_it(client):
    asker, token = await staff_session("admin")
    _, second = await staff_session("admin")
    await imported_record(number="24-R-0720030", identity="1720000072")
    done = payload(await gql(client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": "24-R-0720030", "reason": "Patient complaint 44"}},
        token=token), "suspendRegistration")
    assert done["registration"]["suspended"] is True
    assert done["approvalRequest"]["action"] == "CONFIRM_SUSPENSION"
    assert (await Registration.get(number="24-R-0720030")).suspended is True
    own = await decide(client, token, done["approvalRequest"]["id"], approve=False,
                       reason="I changed my mind")
    assert codes(own) == {"requestId": "NOT_ALLOWED"}
    no_reason = await decide(client, second, done["approvalRequest"]["id"], approve=False)
    assert codes(no_reason) == {"reason": "REQUIRED"}
    refused = await decide(client, second, done["approvalRequest"]["id"], approve=False,
                           reason="The complaint was withdrawn")
    assert refused["errors"] == [] and refused["request"]["status"] == "REFUSED"
    assert (await Registration.get(number="24-R-0720030")).suspended is False
    entry = await AuditEntry.get(action="approval.refused")
    assert entry.details["requested_by"] == str(asker.id)


async def test_a_reinstatement_waits_for_a_second_admin_and_is_asked_once(client):
    _, token = await staff_session("admin")
    _, second = await staff_session("admin")
    await imported_record(number="24-R-0720040", identity="1720000080")
    await Registration.filter(number="24-R-0720040").update(suspended=True)
    asked = payload(await gql(client, op("AdminReinstateRegistration"), {"input": {
        "registrationNumber": "24-R-0720040", "reason": "Appeal upheld"}}, token=token),
        "reinstateRegistration")
    assert asked["registration"]["suspended"] is True
    twice = payload(await gql(client, op("AdminReinstateRegistration"), {"input": {
        "registrationNumber": "24-R-0720040", "reason": "Appeal upheld"}}, token=second),
        "reinstateRegistration")
    assert codes(twice) == {"registrationNumber": "INVALID_STATE"}
    approved = await decide(client, second, asked["approvalRequest"]["id"])
    assert approved["request"]["status"] == "APPROVED"
    assert (await Registration.get(number="24-R-0720040")).suspended is False


async def test_a_refund_above_the_amount_needs_a_second_admin(client):
    _, token = await staff_session("admin")
    _, second = await staff_session("admin")
    limit = payload(await gql(client, """mutation($input: UpdateFourEyesSettingsInput!) {
        updateFourEyesSettings(input: $input) { settings { refundAbove }
        errors { field code } } }""", {"input": {"refundAbove": "50"}}, token=token),
        "updateFourEyesSettings")
    assert limit["settings"] == {"refundAbove": "50.00"}
    bad = payload(await gql(client, """mutation($input: UpdateFourEyesSettingsInput!) {
        updateFourEyesSettings(input: $input) { errors { field code } } }""",
        {"input": {"refundAbove": "lots"}}, token=token), "updateFourEyesSettings")
    assert codes(bad) == {"amount": "INVALID"}
    payment = await paid_and_cancelled()  # 100 SAR
    asked = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": True, "reason": ""}}, token=token),
        "decideRefund")
    assert asked["approvalRequest"]["action"] == "REFUND"
    assert asked["approvalRequest"]["amount"] == "100.00"
    assert (await Payment.get(id=payment.id)).refund_status == "REQUESTED"
    approved = await decide(client, second, asked["approvalRequest"]["id"])
    assert approved["errors"] == [] and approved["request"]["status"] == "APPROVED"
    assert (await Payment.get(id=payment.id)).refund_status == "REFUNDED"
    assert await ApprovalRequest.filter(status="PENDING").count() == 0
