"""Races: the same request twice (or from two people) at once changes things exactly once.
These run in both passes of `make test`; on PostgreSQL the requests really run on separate
connections of the pool. (Twenty identical payment callbacks at once: tests/test_renewal.py;
two outbox workers on PostgreSQL: tests/test_outbox.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from server import clock
from server.models.accounts import Account
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.audit import AuditEntry
from server.models.practitioners import CpdActivity, Practitioner
from server.resolvers.accounts.sessions import open_session
from tests.builders import imported_record
from tests.conftest import gql
from tests.security.conftest import staff_actor, stored_document

ERRORS = "errors { field code message }"
SUBMIT = f"""mutation($id: ID) {{ submitRenewal(input: {{renewalId: $id}}) {{
  renewal {{ id status }} {ERRORS} }} }}"""
START = f"""mutation {{ startRenewal(input: {{years: 1}}) {{ renewal {{ id }} {ERRORS} }} }}"""
DECIDE = f"""mutation($id: ID, $d: Decision) {{ decideApplication(input: {{applicationId: $id,
  decision: $d, reason: "Checked."}}) {{ application {{ id status }} {ERRORS} }} }}"""
CLAIM = f"""mutation($n: String, $i: String, $b: Date) {{ claimPractitionerRecord(input: {{
  registrationNumber: $n, identityNumber: $i, dateOfBirth: $b}}) {{
  practitioner {{ id }} {ERRORS} }} }}"""
CLAIM_NEXT = f"""mutation {{ claimNextApplication(input: {{}}) {{
  application {{ id }} {ERRORS} }} }}"""


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def ready_renewal(settings, world) -> str:
    """A's renewal, answered, with its documents and enough CPD hours: ready to submit."""
    a = world.a
    await CpdActivity.create(practitioner=a.practitioner, title="Conference", provider="SHA",
                             hours=Decimal(90), recognised_hours=Decimal(90),
                             completed_on=clock.today() - dt.timedelta(days=10),
                             status="RECOGNISED")
    renewal = await Application.get(id=a.ids["renewal"])
    renewal.data = {"answers": {"PRACTISING_IN_KINGDOM": "YES", "DISCIPLINARY_ACTION": "NO",
                                "VALID_BLS": "YES"}}
    await renewal.save()
    for kind in ("EMPLOYER_LETTER", "BLS_CERTIFICATE"):
        document = await stored_document(settings, a.account, kind)
        await ApplicationDocument.create(application=renewal, document=document, kind=kind)
    return str(renewal.id)


async def test_two_submits_at_once_one_awaits_payment_the_other_is_invalid_state(
        client, settings, world):
    renewal_id = await ready_renewal(settings, world)
    first, second = await asyncio.gather(*[
        gql(client, SUBMIT, {"id": renewal_id}, token=world.a.token) for _ in range(2)])
    payloads = [first["data"]["submitRenewal"], second["data"]["submitRenewal"]]
    won = [p for p in payloads if not p["errors"]]
    lost = [p for p in payloads if p["errors"]]
    assert len(won) == 1 and won[0]["renewal"]["status"] == "AWAITING_PAYMENT", payloads
    assert len(lost) == 1 and codes(lost[0]) == ["INVALID_STATE"], payloads
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"
    assert await ApplicationEvent.filter(application_id=renewal_id,
                                         to_status="AWAITING_PAYMENT").count() == 1


async def test_two_starts_at_once_open_one_renewal(client, world):
    await Application.filter(id=world.a.ids["renewal"]).delete()
    results = await asyncio.gather(*[gql(client, START, token=world.a.token)
                                     for _ in range(2)])
    payloads = [r["data"]["startRenewal"] for r in results]
    assert sum(1 for p in payloads if not p["errors"]) == 1, payloads
    assert [codes(p) for p in payloads if p["errors"]] == [["INVALID_STATE"]], payloads
    assert await Application.filter(practitioner_id=world.a.practitioner.id,
                                     kind="RENEWAL").count() == 1


