"""The reviewers' console: the queue, taking the next application (never the same one
twice), one application with everything a reviewer needs, the decision, and the pages."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re

import pytest

from server import clock
from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.models.accounts import Account
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.audit import AuditEntry
from server.models.documents import Document
from server.models.payments import Payment
from server.models.practitioners import Practitioner, RecordChange
from server.resolvers.accounts.sessions import open_session
from server.resolvers.kernel import lifecycle
from tests.builders import (
    claimed_practitioner,
    errors_of,
    imported_record,
    op,
    staff_session,
    upload,
)
from tests.conftest import csrf_of, gql

_serial = itertools.count(1)

QUEUE = """query Queue($first: Int, $after: String, $kind: ApplicationKind,
                       $status: ApplicationStatus, $olderThanDays: Int) {
  reviewQueue(first: $first, after: $after, kind: $kind, status: $status,
              olderThanDays: $olderThanDays) {
    edges { cursor node { id kind status submittedAt ageDays targetDays overdue claimedBy
                          claimedByMe } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CLAIM_NEXT = """mutation ClaimNext($input: ClaimNextApplicationInput!) {
  claimNextApplication(input: $input) {
    application { id kind status claimedBy claimedUntil claimedByMe }
    errors { field code message }
  }
}"""
RELEASE = """mutation Release($input: ReleaseApplicationInput!) {
  releaseApplication(input: $input) {
    application { id status claimedBy }
    errors { field code message }
  }
}"""
REVIEW_APPLICATION = """query ReviewApplication($id: ID!) {
  reviewApplication(id: $id) {
    id kind status data snapshot claimedBy
    applicant { email }
    practitioner { fullNameEn rank registration { number validUntil } }
    recordComparison { field snapshot current changed }
    requestedChanges { field before current requested }
    answers { code question answer }
    cpdActivity { title hours }
    documents { id kind name contentType size }
    payments { status method amount { amount currency } paidAt }
    history { fromStatus toStatus reason actor byApplicant }
  }
}"""





async def applicant(practitioner: Practitioner | None = None) -> Account:
    n = next(_serial)
    account = await Account.create(email=f"applicant{n}@example.com", mobile="",
                                   first_name=f"Applicant{n}", family_name="Test",
                                   password_hash="-", status="ACTIVE")
    if practitioner is not None:
        await Practitioner.filter(id=practitioner.id).update(account_id=account.id)
    return account


async def practitioner_with_account() -> tuple[Practitioner, Account]:
    n = next(_serial)
    nine = f"1{n:08d}"
    practitioner = await imported_record(number=f"24-R-{n:07d}",
                                         identity=nine + saudi_id_check_digit(nine))
    return practitioner, await applicant(practitioner)


async def submitted(kind: str = "RENEWAL", days_ago: float = 0, *, practitioner=None,
                    account=None, status: str = "SUBMITTED", data: dict | None = None,
                    at: dt.datetime | None = None) -> Application:
    """An application waiting for a reviewer, submitted `days_ago` days ago."""
    if practitioner is None:
        practitioner, account = await practitioner_with_account()
    application = await lifecycle.create(kind, account, practitioner, status="SUBMITTED",
                                            data=data or {}, years=1 if kind == "RENEWAL"
                                            else None)
    moment = at or dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    await Application.filter(id=application.id).update(submitted_at=moment, status=status)
    return await Application.get(id=application.id)


async def claim(client, token, kind=None) -> dict:
    body = await gql(client, CLAIM_NEXT, {"input": {"kind": kind}}, token=token)
    return body["data"]["claimNextApplication"]


async def decide(client, token, application_id, decision, reason="", **extra) -> dict:
    body = await gql(client, op("DecideApplication"), {"input": {
        "applicationId": str(application_id), "decision": decision, "reason": reason,
        **extra}}, token=token)
    return body["data"]["decideApplication"]


# ------------------------------------------------------------------ the queue

async def test_the_queue_is_oldest_first_with_age_target_and_filters(client):
    _, token = await staff_session(email="reviewer@sijil.example")
    renewal = await submitted("RENEWAL", days_ago=4)  # target 3: overdue
    cpd = await submitted("CPD_RECOGNITION", days_ago=2)  # target 5
    change = await submitted("PERSONAL_DATA_CHANGE", days_ago=6, status="IN_REVIEW")
    good_standing = await submitted("GOOD_STANDING", days_ago=0.5)  # default target 10
    done = await submitted("RENEWAL", days_ago=9)
    await Application.filter(id=done.id).update(status="APPROVED")

    body = await gql(client, QUEUE, {"first": 10}, token=token)
    nodes = [e["node"] for e in body["data"]["reviewQueue"]["edges"]]
    assert [n["id"] for n in nodes] == [str(a.id) for a in (change, renewal, cpd,
                                                           good_standing)]
    by_id = {n["id"]: n for n in nodes}
    assert (by_id[str(renewal.id)]["ageDays"], by_id[str(renewal.id)]["targetDays"],
            by_id[str(renewal.id)]["overdue"]) == (4, 3, True)
    assert (by_id[str(cpd.id)]["targetDays"], by_id[str(cpd.id)]["overdue"]) == (5, False)
    assert by_id[str(change.id)]["overdue"] is True  # 6 days of 5
    assert (by_id[str(good_standing.id)]["ageDays"],
            by_id[str(good_standing.id)]["targetDays"]) == (0, 10)
    assert all(n["claimedBy"] is None for n in nodes)

    async def ids(**variables):
        body = await gql(client, QUEUE, {"first": 10, **variables}, token=token)
        assert "errors" not in body, body
        return [e["node"]["id"] for e in body["data"]["reviewQueue"]["edges"]]

    assert await ids(kind="CPD_RECOGNITION") == [str(cpd.id)]
    assert await ids(status="IN_REVIEW") == [str(change.id)]
    assert await ids(status="SUBMITTED") == [str(renewal.id), str(cpd.id),
                                             str(good_standing.id)]
    assert await ids(olderThanDays=3) == [str(change.id), str(renewal.id)]
    assert await ids(olderThanDays=3, kind="RENEWAL", status="SUBMITTED") == [str(renewal.id)]
    refused = await gql(client, QUEUE, {"status": "APPROVED"}, token=token)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    # The contract's own operation still works, unchanged.
    contract = await gql(client, op("ReviewQueue"), {"first": 2}, token=token)
    assert [e["node"]["id"] for e in contract["data"]["reviewQueue"]["edges"]] == \
        [str(change.id), str(renewal.id)]


async def test_keyset_paging_walks_the_whole_queue_in_order(client):
    _, token = await staff_session(email="reviewer@sijil.example")
    same_moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    # Both waiting statuses, interleaved: each is its own range of the index, merged.
    made = [await submitted(days_ago=5 - i, status=("SUBMITTED", "IN_REVIEW")[i % 2])
            for i in range(3)]
    # Three submitted at the very same moment, in both statuses: the id breaks the tie.
    made += sorted([await submitted(at=same_moment, status=status)
                    for status in ("IN_REVIEW", "SUBMITTED", "IN_REVIEW")],
                   key=lambda a: str(a.id))
    made.append(await submitted(days_ago=0))
    seen, after, pages = [], None, 0
    while True:
        body = await gql(client, QUEUE, {"first": 2, "after": after}, token=token)
        page = body["data"]["reviewQueue"]
        seen += [e["node"]["id"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert pages == 4
    assert seen == [str(a.id) for a in made]
    forged = await gql(client, QUEUE, {"first": 2, "after": "bm90LWEtY3Vyc29y"}, token=token)
    # A cursor this server did not make is the first page, never a top-level error.
    assert "errors" not in forged
    assert [e["node"]["id"] for e in forged["data"]["reviewQueue"]["edges"]] == seen[:2]


async def test_only_staff_see_the_queue_and_the_application(client):
    application = await submitted()
    account = await Account.get(id=application.applicant_id)
    token = await open_session(account)
    for query, variables in ((QUEUE, {}), (REVIEW_APPLICATION, {"id": str(application.id)})):
        body = await gql(client, query, variables, token=token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await gql(client, query, variables)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    refused = await gql(client, CLAIM_NEXT, {"input": {}}, token=token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Application.get(id=application.id)).status == "SUBMITTED"


# ------------------------------------------------------------------ take the next one

async def test_take_the_next_one_claims_the_oldest_for_thirty_minutes(client):
    reviewer_account, token = await staff_session(email="reviewer@sijil.example")
    older = await submitted("CPD_RECOGNITION", days_ago=3)
    newer = await submitted("RENEWAL", days_ago=1)
    taken = await claim(client, token)
    assert taken["errors"] == []
    assert taken["application"]["id"] == str(older.id)
    assert taken["application"]["status"] == "IN_REVIEW"
    assert taken["application"]["claimedBy"] == "reviewer@sijil.example"
    assert taken["application"]["claimedByMe"] is True
    row = await Application.get(id=older.id)
    assert row.claimed_by_id == reviewer_account.id
    left = row.claimed_until - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    event = await ApplicationEvent.filter(application_id=older.id).order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor_id) == \
        ("SUBMITTED", "IN_REVIEW", reviewer_account.id)

    queue = await gql(client, QUEUE, {"first": 10}, token=token)
    claimed_by = {e["node"]["id"]: e["node"]["claimedBy"]
                  for e in queue["data"]["reviewQueue"]["edges"]}
    assert claimed_by == {str(older.id): "reviewer@sijil.example", str(newer.id): None}

    assert (await claim(client, token, kind="CPD_RECOGNITION"))["application"] is None
    assert (await claim(client, token))["application"]["id"] == str(newer.id)
    assert (await claim(client, token))["application"] is None  # nothing left


async def test_two_reviewers_taking_at_once_get_different_applications(client):
    _, first = await staff_session(email="one@sijil.example")
    _, second = await staff_session(email="two@sijil.example")
    made = {str((await submitted(days_ago=2 - i)).id) for i in range(2)}
    a, b = await asyncio.gather(claim(client, first), claim(client, second))
    assert a["errors"] == [] and b["errors"] == []
    assert {a["application"]["id"], b["application"]["id"]} == made
    owners = {str(r.id): r.claimed_by_id for r in await Application.all()}
    assert len(set(owners.values())) == 2
    # A third try finds nothing: neither is handed out twice.
    assert (await claim(client, first))["application"] is None


async def test_ten_reviewers_at_once_take_ten_different_applications(client):
    """On PostgreSQL this goes through SELECT … FOR UPDATE SKIP LOCKED; on SQLite through
    the conditional update. Either way no application is handed out twice."""
    tokens = [(await staff_session(email=f"r{i}@sijil.example"))[1] for i in range(10)]
    made = {str((await submitted(days_ago=10 - i * 0.1)).id) for i in range(10)}
    results = await asyncio.gather(*(claim(client, t) for t in tokens))
    taken = [r["application"]["id"] for r in results if r["application"]]
    assert sorted(taken) == sorted(made)
    assert await Application.filter(status="IN_REVIEW").count() == 10
    assert len({r.claimed_by_id for r in await Application.all()}) == 10
    events = await ApplicationEvent.filter(to_status="IN_REVIEW").count()
    assert events == 10


@pytest.mark.postgres
async def test_on_postgresql_a_claim_skips_a_row_another_claimer_holds(client):
    """SELECT … FOR UPDATE SKIP LOCKED: a row locked by another process's claim is passed
    over at once, not waited for."""
    from tortoise import connections
    from tortoise.transactions import in_transaction

    assert connections.get("default").capabilities.dialect == "postgres"
    _, token = await staff_session(email="reviewer@sijil.example")
    oldest = await submitted(days_ago=3)
    next_one = await submitted(days_ago=2)
    locked, done = asyncio.Event(), asyncio.Event()

    async def another_claimer():
        async with in_transaction() as conn:
            await conn.execute_query("SELECT id FROM application WHERE id = $1 FOR UPDATE",
                                     [oldest.id])
            locked.set()
            await done.wait()

    holder = asyncio.create_task(another_claimer())
    await locked.wait()
    try:
        taken = await asyncio.wait_for(claim(client, token), timeout=5)
    finally:
        done.set()
        await holder
    assert taken["application"]["id"] == str(next_one.id)
    assert (await Application.get(id=oldest.id)).status == "SUBMITTED"
    # Once the other claimer lets go, the oldest is there to take.
    assert (await claim(client, token))["application"]["id"] == str(oldest.id)


async def test_an_expired_claim_is_taken_by_another_reviewer(client):
    first_account, first = await staff_session(email="one@sijil.example")
    second_account, second = await staff_session(email="two@sijil.example")
    application = await submitted(days_ago=1)
    assert (await claim(client, first))["application"]["id"] == str(application.id)
    assert (await claim(client, second))["application"] is None
    refused = await decide(client, second, application.id, "APPROVE")
    assert errors_of(refused) == {None: "NOT_ALLOWED"}

    await Application.filter(id=application.id).update(
        claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    queue = await gql(client, QUEUE, {}, token=second)
    [node] = [e["node"] for e in queue["data"]["reviewQueue"]["edges"]]
    assert node["status"] == "IN_REVIEW" and node["claimedBy"] is None  # lapsed

    taken = await claim(client, second)
    assert taken["application"]["id"] == str(application.id)
    assert taken["application"]["claimedBy"] == "two@sijil.example"
    steps = [(e.from_status, e.to_status, e.actor_id) for e in
             await ApplicationEvent.filter(application_id=application.id).order_by("id")]
    assert steps[-3:] == [("SUBMITTED", "IN_REVIEW", first_account.id),
                          ("IN_REVIEW", "SUBMITTED", None),
                          ("SUBMITTED", "IN_REVIEW", second_account.id)]
    # The first reviewer lost it: their decision is refused, the holder's goes through.
    late = await decide(client, first, application.id, "APPROVE")
    assert errors_of(late) == {None: "NOT_ALLOWED"}
    approved = await decide(client, second, application.id, "APPROVE")
    assert approved["errors"] == [] and approved["application"]["status"] == "APPROVED"


async def test_an_in_review_application_without_a_claim_is_not_stuck(client):
    _, token = await staff_session(email="reviewer@sijil.example")
    application = await submitted(status="IN_REVIEW")
    taken = await claim(client, token)
    assert taken["application"]["id"] == str(application.id)


async def test_release_gives_it_back_and_only_the_holder_or_an_admin_may(client):
    _, first = await staff_session(email="one@sijil.example")
    _, second = await staff_session(email="two@sijil.example")
    _, admin = await staff_session("admin", "admin@sijil.example")
    application = await submitted()
    await claim(client, first)
    variables = {"input": {"applicationId": str(application.id)}}
    refused = (await gql(client, RELEASE, variables, token=second))["data"]["releaseApplication"]
    assert errors_of(refused) == {None: "NOT_ALLOWED"}
    released = (await gql(client, RELEASE, variables, token=first))["data"]["releaseApplication"]
    assert released["errors"] == []
    assert released["application"] == {"id": str(application.id), "status": "SUBMITTED",
                                       "claimedBy": None}
    again = (await gql(client, RELEASE, variables, token=first))["data"]["releaseApplication"]
    assert errors_of(again) == {None: "INVALID_STATE"}
    await claim(client, second)
    by_admin = (await gql(client, RELEASE, variables, token=admin))["data"]["releaseApplication"]
    assert by_admin["errors"] == []
    assert (await Application.get(id=application.id)).claimed_by_id is None


# ------------------------------------------------------------------ deciding

async def test_a_reviewer_cannot_take_or_decide_their_own_application(client):
    practitioner, _ = await practitioner_with_account()
    account, token = await staff_session(email="reviewer@sijil.example")
    await Practitioner.filter(id=practitioner.id).update(account_id=None)
    own = await submitted(practitioner=practitioner, account=account)
    assert (await claim(client, token))["application"] is None
    refused = await decide(client, token, own.id, "APPROVE")
    assert errors_of(refused) == {None: "NOT_ALLOWED"}
    assert (await Application.get(id=own.id)).status == "SUBMITTED"


async def test_two_reviewers_deciding_at_once_one_wins(client):
    _, first = await staff_session(email="one@sijil.example")
    _, second = await staff_session(email="two@sijil.example")
    application = await submitted()
    results = await asyncio.gather(
        decide(client, first, application.id, "APPROVE"),
        decide(client, second, application.id, "REJECT", "Not eligible."))
    outcomes = sorted((r["application"] or {}).get("status") or
                      r["errors"][0]["code"] for r in results)
    assert outcomes in (["APPROVED", "INVALID_STATE"], ["INVALID_STATE", "REJECTED"])
    final = await Application.get(id=application.id)
    assert final.status in ("APPROVED", "REJECTED")
    assert await ApplicationEvent.filter(application_id=application.id,
                                         to_status__in=("APPROVED", "REJECTED")).count() == 1


async def test_returning_needs_a_reason_and_what_to_fix_follows_it(client):
    _, token = await staff_session(email="reviewer@sijil.example")
    application = await submitted("PERSONAL_DATA_CHANGE", data={"changes": {}, "before": {}})
    no_reason = await decide(client, token, application.id, "RETURN")
    assert errors_of(no_reason) == {"reason": "REQUIRED"}
    returned = await decide(client, token, application.id, "RETURN", "The passport is unreadable.",
                            whatToFix="Upload a clearer scan of the passport's photo page.")
    assert returned["application"]["status"] == "RETURNED"
    assert (await Application.get(id=application.id)).decision_reason == (
        "The passport is unreadable.\n\nUpload a clearer scan of the passport's photo page.")


async def test_cpd_recognised_with_fewer_hours_updates_the_summary_at_once(
        client, deliver, smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    certificate = await upload(client, token, kind="CPD_CERTIFICATE")
    completed = (clock.today() - dt.timedelta(days=30)).isoformat()
    body = (await gql(client, op("SubmitCpdActivity"), {"input": {
        "title": "Advanced Cardiac Life Support", "provider": "Saudi Heart Association",
        "hours": 8, "completedOn": completed, "certificateId": certificate}}, token=token)
    )["data"]["submitCpdActivity"]
    application_id = body["application"]["id"]
    # The 50 SAR fee, as the gateway's confirmation would record it.
    await Application.filter(id=application_id).update(status="SUBMITTED",
                                                       submitted_at=dt.datetime.now(dt.UTC))
    before = (await gql(client, op("MyPractitioner"), token=token))["data"]["me"]
    assert before["practitioner"]["cpd"]["earnedHours"] == 0

    _, staff = await staff_session(email="reviewer@sijil.example")
    view = (await gql(client, REVIEW_APPLICATION, {"id": application_id}, token=staff)
            )["data"]["reviewApplication"]
    assert view["cpdActivity"] == {"title": "Advanced Cardiac Life Support", "hours": "8"}
    assert [d["kind"] for d in view["documents"]] == ["CPD_CERTIFICATE"]
    assert (await claim(client, staff))["application"]["id"] == application_id
    unexplained = await decide(client, staff, application_id, "APPROVE", recognisedHours=5.5)
    assert [(e["field"], e["code"]) for e in unexplained["errors"]] == [("reason", "REQUIRED")]
    too_many = await decide(client, staff, application_id, "APPROVE", recognisedHours=9,
                            reason="More than claimed")
    assert [(e["field"], e["code"]) for e in too_many["errors"]] == [
        ("recognisedHours", "INVALID")]
    assert (await Application.get(id=application_id)).status == "IN_REVIEW"
    approved = await decide(client, staff, application_id, "APPROVE", recognisedHours=5.5,
                            reason="The certificate shows 5.5 accredited hours.")
    assert approved["errors"] == [] and approved["application"]["status"] == "APPROVED"
    assert (await Application.get(id=application_id)).decision_reason \
        == "The certificate shows 5.5 accredited hours."
    after = (await gql(client, op("MyPractitioner"), token=token))["data"]["me"]
    assert after["practitioner"]["cpd"]["earnedHours"] == 5.5
    summary = (await gql(client, "query { me { practitioner { cpd { requiredHours "
                                 "earnedHours missingHours } cpdActivities { status "
                                 "recognisedHours } } } }", token=token)
               )["data"]["me"]["practitioner"]
    assert summary["cpd"]["missingHours"] == summary["cpd"]["requiredHours"] - 5.5
    assert summary["cpdActivities"] == [{"status": "RECOGNISED", "recognisedHours": "5.5"}]


async def test_a_personal_data_change_approved_is_applied_and_recorded(
        client, deliver, smtp_server, sms_gateway):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    evidence = await upload(client, token, kind="EVIDENCE")
    body = (await gql(client, op("RequestPersonalDataChange"), {"input": {
        "registrationNumber": "24-R-0000101", "changes": {"familyNameEn": "Al-Qahtani"},
        "documentIds": [evidence], "note": "Passport spelling"}}, token=token)
    )["data"]["requestPersonalDataChange"]
    application_id = body["application"]["id"]

    _, staff = await staff_session(email="reviewer@sijil.example")
    view = (await gql(client, REVIEW_APPLICATION, {"id": application_id}, token=staff)
            )["data"]["reviewApplication"]
    assert view["requestedChanges"] == [{"field": "familyNameEn", "before": "Alqahtani",
                                         "current": "Alqahtani", "requested": "Al-Qahtani"}]
    assert {"code": "note", "question": None, "answer": "Passport spelling"} in view["answers"]
    # The record frozen when it was sent, compared with the record now: the same so far.
    assert view["snapshot"]["practitioner"]["names_en"][-1] == "Alqahtani"
    assert view["snapshot"]["registration"]["number"] == "24-R-0000101"
    assert {r["field"]: r["snapshot"] for r in view["recordComparison"]}["fullNameEn"] \
        == "Sara Mohammed Ali Alqahtani"
    assert all(not row["changed"] for row in view["recordComparison"])
    assert [d["kind"] for d in view["documents"]] == ["EVIDENCE"]

    approved = await decide(client, staff, application_id, "APPROVE")
    assert approved["errors"] == [] and approved["application"]["status"] == "APPROVED"
    assert (await Practitioner.get(id=practitioner.id)).family_name_en == "Al-Qahtani"
    change = await RecordChange.get(practitioner_id=practitioner.id,
                                    what="PERSONAL_DATA_CHANGED")
    assert change.changes == {"before": {"familyNameEn": "Alqahtani"},
                              "after": {"familyNameEn": "Al-Qahtani"}}
    history = (await gql(client, "query { recordHistory { what byStaff by applicationId } }",
                         token=token))["data"]["recordHistory"]
    assert {"what": "PERSONAL_DATA_CHANGED", "byStaff": True, "by": "STAFF",
            "applicationId": application_id} in history
    view = (await gql(client, REVIEW_APPLICATION, {"id": application_id}, token=staff)
            )["data"]["reviewApplication"]
    assert [(h["fromStatus"], h["toStatus"], h["actor"], h["byApplicant"])
            for h in view["history"]] == [
        (None, "SUBMITTED", "sara@example.com", True),
        ("SUBMITTED", "IN_REVIEW", "reviewer@sijil.example", False),
        ("IN_REVIEW", "APPROVED", "reviewer@sijil.example", False)]


# ------------------------------------------------------------------ one application

async def test_review_application_shows_snapshot_against_now_documents_and_payments(client):
    staff, token = await staff_session(email="reviewer@sijil.example")
    await Account.filter(id=staff.id).update(language="en")
    practitioner, account = await practitioner_with_account()
    snapshot = {
        "practitioner": {"names_ar": ["سارة", "محمد", "علي", "القحطاني"],
                         "names_en": ["Sara", "Mohammed", "Ali", "Alqahtani"],
                         "date_of_birth": "1985-04-12", "category": "PHYSICIAN",
                         "specialty": "INTERNAL_MEDICINE", "rank": "SENIOR_REGISTRAR"},
        "registration": {"number": "00-R-0000000", "valid_from": "2020-01-01",
                         "valid_until": "2020-12-31"},
        "answers": {"VALID_BLS": "YES"},
    }
    application = await submitted("RENEWAL", practitioner=practitioner, account=account,
                                  data={"answers": {"VALID_BLS": "YES",
                                                    "DISCIPLINARY_ACTION": "NO"}})
    await Application.filter(id=application.id).update(snapshot=snapshot)
    documents = []
    for kind, content_type, name in (("EMPLOYER_LETTER", "application/pdf", "letter.pdf"),
                                     ("BLS_CERTIFICATE", "image/png", "bls.png")):
        document = await Document.create(owner_id=account.id, kind=kind,
                                          content_type=content_type, size=2048,
                                          sha256="0" * 64, storage_key=f"key-{name}",
                                          original_name=name)
        await ApplicationDocument.create(application_id=application.id, document=document,
                                         kind=kind)
        documents.append(document)
    await Payment.create(application_id=application.id, provider="sandbox", method="MADA",
                         status="PAID", amount=160, idempotency_key=f"k-{application.id}",
                         paid_at=dt.datetime.now(dt.UTC))

    view = (await gql(client, REVIEW_APPLICATION, {"id": str(application.id)}, token=token,
                      lang="en"))["data"]["reviewApplication"]
    compared = {row["field"]: row for row in view["recordComparison"]}
    assert compared["rank"] == {"field": "rank", "snapshot": "Senior Registrar",
                                "current": "Consultant", "changed": True}
    assert compared["fullNameEn"]["changed"] is False
    assert compared["fullNameEn"]["current"] == "Sara Mohammed Ali Alqahtani"
    assert compared["registrationNumber"]["changed"] is True
    assert compared["dateOfBirth"]["changed"] is False
    assert view["snapshot"] == snapshot
    answers = {a["code"]: a for a in view["answers"]}
    assert answers["VALID_BLS"]["answer"] == "YES"
    assert answers["VALID_BLS"]["question"].startswith("Do you hold a valid Basic Life")
    assert answers["PRACTISING_IN_KINGDOM"]["answer"] is None
    assert [(d["name"], d["contentType"], d["size"]) for d in view["documents"]] == [
        ("letter.pdf", "application/pdf", 2048), ("bls.png", "image/png", 2048)]
    assert view["payments"][0]["status"] == "PAID"
    assert view["payments"][0]["amount"] == {"amount": "160.00", "currency": "SAR"}
    assert view["applicant"]["email"] == account.email
    missing = await gql(client, REVIEW_APPLICATION,
                        {"id": "00000000-0000-0000-0000-000000000000"}, token=token)
    assert missing["data"]["reviewApplication"] is None


async def test_review_application_costs_a_constant_number_of_queries(client, queries):
    _, token = await staff_session(email="reviewer@sijil.example")
    application = await submitted()
    for i in range(8):
        document = await Document.create(owner_id=application.applicant_id, kind="EVIDENCE",
                                          content_type="application/pdf", size=10,
                                          sha256="0" * 64, storage_key=f"q-{i}",
                                          original_name=f"{i}.pdf")
        await ApplicationDocument.create(application_id=application.id, document=document,
                                         kind="EVIDENCE")
    with queries() as counted:
        view = await gql(client, REVIEW_APPLICATION, {"id": str(application.id)}, token=token)
    assert len(view["data"]["reviewApplication"]["documents"]) == 8
    joined = [q for q in counted.queries if "application_document" in q]
    assert len(joined) == 1 and "document" in joined[0]
    # session, application, audit, then one batch each: record, registration, documents
    # (joined), payments, events, accounts.
    assert counted.count <= 10, counted.queries
    assert await AuditEntry.filter(action="application.viewed",
                                   target_id=str(application.id)).count() == 1


# ------------------------------------------------------------------ the pages

async def staff_browser(browser_like, settings, email="reviewer@sijil.example",
                        lang="en") -> Account:
    account, token = await staff_session(email=email)
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    return account


async def post(browser_like, path, data, htmx=False):
    return await browser_like.post(path, data={"csrf_token": csrf_of(browser_like), **data},
                                   headers={"hx-request": "true"} if htmx else {})


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_review_pages_render_for_staff_in_both_languages(browser_like, settings,
                                                                   lang):
    await staff_browser(browser_like, settings, lang=lang)
    renewal = await submitted("RENEWAL", days_ago=4)
    await submitted("CPD_RECOGNITION", days_ago=1)
    queue = await browser_like.get("/review")
    assert queue.status_code == 200
    assert f'lang="{lang}"' in queue.text
    words = {"en": ("Applications to review", "Take the next one", "Overdue", "Renewal"),
             "ar": ("الطلبات بانتظار المراجعة", "استلام الطلب التالي", "متأخر",
                    "تجديد التسجيل المهني")}[lang]
    for word in words:
        assert word in queue.text, word
    assert f"/review/{renewal.id}" in queue.text
    filtered = await browser_like.get("/review?kind=CPD_RECOGNITION&older=2&status=SUBMITTED")
    assert filtered.status_code == 200 and f"/review/{renewal.id}" not in filtered.text
    page = await browser_like.get(f"/review/{renewal.id}")
    assert page.status_code == 200
    for word in {"en": ("The record", "Documents", "Payments", "History", "Approve",
                        "Return for correction"),
                 "ar": ("سجل الممارس", "المستندات", "المدفوعات", "سجل الإجراءات", "اعتماد",
                        "إعادة للتصحيح")}[lang]:
        assert word in page.text, word
    assert (await browser_like.get("/review/not-an-id")).status_code == 404


async def test_the_review_pages_refuse_practitioners_and_send_strangers_to_sign_in(
        browser_like, settings):
    application = await submitted()
    anonymous = await browser_like.get("/review", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    anonymous = await browser_like.get(f"/review/{application.id}", follow_redirects=False)
    assert anonymous.status_code == 303
    account = await Account.get(id=application.applicant_id)
    browser_like.cookies.set(session_cookie_name(settings), await open_session(account))
    for path in ("/review", f"/review/{application.id}"):
        refused = await browser_like.get(path)
        assert refused.status_code == 403
    refused = await post(browser_like, "/review/next", {})
    assert refused.status_code == 403
    refused = await post(browser_like, f"/review/{application.id}/decide",
                         {"decision": "APPROVE"})
    assert refused.status_code == 403
    assert (await Application.get(id=application.id)).status == "SUBMITTED"


async def test_take_the_next_one_and_decide_through_the_pages(browser_like, settings):
    await staff_browser(browser_like, settings)
    cpd = await submitted("CPD_RECOGNITION", days_ago=5)  # older, but another kind
    first = await submitted("RENEWAL", days_ago=2)
    second = await submitted("RENEWAL", days_ago=1)
    taken = await post(browser_like, "/review/next", {"kind": "RENEWAL"})
    assert taken.status_code == 303
    assert taken.headers["location"] == f"/review/{first.id}?kind=RENEWAL"
    page = await browser_like.get(f"/review/{first.id}")
    assert "Give it back to the queue" in page.text

    # Returning needs the reason and what to fix: the form comes back with both errors.
    missing = await post(browser_like, f"/review/{first.id}/decide",
                         {"decision": "RETURN", "queueKind": "RENEWAL"},
                         htmx=True)
    assert missing.status_code == 422
    assert missing.text.lstrip().startswith("<form") and "data-error-summary" in missing.text
    assert 'href="#field-whatToFix"' in missing.text and 'href="#field-reason"' in missing.text
    assert (await Application.get(id=first.id)).status == "IN_REVIEW"

    done = await post(browser_like, f"/review/{first.id}/decide", {
        "decision": "RETURN", "reason": "The scan is unreadable.",
        "whatToFix": "Upload a clearer scan.", "queueKind": "RENEWAL"})
    assert done.status_code == 303
    # Straight on to the next one, already claimed.
    assert done.headers["location"].startswith(f"/review/{second.id}?")
    assert (await Application.get(id=first.id)).status == "RETURNED"
    assert (await Application.get(id=second.id)).status == "IN_REVIEW"
    following = await browser_like.get(done.headers["location"])
    assert "Decision saved" in following.text

    released = await post(browser_like, f"/review/{second.id}/release", {})
    assert released.status_code == 303 and released.headers["location"] == "/review?released=1"
    approved = await post(browser_like, f"/review/{second.id}/decide",
                          {"decision": "APPROVE", "queueKind": "RENEWAL"}, htmx=True)
    # No renewal left: back to the queue (htmx follows HX-Redirect, not a 3xx).
    assert approved.status_code == 200
    assert approved.headers["hx-redirect"] == "/review?kind=RENEWAL&decided=APPROVED"
    assert (await Application.get(id=second.id)).status == "APPROVED"
    nothing = await post(browser_like, "/review/next", {"kind": "RENEWAL"})
    assert nothing.headers["location"] == "/review?kind=RENEWAL&taken=none"
    assert "No application is waiting" in (await browser_like.get(
        nothing.headers["location"])).text
    any_kind = await post(browser_like, "/review/next", {})
    assert any_kind.headers["location"] == f"/review/{cpd.id}"


async def test_documents_show_in_the_viewer_beside_the_decision_and_images_inline(
        browser_like, settings):
    await staff_browser(browser_like, settings)
    application = await submitted()
    for kind, content_type, name in (("EVIDENCE", "application/pdf", "passport.pdf"),
                                     ("EVIDENCE", "image/jpeg", "photo.jpg")):
        document = await Document.create(owner_id=application.applicant_id, kind=kind,
                                          content_type=content_type, size=10,
                                          sha256="0" * 64, storage_key=f"p-{name}",
                                          original_name=name)
        await ApplicationDocument.create(application_id=application.id, document=document,
                                         kind=kind)
        if content_type.startswith("image/"):
            image = document
        else:
            pdf = document
    page = (await browser_like.get(f"/review/{application.id}")).text
    assert f'<img src="/documents/{image.id}?inline=1"' in page
    # PDFs open in the viewer beside the decision, not in a new tab (issue 21, point 11).
    assert f'href="/documents/{pdf.id}?inline=1" target="document-viewer"' in page
    assert (f'<iframe class="document-viewer" name="document-viewer" '
            f'src="/documents/{pdf.id}?inline=1"') in page
    assert f'href="/documents/{pdf.id}" download' in page
    assert 'target="_blank"' not in page


async def test_the_queue_page_costs_the_same_for_5_and_50_applications(
        browser_like, settings, queries):
    await staff_browser(browser_like, settings)
    counts = []
    for total in (5, 50):
        await Application.all().delete()
        for i in range(total):
            await submitted(days_ago=total - i)
        await browser_like.get("/review")  # the session is touched once, not counted
        with queries() as counted:
            response = await browser_like.get("/review")
        assert response.status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1], counts


async def test_a_classification_shows_the_proposed_rank_and_the_reviewer_grants_another(
        browser_like, settings):
    from server.models.practitioners import Qualification

    await staff_browser(browser_like, settings)
    practitioner, account = await practitioner_with_account()
    await Qualification.create(practitioner=practitioner, degree="MSc Internal Medicine",
                               institution="King Saud University", country="SA",
                               awarded_on=dt.date(2016, 6, 1),
                               verification_reference="DF-2016-778",
                               verification_outcome="POSITIVE")
    application = await submitted("CLASSIFICATION", practitioner=practitioner, account=account,
                                  data={"category": "PHYSICIAN",
                                        "specialty": "INTERNAL_MEDICINE", "level": "MASTER",
                                        "years_of_experience": 3,
                                        "proposed_rank": "REGISTRAR", "rank": "REGISTRAR"})
    page = await browser_like.get(f"/review/{application.id}")
    assert page.status_code == 200
    assert "Requested changes" in page.text and 'name="rank"' in page.text
    # What the rank rests on, as it stood when the application was sent.
    assert "Qualifications, experience, licences and CPD" in page.text
    assert "MSc Internal Medicine" in page.text and "DF-2016-778" in page.text
    assert "Verified" in page.text
    assert re.search(r'<option value="REGISTRAR"\s+selected', page.text)

    bad = await post(browser_like, f"/review/{application.id}/decide",
                     {"decision": "APPROVE", "rank": "NOT_A_RANK"}, htmx=True)
    assert bad.status_code == 422 and "Choose a rank of the category." in bad.text
    assert (await Application.get(id=application.id)).status == "IN_REVIEW"  # opened: claimed

    done = await post(browser_like, f"/review/{application.id}/decide",
                      {"decision": "APPROVE", "rank": "SENIOR_REGISTRAR"})
    assert done.status_code == 303, done.text[:300]
    decided = await Application.get(id=application.id)
    assert decided.status == "APPROVED" and decided.data["rank"] == "SENIOR_REGISTRAR"
    practitioner = await Practitioner.get(id=decided.practitioner_id)
    assert practitioner.rank == "SENIOR_REGISTRAR"
    audited = await AuditEntry.get(action="classification.rank_set")
    assert audited.details == {"proposed": "REGISTRAR", "rank": "SENIOR_REGISTRAR"}
