"""Issue 21, the review flow: a return for correction answered for every kind
(ResubmitApplication), the whole record compared, "take the next one" keeping its kind,
opening an application claiming it (and a decision on another's claim refused), search
(FindApplications) and a practitioner's whole file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from server.domain.applications import ApplicationKind
from server.models.accounts import Account
from server.models.applications import Application, ApplicationEvent
from server.models.audit import AuditEntry
from server.models.certificates import Certificate
from server.models.payments import Payment
from server.models.practitioners import CpdActivity, Practitioner, Qualification, RecordChange
from server.resolvers.accounts.sessions import open_session
from server.resolvers.kernel.corrections import points_of
from tests.builders import errors_of, op, staff_session, upload
from tests.conftest import gql
from tests.review.test_review import (
    decide,
    post,
    practitioner_with_account,
    staff_browser,
    submitted,
)

CLAIM_ONE = """mutation Claim($input: ClaimApplicationInput!) {
  claimApplication(input: $input) {
    application { id status claimedBy claimedByMe }
    errors { field code message }
  }
}"""
MINE = """query Mine($id: ID!) {
  myApplication(id: $id) {
    id status fee { amount }
    correction { reason points answers resubmittedAt addedDocumentIds }
    correctableFields { field value }
  }
}"""
REVIEWED = """query Reviewed($id: ID!) {
  reviewApplication(id: $id) {
    id status claimedBy
    recordEntries { section title before after reference }
    correction { points answers }
    changesSinceReturn {
      record { field snapshot current }
      entries { section title before after }
      details { field before requested }
      addedDocuments
    }
  }
}"""
FILE = """query File($id: ID!) {
  practitionerFile(id: $id) {
    practitioner { fullNameEn }
    applications { id kind status }
    payments { applicationId applicationKind status amount { amount } }
    certificates { code kind revoked }
    history { what }
  }
}"""


async def applicant_token(application: Application) -> str:
    return await open_session(await Account.get(id=application.applicant_id))


async def resubmit(client, token, application_id, answers, documents=(), changes=()):
    body = await gql(client, op("ResubmitApplication"), {"input": {
        "applicationId": str(application_id), "answers": list(answers),
        "documentIds": list(documents), "changes": list(changes)}}, token=token)
    assert "errors" not in body, body
    return body["data"]["resubmitApplication"]


# ------------------------------------------------------------------ 1: no dead-end return

def test_what_to_fix_is_split_into_points_one_a_line():
    assert points_of("1. Upload a clear scan\n\n- Add the end date\n• Sign it\n٢. التوقيع") == \
        ["Upload a clear scan", "Add the end date", "Sign it", "التوقيع"]
    assert points_of("") == []
    assert len(points_of("\n".join(f"point {n}" for n in range(40)))) == 20


@pytest.mark.parametrize("kind", [k.value for k in ApplicationKind])
async def test_a_returned_application_of_every_kind_is_answered_and_back_in_the_queue(
        client, kind):
    _, reviewer = await staff_session()
    application = await submitted(kind, days_ago=2)
    await Application.filter(id=application.id).update(fee=Decimal("100.00"))
    returned = await decide(client, reviewer, application.id, "RETURN", "Two things.",
                            whatToFix="1. Upload a clearer scan\n2. Say where you trained")
    assert returned["errors"] == [] and returned["application"]["status"] == "RETURNED"
    token = await applicant_token(application)
    mine = (await gql(client, MINE, {"id": str(application.id)}, token=token)
            )["data"]["myApplication"]
    assert mine["correction"]["points"] == ["Upload a clearer scan", "Say where you trained"]
    assert mine["correction"]["answers"] is None

    # Every point needs its answer; nothing is saved meanwhile.
    missing = await resubmit(client, token, application.id, ["Uploaded."])
    assert errors_of(missing) == {"answers.1": "REQUIRED"}
    assert "Answer point 2" in missing["errors"][0]["message"]
    assert (await Application.get(id=application.id)).status == "RETURNED"

    document = await upload(client, token, "EVIDENCE")
    done = await resubmit(client, token, application.id,
                          ["Uploaded a clearer scan.", "At King Fahd Hospital."], [document])
    assert done["errors"] == [] and done["application"]["status"] == "SUBMITTED"
    row = await Application.get(id=application.id)
    assert row.fee == Decimal("100.00") and not await Payment.exists(application_id=row.id)
    events = await ApplicationEvent.filter(application_id=row.id).order_by("id")
    assert [e.to_status for e in events][-2:] == ["RETURNED", "SUBMITTED"]
    queue = await gql(client, op("ReviewQueue"), {"first": 50, "kind": kind}, token=reviewer)
    assert str(row.id) in [e["node"]["id"] for e in queue["data"]["reviewQueue"]["edges"]]

    mine = (await gql(client, MINE, {"id": str(application.id)}, token=token)
            )["data"]["myApplication"]
    assert mine["correction"]["answers"] == ["Uploaded a clearer scan.",
                                             "At King Fahd Hospital."]
    assert mine["correction"]["addedDocumentIds"] == [document]
    seen = (await gql(client, REVIEWED, {"id": str(row.id)}, token=reviewer)
            )["data"]["reviewApplication"]
    assert seen["changesSinceReturn"]["addedDocuments"] == [document]
    assert await AuditEntry.exists(action="application.resubmitted", target_id=str(row.id))

    # Once answered, it cannot be sent again until another return.
    again = await resubmit(client, token, application.id, ["x", "y"])
    assert errors_of(again) == {None: "INVALID_STATE"}


async def test_the_reviewer_sees_what_changed_since_the_return(client):
    _, reviewer = await staff_session()
    practitioner, account = await practitioner_with_account()
    application = await submitted("TRAINING_CERTIFICATE", practitioner=practitioner,
                                  account=account,
                                  data={"programme": "Residncy", "institution": "KFSH"})
    await decide(client, reviewer, application.id, "RETURN", "Check the programme.",
                 whatToFix="Correct the programme's name\nAdd your MSc to your record")
    await Qualification.create(practitioner=practitioner, degree="MSc Medical Education",
                               institution="KSU", country="SA", awarded_on=dt.date(2019, 6, 1))
    token = await open_session(account)
    mine = (await gql(client, MINE, {"id": str(application.id)}, token=token)
            )["data"]["myApplication"]
    assert {f["field"]: f["value"] for f in mine["correctableFields"]} == {
        "programme": "Residncy", "institution": "KFSH"}
    refused = await resubmit(client, token, application.id, ["Done", "Done"],
                             changes=[{"field": "fee", "value": "0"}])
    assert errors_of(refused) == {"fee": "INVALID"}
    done = await resubmit(client, token, application.id, ["Corrected.", "Added."],
                          changes=[{"field": "programme", "value": "Residency"},
                                   {"field": "institution", "value": "KFSH"}])
    assert done["errors"] == []
    assert (await Application.get(id=application.id)).data["programme"] == "Residency"
    since = (await gql(client, REVIEWED, {"id": str(application.id)}, token=reviewer)
             )["data"]["reviewApplication"]["changesSinceReturn"]
    assert since["details"] == [{"field": "programme", "before": "Residncy",
                                 "requested": "Residency"}]
    assert since["entries"] == [{"section": "QUALIFICATIONS", "title": "MSc Medical Education",
                                 "before": False, "after": True}]
    assert since["record"] == [] and since["addedDocuments"] == []


async def test_only_the_applicant_resubmits_and_only_a_returned_application(client):
    _, reviewer = await staff_session()
    application = await submitted("GOOD_STANDING")
    other = await submitted("GOOD_STANDING")
    stranger = await applicant_token(other)
    await decide(client, reviewer, application.id, "RETURN", "Unclear.", whatToFix="Explain")
    assert errors_of(await resubmit(client, stranger, application.id, ["x"])) == {
        "applicationId": "NOT_FOUND"}
    assert errors_of(await resubmit(client, stranger, other.id, ["x"])) == {
        None: "INVALID_STATE"}
    assert errors_of(await resubmit(client, reviewer, application.id, ["x"])) == {
        "applicationId": "NOT_FOUND"}


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_applicant_corrects_a_returned_application_through_the_pages(
        browser_like, client, settings, lang):
    from server.context import session_cookie_name

    _, reviewer = await staff_session()
    application = await submitted("RECLASSIFICATION", data={"note": "board", "rank": "X"})
    await decide(client, reviewer, application.id, "RETURN", "Missing evidence.",
                 whatToFix="- Attach the board certificate\n- Explain the gap in 2019")
    browser_like.cookies.set(session_cookie_name(settings), await applicant_token(application))
    browser_like.cookies.set("lang", lang)
    detail = await browser_like.get(f"/applications/{application.id}")
    assert f'href="/applications/{application.id}/resubmit"' in detail.text
    page = await browser_like.get(f"/applications/{application.id}/resubmit")
    assert page.status_code == 200 and f'lang="{lang}"' in page.text
    assert "Attach the board certificate" in page.text and 'name="answer-1"' in page.text
    words = {"en": ("Correct and send back", "There is no second fee"),
             "ar": ("تصحيح الطلب وإعادة إرساله", "لا رسوم إضافية")}[lang]
    for word in words:
        assert word in page.text, word
    half = await post(browser_like, f"/applications/{application.id}/resubmit",
                      {"answer-0": "Attached.", "note": "board"})
    assert half.status_code == 422 and 'href="#field-answer-1"' in half.text
    assert "Attached." in half.text  # what was typed is kept
    done = await post(browser_like, f"/applications/{application.id}/resubmit",
                      {"answer-0": "Attached.", "answer-1": "I was on leave.",
                       "note": "board, updated"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/applications/{application.id}?done=resubmit"
    row = await Application.get(id=application.id)
    assert row.status == "SUBMITTED" and row.data["note"] == "board, updated"
    shown = await browser_like.get(done.headers["location"])
    assert {"en": "sent back for review", "ar": "أُعيد إرسال طلبك"}[lang] in shown.text


async def test_the_review_page_shows_the_points_answered_and_the_changes(browser_like,
                                                                        client, settings):
    reviewer_account = await staff_browser(browser_like, settings)
    application = await submitted("CPD_RECOGNITION")
    token = await open_session(reviewer_account)
    await decide(client, token, application.id, "RETURN", "Hours unclear.",
                 whatToFix="State the hours per day")
    await resubmit(client, await applicant_token(application), application.id,
                   ["Six hours a day, two days."])
    page = await browser_like.get(f"/review/{application.id}")
    assert "Corrected after the return" in page.text
    assert "State the hours per day" in page.text and "Six hours a day, two days." in page.text
    assert "Nothing on the record or the application changed since the return" in page.text


# ------------------------------------------------------------------ 2: the whole record

async def test_the_whole_record_is_compared_frozen_against_now(client, browser_like,
                                                               settings):
    reviewer_account = await staff_browser(browser_like, settings)
    token = await open_session(reviewer_account)
    practitioner, account = await practitioner_with_account()
    await CpdActivity.create(practitioner=practitioner, title="ACLS refresher",
                             provider="SCFHS", hours=Decimal(8), status="RECOGNISED",
                             completed_on=dt.date.today() - dt.timedelta(days=30))
    gone = await Qualification.create(practitioner=practitioner, degree="Diploma",
                                      institution="KAU", country="SA",
                                      awarded_on=dt.date(2012, 6, 1))
    application = await submitted("CLASSIFICATION", practitioner=practitioner,
                                  account=account, data={"category": "PHYSICIAN"})
    assert [c["title"] for c in application.snapshot["cpd"]] == ["ACLS refresher"]
    await Qualification.create(practitioner=practitioner, degree="MSc Internal Medicine",
                               institution="KSU", country="SA", awarded_on=dt.date(2018, 6, 1),
                               verification_reference="DF-2018-1")
    await gone.delete()
    rows = (await gql(client, REVIEWED, {"id": str(application.id)}, token=token)
            )["data"]["reviewApplication"]["recordEntries"]
    by_title = {r["title"]: r for r in rows}
    assert (by_title["MSc Internal Medicine"]["before"],
            by_title["MSc Internal Medicine"]["after"]) == (False, True)
    assert by_title["MSc Internal Medicine"]["reference"] == "DF-2018-1"
    assert (by_title["Diploma"]["before"], by_title["Diploma"]["after"]) == (True, False)
    assert (by_title["ACLS refresher"]["section"], by_title["ACLS refresher"]["before"]) == \
        ("CPD", True)
    page = await browser_like.get(f"/review/{application.id}")
    assert "MSc Internal Medicine" in page.text and "Added since submission" in page.text
    assert "Gone since submission" in page.text and "ACLS refresher" in page.text
    assert "No qualification was on the record" not in page.text


async def test_a_snapshot_without_a_section_compares_nothing_for_it(client):
    _, token = await staff_session()
    practitioner, account = await practitioner_with_account()
    application = await submitted("RENEWAL", practitioner=practitioner, account=account)
    old = dict(application.snapshot)
    del old["cpd"]
    await Application.filter(id=application.id).update(snapshot=old)
    await CpdActivity.create(practitioner=practitioner, title="BLS", provider="AHA",
                             hours=Decimal(4), completed_on=dt.date.today())
    rows = (await gql(client, REVIEWED, {"id": str(application.id)}, token=token)
            )["data"]["reviewApplication"]["recordEntries"]
    assert [(r["title"], r["before"]) for r in rows if r["section"] == "CPD"] == [("BLS", None)]


# ------------------------------------------------------------------ 4: the kind is kept

async def test_take_the_next_one_of_a_kind_keeps_the_kind_to_the_next(browser_like,
                                                                      settings):
    await staff_browser(browser_like, settings)
    await submitted("CPD_RECOGNITION", days_ago=9)  # the oldest, of another kind
    first = await submitted("REGISTRATION", days_ago=3)
    second = await submitted("REGISTRATION", days_ago=2)
    taken = await post(browser_like, "/review/next", {"kind": "REGISTRATION"})
    assert taken.headers["location"] == f"/review/{first.id}?kind=REGISTRATION"
    page = await browser_like.get(taken.headers["location"])
    assert '<input type="hidden" name="queueKind" value="REGISTRATION">' in page.text
    assert 'href="/review?kind=REGISTRATION"' in page.text
    done = await post(browser_like, f"/review/{first.id}/decide",
                      {"decision": "REJECT", "reason": "Not eligible.",
                       "queueKind": "REGISTRATION"})
    assert done.headers["location"].startswith(f"/review/{second.id}?kind=REGISTRATION")


# ------------------------------------------------------------------ 5: one reviewer at a time

async def test_opening_an_application_claims_it_and_releases_the_one_held(client):
    first_reviewer, a_token = await staff_session(email="first.reviewer@sijil.example")
    _, b_token = await staff_session(email="second.reviewer@sijil.example")
    one, two = await submitted("RENEWAL", days_ago=2), await submitted("RENEWAL", days_ago=1)
    body = await gql(client, CLAIM_ONE, {"input": {"applicationId": str(one.id)}},
                     token=a_token)
    got = body["data"]["claimApplication"]["application"]
    assert (got["status"], got["claimedByMe"]) == ("IN_REVIEW", True)
    # Another reviewer opening it is told who holds it; nothing changes.
    body = await gql(client, CLAIM_ONE, {"input": {"applicationId": str(one.id)}},
                     token=b_token)
    got = body["data"]["claimApplication"]["application"]
    assert (got["claimedBy"], got["claimedByMe"]) == ("first.reviewer@sijil.example", False)
    # A decision on it by the other is refused, naming the holder.
    refused = await decide(client, b_token, one.id, "APPROVE")
    assert errors_of(refused) == {None: "NOT_ALLOWED"}
    assert "first.reviewer@sijil.example" in refused["errors"][0]["message"]
    assert (await Application.get(id=one.id)).status == "IN_REVIEW"
    # Opening another gives the first back to the queue.
    await gql(client, CLAIM_ONE, {"input": {"applicationId": str(two.id)}}, token=a_token)
    one_now, two_now = await Application.get(id=one.id), await Application.get(id=two.id)
    assert (one_now.status, one_now.claimed_by_id) == ("SUBMITTED", None)
    assert (two_now.status, two_now.claimed_by_id) == ("IN_REVIEW", first_reviewer.id)
    assert await AuditEntry.exists(action="application.released", target_id=str(one.id))


async def test_the_loser_of_a_race_is_told_who_decided_what(client):
    _, a_token = await staff_session(email="winner@sijil.example")
    _, b_token = await staff_session()
    application = await submitted("GOOD_STANDING")
    won = await decide(client, a_token, application.id, "APPROVE")  # unclaimed: claimed and
    assert won["errors"] == []                                       # decided at once
    lost = await decide(client, b_token, application.id, "REJECT", "Sanction pending.")
    assert errors_of(lost) == {None: "INVALID_STATE"}
    assert "winner@sijil.example approved this application" in lost["errors"][0]["message"]
    arabic = await gql(client, op("DecideApplication"), {"input": {
        "applicationId": str(application.id), "decision": "REJECT", "reason": "x"}},
        token=b_token, lang="ar")
    message = arabic["data"]["decideApplication"]["errors"][0]["message"]
    assert "winner@sijil.example" in message and "اعتمد" in message


async def test_a_failed_decision_leaves_no_claim_behind(client):
    _, token = await staff_session()
    application = await submitted("RENEWAL")
    refused = await decide(client, token, application.id, "REJECT", "")  # no reason
    assert errors_of(refused) == {"reason": "REQUIRED"}
    row = await Application.get(id=application.id)
    assert (row.status, row.claimed_by_id) == ("SUBMITTED", None)


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_loser_keeps_their_text_and_sees_the_decision(browser_like, client,
                                                                settings, lang):
    await staff_browser(browser_like, settings, lang=lang)
    _, other = await staff_session(email="quick.reviewer@sijil.example")
    application = await submitted("RENEWAL")
    page = await browser_like.get(f"/review/{application.id}")  # opened: mine
    assert (await Application.get(id=application.id)).status == "IN_REVIEW"
    # My claim lapses; the other reviewer takes and approves it meanwhile.
    await Application.filter(id=application.id).update(
        claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    assert (await decide(client, other, application.id, "APPROVE"))["errors"] == []
    lost = await post(browser_like, f"/review/{application.id}/decide", {
        "decision": "RETURN", "reason": "The letter is old.",
        "whatToFix": "Upload a letter from this month."}, htmx=True)
    assert lost.status_code == 422
    assert lost.headers["hx-retarget"] == "main" and lost.headers["hx-reselect"] == "main"
    assert "quick.reviewer@sijil.example" in lost.text
    assert "The letter is old." in lost.text and "Upload a letter from this month." in lost.text
    assert {"en": "What you wrote (not saved)", "ar": "ما كتبته (لم يُحفظ)"}[lang] in lost.text
    assert {"en": "Approved", "ar": "مقبول"}[lang] in lost.text
    assert page.status_code == 200


async def test_looking_from_search_does_not_claim(browser_like, settings):
    await staff_browser(browser_like, settings)
    application = await submitted("RENEWAL")
    assert (await browser_like.get(f"/review/{application.id}?look=1")).status_code == 200
    assert (await Application.get(id=application.id)).status == "SUBMITTED"
    cross = await browser_like.get(f"/review/{application.id}",
                                   headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code in (200, 403)
    assert (await Application.get(id=application.id)).status == "SUBMITTED"


# ------------------------------------------------------------------ search and the file

async def test_find_applications_by_name_number_or_reference_in_any_status(client):
    _, token = await staff_session()
    practitioner, account = await practitioner_with_account()
    await Practitioner.filter(id=practitioner.id).update(
        first_name_en="Noura", family_name_en="Alzahrani", first_name_ar="نورة",
        family_name_ar="الزهراني")
    old = await submitted("RENEWAL", days_ago=40, practitioner=practitioner, account=account)
    await Application.filter(id=old.id).update(status="APPROVED")
    new = await submitted("GOOD_STANDING", practitioner=practitioner, account=account)
    await submitted("RENEWAL")  # someone else
    registration = await practitioner.registration

    async def found(query, **extra):
        body = await gql(client, op("FindApplications"), {"query": query, **extra},
                         token=token)
        assert "errors" not in body, body
        return body["data"]["findApplications"]

    both = [str(new.id), str(old.id)]  # newest first, any status
    for query in ("noura alz", "Alzahrani", "نورة الزهر", practitioner.identity_number,
                  registration.number, registration.number.lower()):
        assert [e["node"]["id"] for e in (await found(query))["edges"]] == both, query
    reference = (await Application.get(id=new.id)).reference
    by_reference = await found(reference.lower())
    assert [e["node"]["reference"] for e in by_reference["edges"]] == [reference]
    page = await found("Alzahrani", first=1)
    assert page["pageInfo"]["hasNextPage"]
    rest = await found("Alzahrani", first=1, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == [str(old.id)]
    assert (await found("Nobody Atall"))["edges"] == []
    short = await gql(client, op("FindApplications"), {"query": " a "}, token=token)
    assert short["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await AuditEntry.exists(action="application.searched")

    applicant_token = await open_session(account)
    refused = await gql(client, op("FindApplications"), {"query": "Alzahrani"},
                        token=applicant_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_practitioner_file_holds_the_record_applications_payments_certificates(
        client):
    _, token = await staff_session()
    practitioner, account = await practitioner_with_account()
    application = await submitted("GOOD_STANDING", practitioner=practitioner, account=account)
    await Payment.create(application=application, provider="sandbox", method="MADA",
                         status="PAID", amount=Decimal("100.00"), idempotency_key="rf-file-1")
    await Certificate.create(code="SJ-RFLW-0001", kind="GOOD_STANDING",
                             practitioner=practitioner, application=application)
    await RecordChange.create(practitioner=practitioner, actor_id=account.id,
                              what="EXPERIENCE_ADDED", changes={"workplace": "KFMC"})
    body = await gql(client, FILE, {"id": str(practitioner.id)}, token=token)
    file = body["data"]["practitionerFile"]
    assert file["practitioner"]["fullNameEn"].startswith("Sara")
    assert [a["id"] for a in file["applications"]] == [str(application.id)]
    assert file["payments"] == [{"applicationId": str(application.id),
                                 "applicationKind": "GOOD_STANDING", "status": "PAID",
                                 "amount": {"amount": "100.00"}}]
    assert file["certificates"] == [{"code": "SJ-RFLW-0001", "kind": "GOOD_STANDING",
                                     "revoked": False}]
    assert [h["what"] for h in file["history"]] == ["EXPERIENCE_ADDED"]
    assert await AuditEntry.exists(action="practitioner.file_viewed",
                                   target_id=str(practitioner.id))
    nobody = await gql(client, FILE, {"id": "00000000-0000-0000-0000-000000000000"},
                       token=token)
    assert nobody["data"]["practitionerFile"] is None


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_search_and_file_pages_for_staff(browser_like, settings, lang):
    await staff_browser(browser_like, settings, lang=lang)
    practitioner, account = await practitioner_with_account()
    application = await submitted("RENEWAL", practitioner=practitioner, account=account)
    empty = await browser_like.get("/review/find")
    assert empty.status_code == 200 and 'name="q"' in empty.text
    found = await browser_like.get(f"/review/find?q={practitioner.identity_number}")
    assert found.status_code == 200 and f"/review/{application.id}?look=1" in found.text
    assert f"/review/practitioners/{practitioner.id}" in found.text
    none = await browser_like.get("/review/find?q=Zzzznobody")
    assert {"en": "No application found", "ar": "لم يُعثر على طلب"}[lang] in none.text
    short = await browser_like.get("/review/find?q=a")
    assert "field-q-error" in short.text
    file = await browser_like.get(f"/review/practitioners/{practitioner.id}")
    assert file.status_code == 200 and f'lang="{lang}"' in file.text
    for word in {"en": ("Practitioner's file", "Applications", "Payments", "Certificates"),
                 "ar": ("ملف الممارس", "الطلبات", "المدفوعات", "الشهادات")}[lang]:
        assert word in file.text, word
    assert (await browser_like.get("/review/practitioners/nope")).status_code == 404
    assert (await Application.get(id=application.id)).status == "SUBMITTED"  # looked, not claimed


async def test_the_search_and_file_pages_refuse_practitioners(browser_like, settings):
    from server.context import session_cookie_name

    practitioner, account = await practitioner_with_account()
    browser_like.cookies.set(session_cookie_name(settings), await open_session(account))
    for path in ("/review/find?q=Sara", f"/review/practitioners/{practitioner.id}"):
        assert (await browser_like.get(path)).status_code == 403
