"""The review workflow: supervisors assign cases and take claims back, staff keep internal
notes the applicant never sees, and overdue cases (in working days: Sunday to Thursday,
less the admin's holidays) are escalated to supervisors by email, once."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from server import worker
from server.models.accounts import Account
from server.models.applications import Application, ApplicationEvent
from server.models.audit import AuditEntry
from server.models.outbox import OutboxMessage
from server.resolvers.accounts.sessions import open_session
from server.resolvers.review.escalation import escalate_overdue
from tests.builders import imported_record, staff_session
from tests.conftest import gql
from tests.security.test_authz import document

ASSIGN = """mutation($input: AssignApplicationInput!) { assignApplication(input: $input) {
  application { id status assignedTo assignedTeam claimedBy } errors { field code } } }"""
RELEASE = """mutation($input: ForceReleaseApplicationInput!) {
  forceReleaseApplication(input: $input) { application { id status claimedBy }
  errors { field code } } }"""
NOTE = """mutation($input: AddInternalNoteInput!) { addInternalNote(input: $input) {
  note { id body authorEmail } errors { field code message } } }"""
NOTES = """query($id: ID!) { internalNotes(applicationId: $id) { body authorEmail } }"""
HOLIDAYS = """mutation($input: UpdateHolidaysInput!) { updateHolidays(input: $input) {
  holidays errors { field code } } }"""


async def applicant_with_application(status: str = "SUBMITTED", kind: str = "RENEWAL",
                                     submitted_at: dt.datetime | None = None,
                                     identity: str = "1720000015", number: str = "24-R-0720001"):
    practitioner = await imported_record(number=number, identity=identity)
    account = await Account.create(
        email=f"staff-workflow-{uuid.uuid4().hex[:6]}@example.test", mobile="+966500000001",
        first_name="Sara", family_name="Q", password_hash="x", status="ACTIVE",
        roles="PRACTITIONER")
    await practitioner.__class__.filter(id=practitioner.id).update(account_id=account.id)
    application = await Application.create(
        kind=kind, status=status, applicant=account, practitioner=practitioner,
        submitted_at=submitted_at or dt.datetime.now(dt.UTC))
    return account, await open_session(account), application


def result(body: dict, field: str) -> dict:
    assert "errors" not in body, body
    return body["data"][field]


def codes(payload: dict) -> dict:
    return {e["field"]: e["code"] for e in payload["errors"]}


# ------------------------------------------------------------------ assignment

async def test_a_supervisor_assigns_a_case_to_a_reviewer_and_their_colleagues_claim_goes(client):
    supervisor, token = await staff_session("supervisor")
    assert supervisor.role_list == ["REVIEWER", "SUPERVISOR"]
    holder, holder_token = await staff_session("reviewer")
    chosen, _ = await staff_session("reviewer")
    _, _, application = await applicant_with_application()
    await Application.filter(id=application.id).update(
        status="IN_REVIEW", claimed_by_id=holder.id,
        claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))

    refused = await gql(client, ASSIGN, {"input": {"applicationId": str(application.id),
                                                   "reviewerId": str(chosen.id)}},
                        token=holder_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    done = result(await gql(client, ASSIGN, {"input": {
        "applicationId": str(application.id), "reviewerId": str(chosen.id)}}, token=token),
        "assignApplication")
    assert done["errors"] == []
    assert done["application"] == {"id": str(application.id), "status": "SUBMITTED",
                                   "assignedTo": chosen.email, "assignedTeam": None,
                                   "claimedBy": None}
    row = await Application.get(id=application.id)
    assert (row.assigned_to_id, row.claimed_by_id) == (chosen.id, None)
    entry = await AuditEntry.get(action="application.assigned")
    assert entry.actor_id == supervisor.id and entry.details["claim_released"] == str(holder.id)

    team = result(await gql(client, ASSIGN, {"input": {
        "applicationId": str(application.id), "team": "  Physicians   board "}}, token=token),
        "assignApplication")
    assert team["application"]["assignedTeam"] == "Physicians board"
    assert team["application"]["assignedTo"] is None


async def test_a_case_is_assigned_only_to_an_active_reviewer_and_only_while_it_waits(client):
    _, token = await staff_session("supervisor")
    applicant, _, application = await applicant_with_application()
    for reviewer_id in (str(applicant.id), str(uuid.uuid4()), "not-an-id"):
        refused = result(await gql(client, ASSIGN, {"input": {
            "applicationId": str(application.id), "reviewerId": reviewer_id}}, token=token),
            "assignApplication")
        assert codes(refused) == {"reviewerId": "NOT_FOUND"}, reviewer_id
    long_team = result(await gql(client, ASSIGN, {"input": {
        "applicationId": str(application.id), "team": "x" * 61}}, token=token),
        "assignApplication")
    assert codes(long_team) == {"team": "INVALID"}
    await Application.filter(id=application.id).update(status="APPROVED")
    decided = result(await gql(client, ASSIGN, {"input": {
        "applicationId": str(application.id), "team": "A"}}, token=token), "assignApplication")
    assert codes(decided) == {"applicationId": "INVALID_STATE"}


async def test_a_supervisor_force_releases_a_claim_with_a_reason_in_its_history(client):
    supervisor, token = await staff_session("supervisor")
    holder, holder_token = await staff_session("reviewer")
    _, _, application = await applicant_with_application()
    await Application.filter(id=application.id).update(
        status="IN_REVIEW", claimed_by_id=holder.id,
        claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))
    assert (await gql(client, RELEASE, {"input": {"applicationId": str(application.id),
                                                  "reason": "Mine now"}},
                      token=holder_token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_reason = result(await gql(client, RELEASE, {"input": {
        "applicationId": str(application.id), "reason": "  "}}, token=token),
        "forceReleaseApplication")
    assert codes(no_reason) == {"reason": "REQUIRED"}
    done = result(await gql(client, RELEASE, {"input": {
        "applicationId": str(application.id), "reason": "Reviewer on leave"}}, token=token),
        "forceReleaseApplication")
    assert done["errors"] == [] and done["application"]["status"] == "SUBMITTED"
    event = await ApplicationEvent.filter(application_id=application.id).order_by("-id").first()
    assert (event.from_status, event.to_status, event.reason, event.actor_id) == (
        "IN_REVIEW", "SUBMITTED", "Reviewer on leave", supervisor.id)
    again = result(await gql(client, RELEASE, {"input": {
        "applicationId": str(application.id), "reason": "again"}}, token=token),
        "forceReleaseApplication")
    assert codes(again) == {"applicationId": "INVALID_STATE"}
    assert await AuditEntry.filter(action="application.force_released").count() == 1


# ------------------------------------------------------------------ internal notes

async def test_internal_notes_are_for_staff_and_the_applicant_never_reads_them(client):
    reviewer, token = await staff_session("reviewer")
    _, applicant_token, application = await applicant_with_application()
    secret = "Check licence LIC-7788 with the hospital before deciding"
    empty = result(await gql(client, NOTE, {"input": {"applicationId": str(application.id),
                                                      "body": "   "}}, token=token),
                   "addInternalNote")
    assert codes(empty) == {"body": "REQUIRED"}
    long = result(await gql(client, NOTE, {"input": {"applicationId": str(application.id),
                                                     "body": "x" * 2001}}, token=token),
                  "addInternalNote")
    assert codes(long) == {"body": "INVALID"}
    added = result(await gql(client, NOTE, {"input": {"applicationId": str(application.id),
                                                      "body": secret}}, token=token),
                   "addInternalNote")
    assert added["errors"] == [] and added["note"]["authorEmail"] == reviewer.email
    assert result(await gql(client, NOTES, {"id": str(application.id)}, token=token),
                  "internalNotes") == [{"body": secret, "authorEmail": reviewer.email}]

    # The applicant: refused on the notes, and nothing of them in their own application
    # read with every field it has.
    refused = await gql(client, NOTES, {"id": str(application.id)}, token=applicant_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert secret not in json.dumps(refused, ensure_ascii=False)
    own = await gql(client, document("query", "myApplication"), {"id": str(application.id)},
                    token=applicant_token)
    assert own["data"]["myApplication"]["id"] == str(application.id)
    assert secret not in json.dumps(own, ensure_ascii=False)
    mine = await gql(client, document("query", "myApplications"), {"first": 5},
                     token=applicant_token)
    assert secret not in json.dumps(mine, ensure_ascii=False)
    adding = await gql(client, NOTE, {"input": {"applicationId": str(application.id),
                                                "body": "I add one too"}},
                       token=applicant_token)
    assert adding["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await AuditEntry.get(action="application.note_added")).actor_id == reviewer.id


# ------------------------------------------------------------------ escalation

RIYADH_9AM = dt.time(6, 0, tzinfo=dt.UTC)


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), RIYADH_9AM)


async def test_overdue_cases_go_to_supervisors_once_counted_in_working_days(
        client, settings, clock):
    clock.move_to(at("2026-03-26"))  # a Thursday
    _, admin_token = await staff_session("admin")
    supervisor, _ = await staff_session("supervisor")
    away, _ = await staff_session("supervisor")
    await Account.filter(id=away.id).update(status="DISABLED")
    await staff_session("reviewer")
    # A renewal's target is 3 working days.
    _, _, long_overdue = await applicant_with_application(submitted_at=at("2026-03-15"))
    _, _, only_without_eid = await applicant_with_application(
        submitted_at=at("2026-03-22"), identity="1720000023", number="24-R-0720002")
    _, _, decided = await applicant_with_application(
        status="APPROVED", submitted_at=at("2026-03-01"), identity="1720000031",
        number="24-R-0720003")
    # Eid: Thursday 19, Sunday 22 and Monday 23 March are holidays.
    saved = result(await gql(client, HOLIDAYS, {"input": {"dates": [
        "2026-03-23", "2026-03-19", "2026-03-22"]}}, token=admin_token), "updateHolidays")
    assert saved == {"holidays": ["2026-03-19", "2026-03-22", "2026-03-23"], "errors": []}

    await worker.sweep(settings, "host-a:1")
    # (The sweep also sends the applicants' renewal reminders: only staff mail counts here.)
    mails = await OutboxMessage.filter(channel="email",
                                       recipient__endswith="@sijil.example")
    assert [m.recipient for m in mails] == [supervisor.email]
    assert "overdue" in mails[0].payload["subject"] or "متأخر" in mails[0].payload["subject"]
    text = mails[0].payload["text"]
    assert f"/review/{long_overdue.id}" in text
    assert f"/review/{only_without_eid.id}" not in text
    assert f"/review/{decided.id}" not in text
    assert (await Application.get(id=long_overdue.id)).escalated_at is not None

    # Another host's sweep finds nothing new to send.
    assert await escalate_overdue(settings) == 0
    assert await OutboxMessage.filter(channel="email",
                                      recipient__endswith="@sijil.example").count() == 1

    # Without the holidays the second case is 4 working days old: past its target.
    result(await gql(client, HOLIDAYS, {"input": {"dates": []}}, token=admin_token),
           "updateHolidays")
    assert await escalate_overdue(settings) == 1
    latest = await OutboxMessage.filter(channel="email",
                                        recipient__endswith="@sijil.example"
                                        ).order_by("-id").first()
    assert f"/review/{only_without_eid.id}" in latest.payload["text"]
    assert (await AuditEntry.filter(action="application.escalated").count()) == 2


async def test_the_holiday_list_is_kept_by_admins_and_checked(client):
    _, token = await staff_session("admin")
    _, supervisor_token = await staff_session("supervisor")
    refused = await gql(client, HOLIDAYS, {"input": {"dates": ["2026-09-23"]}},
                        token=supervisor_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    read = await gql(client, "{ holidays }", token=supervisor_token)
    assert read["data"]["holidays"] == []
    many = [(dt.date(2030, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(201)]
    too_many = result(await gql(client, HOLIDAYS, {"input": {"dates": many}}, token=token),
                      "updateHolidays")
    assert codes(too_many) == {"dates": "INVALID"}


# ------------------------------------------------------------------ the pages

async def test_the_workflow_page_keeps_notes_and_assigns_without_javascript(
        browser_like, settings):
    from server.context import session_cookie_name
    from tests.conftest import csrf_of

    supervisor, token = await staff_session("supervisor")
    holder, _ = await staff_session("reviewer")
    _, _, application = await applicant_with_application()
    await Application.filter(id=application.id).update(
        status="IN_REVIEW", claimed_by_id=holder.id,
        claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))
    browser_like.cookies.set(session_cookie_name(settings), token)
    csrf = csrf_of(browser_like)
    review_page = await browser_like.get(f"/review/{application.id}")
    assert f'href="/review/{application.id}/workflow"' in review_page.text
    page = await browser_like.get(f"/review/{application.id}/workflow")
    assert page.status_code == 200 and "لا يرى هذه الملاحظات إلا الموظفون" in page.text
    assert holder.email in page.text and "استرداد الطلب المحجوز" in page.text

    empty = await browser_like.post(f"/review/{application.id}/notes",
                                    data={"body": " ", "csrf_token": csrf})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    added = await browser_like.post(f"/review/{application.id}/notes",
                                    data={"body": "Ask for the original", "csrf_token": csrf})
    assert added.status_code == 303
    assert "Ask for the original" in (await browser_like.get(added.headers["location"])).text

    no_reason = await browser_like.post(f"/review/{application.id}/force-release",
                                        data={"reason": "", "csrf_token": csrf})
    assert no_reason.status_code == 422
    released = await browser_like.post(f"/review/{application.id}/force-release",
                                       data={"reason": "On leave", "csrf_token": csrf})
    assert released.status_code == 303
    assert (await Application.get(id=application.id)).status == "SUBMITTED"
    assigned = await browser_like.post(f"/review/{application.id}/assign", data={
        "reviewerId": str(holder.id), "team": "Renewals", "csrf_token": csrf})
    assert assigned.status_code == 303
    row = await Application.get(id=application.id)
    assert (row.assigned_to_id, row.assigned_team) == (holder.id, "Renewals")
    assert supervisor.id != holder.id