async def test_two_reviewers_deciding_one_application_at_once_one_wins(client, world):
    other = await staff_actor("second", "REVIEWER")
    target = world.a.ids["submitted"]
    results = await asyncio.gather(
        gql(client, DECIDE, {"id": target, "d": "REJECT"}, token=world.reviewer.token),
        gql(client, DECIDE, {"id": target, "d": "RETURN"}, token=other.token))
    payloads = [r["data"]["decideApplication"] for r in results]
    won = [p for p in payloads if not p["errors"]]
    assert len(won) == 1, payloads
    [lost] = [p for p in payloads if p["errors"]]
    assert codes(lost)[0] in ("INVALID_STATE", "NOT_ALLOWED"), payloads
    final = await Application.get(id=target)
    assert final.status == won[0]["application"]["status"]
    assert await ApplicationEvent.filter(application_id=target).exclude(
        to_status__in=("SUBMITTED", "IN_REVIEW")).count() == 1


async def test_two_accounts_claiming_one_record_at_once_one_is_linked(client, clean_db):
    practitioner = await imported_record(number="24-R-0000303", identity="1000000024")
    tokens = []
    for email in ("first@example.com", "second@example.com"):
        account = await Account.create(email=email, mobile="+966551234567", first_name="X",
                                       family_name="Y", password_hash="-", status="ACTIVE")
        tokens.append(await open_session(account))
    variables = {"n": "24-R-0000303", "i": "1000000024",
                 "b": practitioner.date_of_birth.isoformat()}
    results = await asyncio.gather(*[gql(client, CLAIM, variables, token=t) for t in tokens])
    payloads = [r["data"]["claimPractitionerRecord"] for r in results]
    assert sum(1 for p in payloads if not p["errors"]) == 1, payloads
    assert [codes(p) for p in payloads if p["errors"]] == [["NOT_ALLOWED"]], payloads
    linked = await Practitioner.get(id=practitioner.id)
    assert linked.account_id is not None
    assert await AuditEntry.filter(action="claim.succeeded").count() == 1


async def test_two_reviewers_taking_the_next_application_at_once_get_different_ones(
        client, world):
    other = await staff_actor("second", "REVIEWER")
    results = await asyncio.gather(gql(client, CLAIM_NEXT, token=world.reviewer.token),
                                   gql(client, CLAIM_NEXT, token=other.token))
    taken = [r["data"]["claimNextApplication"]["application"] for r in results]
    ids = [t["id"] for t in taken if t]
    # The queue holds more than one application: each reviewer gets one, not the same.
    assert len(ids) == 2 and len(set(ids)) == 2, taken


async def test_paying_twice_at_once_makes_one_open_payment(client, world):
    target = world.a.ids["awaiting"]
    pay = f"""mutation($id: ID) {{ payApplication(input: {{applicationId: $id, method: SADAD}})
      {{ payment {{ id }} {ERRORS} }} }}"""
    results = await asyncio.gather(*[gql(client, pay, {"id": target}, token=world.a.token)
                                     for _ in range(5)])
    from server.models.payments import Payment

    payloads = [r["data"]["payApplication"] for r in results]
    made = [p["payment"]["id"] for p in payloads if p["payment"]]
    assert made, payloads
    # Paying again sets the earlier open payment aside (EXPIRED): whatever the order, one
    # stays open, made by one of the calls.
    open_ids = await Payment.filter(application_id=target, status="INITIATED") \
        .values_list("id", flat=True)
    assert len(open_ids) == 1 and str(open_ids[0]) in made, (open_ids, payloads)
    assert await Payment.filter(application_id=target, status="EXPIRED").count() \
        == len(made) - 1


async def test_a_second_application_of_a_kind_at_once_is_refused(client, world):
    await Application.filter(applicant_id=world.a.account.id, kind="GOOD_STANDING").delete()
    apply = f"mutation {{ applyForGoodStandingCertificate {{ {ERRORS} }} }}"
    await asyncio.gather(*[gql(client, apply, token=world.a.token) for _ in range(5)])
    assert await Application.filter(applicant_id=world.a.account.id,
                                    kind="GOOD_STANDING").count() == 1

