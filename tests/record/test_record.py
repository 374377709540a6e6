"""The practitioner's record over GraphQL: claiming, reading, keeping it current."""

import datetime as dt

import pytest

from server import clock
from server.models.applications import Application, ApplicationDocument
from server.models.practitioners import (
    CpdActivity,
    Experience,
    License,
    Practitioner,
    RecordChange,
)
from tests.builders import CLAIM, claimed_practitioner, errors_of, imported_record, upload
from tests.conftest import ROOT_CONTRACT, gql
from tests.journeys import signed_in_practitioner


def contract_op(name: str) -> str:
    return ROOT_CONTRACT.operation(name)



async def test_claiming_needs_all_three_details_and_then_sign_in_works_with_the_id(
        client, deliver, smtp_server, sms_gateway):
    from tests.journeys import sign_in

    practitioner = await imported_record()
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    wrong_birth = await gql(client, CLAIM, {"input": {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth": "1985-04-13"}}, token=token)
    assert errors_of(wrong_birth["data"]["claimPractitionerRecord"]) == {None: "NOT_FOUND"}
    right = await gql(client, CLAIM, {"input": {
        "registrationNumber": "24-r-٠٠٠٠١٠١", "identityNumber": "١٠٠٠٠٠٠٠٠٨",
        "dateOfBirth": "1985-04-12"}}, token=token)
    payload = right["data"]["claimPractitionerRecord"]
    assert payload["errors"] == []
    assert payload["practitioner"]["registrationNumber"] == "24-R-0000101"
    assert (await Practitioner.get(id=practitioner.id)).account_id is not None
    await RecordChange.get(practitioner_id=practitioner.id, what="RECORD_CLAIMED")

    from server.models.accounts import OneTimeCode

    await OneTimeCode.all().update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    assert await sign_in(client, deliver, sms_gateway, "1000000008")


async def test_five_failed_claims_a_day_then_rate_limited(client, deliver, smtp_server,
                                                         sms_gateway):
    await imported_record()
    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    attempt = {"input": {"registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
                         "dateOfBirth": "1990-01-01"}}
    for _ in range(5):
        body = await gql(client, CLAIM, attempt, token=token)
        assert errors_of(body["data"]["claimPractitionerRecord"]) == {None: "NOT_FOUND"}
    body = await gql(client, CLAIM, attempt, token=token)
    assert errors_of(body["data"]["claimPractitionerRecord"]) == {None: "RATE_LIMITED"}


async def test_a_record_claimed_by_one_account_cannot_be_claimed_by_another(
        client, deliver, smtp_server, sms_gateway):
    from server.models.audit import AuditEntry

    await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    _, other = await signed_in_practitioner(
        client, deliver, smtp_server, sms_gateway, email="omar@example.com",
        emailConfirmation="omar@example.com", mobile="0559876543", firstName="Omar")
    body = await gql(client, CLAIM, {"input": {
        "registrationNumber": "24-R-0000101", "identityNumber": "1000000008",
        "dateOfBirth": "1985-04-12"}}, token=other)
    [error] = body["data"]["claimPractitionerRecord"]["errors"]
    assert error["code"] == "NOT_ALLOWED" and "Contact support" in error["message"]
    assert await AuditEntry.filter(action="claim.conflict").count() == 1


async def test_my_practitioner_shows_the_record_with_identity_masked(client, deliver,
                                                                    smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    body = await gql(client, contract_op("MyPractitioner"), token=token)
    p = body["data"]["me"]["practitioner"]
    assert p["fullNameEn"] == "Sara Mohammed Ali Alqahtani"
    assert p["fullNameAr"] == "سارة محمد علي القحطاني"
    assert p["identityNumber"].endswith("0008") and "100000" not in p["identityNumber"]
    assert p["registration"]["status"] == "ACTIVE"
    assert p["cpd"]["requiredHours"] == 90  # a consultant physician, 3 years × 30
    assert p["cpd"]["earnedHours"] == 0


async def test_experience_add_edit_remove_with_field_errors(client, deliver, smtp_server,
                                                            sms_gateway):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    certificate = await upload(client, token)
    add = contract_op("AddExperience")
    good = {"city": "Riyadh", "country": "SA", "workplace": "King Fahad Medical City",
            "specialty": "Internal Medicine", "jobDescription": "Consultant",
            "startDate": "2019-01-01", "endDate": None, "organizationType": "GOVERNMENT",
            "certificateId": certificate}
    added = (await gql(client, add, {"input": good}, token=token))["data"]["addExperience"]
    assert added["errors"] == [] and added["experience"]["endDate"] is None

    reversed_dates = {**good, "startDate": "2015-01-01", "endDate": "2014-01-01"}
    bad = (await gql(client, add, {"input": reversed_dates}, token=token))["data"]["addExperience"]
    assert errors_of(bad)["endDate"] == "INVALID"
    overlapping = {**good, "startDate": "2020-01-01", "endDate": "2020-12-31"}
    bad = (await gql(client, add, {"input": overlapping}, token=token))["data"]["addExperience"]
    assert errors_of(bad) == {"startDate": "INVALID"}
    assert "King Fahad Medical City" in bad["errors"][0]["message"]
    unknown_country = {**good, "startDate": "2010-01-01", "endDate": "2012-01-01",
                       "country": "XX"}
    bad = (await gql(client, add, {"input": unknown_country}, token=token))["data"]["addExperience"]
    assert errors_of(bad) == {"country": "INVALID"}

    update = contract_op("UpdateExperience")
    changed = (await gql(client, update, {"input": {
        "id": added["experience"]["id"], "endDate": "2024-06-30"}}, token=token)
    )["data"]["updateExperience"]
    assert changed["errors"] == [] and changed["experience"]["endDate"] == "2024-06-30"

    removed = (await gql(client, contract_op("RemoveExperience"), {"input": {
        "id": added["experience"]["id"]}}, token=token))["data"]["removeExperience"]
    assert removed["removedId"] == added["experience"]["id"]
    assert await Experience.filter(practitioner_id=practitioner.id).count() == 0
    whats = [c.what for c in await RecordChange.filter(practitioner_id=practitioner.id)]
    assert {"EXPERIENCE_ADDED", "EXPERIENCE_CHANGED", "EXPERIENCE_REMOVED"} <= set(whats)


async def test_another_practitioners_entries_are_not_found(client, deliver, smtp_server,
                                                           sms_gateway):
    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    certificate = await upload(client, token)
    added = (await gql(client, contract_op("AddExperience"), {"input": {
        "city": "Jeddah", "country": "SA", "workplace": "KAUH", "specialty": "IM",
        "startDate": "2018-01-01", "organizationType": "UNIVERSITY",
        "certificateId": certificate}}, token=token))["data"]["addExperience"]
    await imported_record(number="24-R-0000202", identity="1000000016")
    _, other = await signed_in_practitioner(
        client, deliver, smtp_server, sms_gateway, email="omar@example.com",
        emailConfirmation="omar@example.com", mobile="0559876543", firstName="Omar")
    await gql(client, CLAIM, {"input": {"registrationNumber": "24-R-0000202",
                                        "identityNumber": "1000000016",
                                        "dateOfBirth": "1985-04-12"}}, token=other)
    for op, field in (("RemoveExperience", "removeExperience"),
                      ("UpdateExperience", "updateExperience")):
        body = await gql(client, contract_op(op), {"input": {"id": added["experience"]["id"]}},
                         token=other)
        assert errors_of(body["data"][field]) == {"id": "NOT_FOUND"}
    stolen = await gql(client, contract_op("AddExperience"), {"input": {
        "city": "Jeddah", "country": "SA", "workplace": "X", "specialty": "IM",
        "startDate": "2018-01-01", "organizationType": "PRIVATE",
        "certificateId": certificate}}, token=other)
    assert errors_of(stolen["data"]["addExperience"]) == {"certificateId": "NOT_FOUND"}


async def test_a_licence_must_be_current_and_have_its_document(client, deliver, smtp_server,
                                                               sms_gateway):
    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    add = contract_op("AddLicense")
    expired = {"specialty": "Internal Medicine", "expiryDate": "2020-01-01", "country": "AE",
               "authority": "DHA", "referenceNumber": "DHA-123"}
    body = (await gql(client, add, {"input": expired}, token=token))["data"]["addLicense"]
    assert errors_of(body) == {"expiryDate": "INVALID", "documentId": "REQUIRED"}
    document = await upload(client, token, kind="LICENSE")
    future = (clock.today() + dt.timedelta(days=400)).isoformat()
    body = (await gql(client, add, {"input": {**expired, "expiryDate": future,
                                              "documentId": document}}, token=token)
            )["data"]["addLicense"]
    assert body["errors"] == [] and body["license"]["referenceNumber"] == "DHA-123"

    # Changed: the fields sent change, the others (the document among them) stay.
    update = """mutation($input: UpdateLicenseInput!) { updateLicense(input: $input) {
        license { id authority referenceNumber expiryDate document { id } }
        errors { field code message } } }"""
    changed = (await gql(client, update, {"input": {
        "id": body["license"]["id"], "referenceNumber": "DHA-456"}}, token=token)
    )["data"]["updateLicense"]
    assert changed["errors"] == []
    assert changed["license"] == {"id": body["license"]["id"], "authority": "DHA",
                                  "referenceNumber": "DHA-456", "expiryDate": future,
                                  "document": {"id": document}}
    expired_now = (await gql(client, update, {"input": {
        "id": body["license"]["id"], "expiryDate": "2020-01-01", "documentId": None}},
        token=token))["data"]["updateLicense"]
    assert errors_of(expired_now) == {"expiryDate": "INVALID", "documentId": "REQUIRED"}
    assert (await License.get(id=body["license"]["id"])).reference_number == "DHA-456"
    assert await RecordChange.filter(what="LICENSE_CHANGED").count() == 1

    removed = (await gql(client, contract_op("RemoveLicense"), {"input": {
        "id": body["license"]["id"]}}, token=token))["data"]["removeLicense"]
    assert removed["removedId"] == body["license"]["id"]


async def test_a_cpd_activity_creates_its_recognition_application(client, deliver,
                                                                   smtp_server, sms_gateway):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    certificate = await upload(client, token, kind="CPD_CERTIFICATE")
    body = (await gql(client, contract_op("SubmitCpdActivity"), {"input": {
        "title": "Advanced Cardiac Life Support", "provider": "Saudi Heart Association",
        "accreditationNumber": "SCFHS-1234", "hours": 8, "completedOn": "2025-10-01",
        "certificateId": certificate}}, token=token))["data"]["submitCpdActivity"]
    assert body["errors"] == []
    assert body["activity"]["status"] == "SUBMITTED" and body["activity"]["hours"] == "8"
    assert body["application"]["kind"] == "CPD_RECOGNITION"
    assert body["application"]["status"] == "AWAITING_PAYMENT"  # 50 SAR recognition fee
    app = await Application.get(id=body["application"]["id"])
    assert app.fee == 50
    assert await ApplicationDocument.filter(application_id=app.id).count() == 1
    activity = await CpdActivity.get(practitioner_id=practitioner.id)
    assert activity.application_id == app.id

    mine = await gql(client, contract_op("MyApplications"), {"first": 10}, token=token)
    [edge] = mine["data"]["myApplications"]["edges"]
    assert edge["node"]["kind"] == "CPD_RECOGNITION"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("hours", 0, "INVALID"), ("hours", 1.1, "INVALID"), ("hours", 500, "INVALID"),
    ("completedOn", "2999-01-01", "INVALID"), ("title", "", "REQUIRED"),
])
async def test_cpd_bad_input(client, deliver, smtp_server, sms_gateway, field, value, code):
    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    certificate = await upload(client, token, kind="CPD_CERTIFICATE")
    good = {"title": "ACLS", "provider": "SHA", "hours": 8, "completedOn": "2025-10-01",
            "certificateId": certificate}
    body = (await gql(client, contract_op("SubmitCpdActivity"),
                      {"input": {**good, field: value}}, token=token))["data"]
    assert errors_of(body["submitCpdActivity"]).get(field) == code


async def test_a_personal_data_change_changes_nothing_until_approved(client, deliver,
                                                                     smtp_server, sms_gateway):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    evidence = await upload(client, token, kind="EVIDENCE")
    op = contract_op("RequestPersonalDataChange")
    body = (await gql(client, op, {"input": {
        "registrationNumber": "24-R-0000101",
        "changes": {"familyNameEn": "Al-Qahtani", "firstNameAr": "سارّة"},
        "documentIds": [evidence], "note": "Passport spelling"}}, token=token)
    )["data"]["requestPersonalDataChange"]
    assert body["errors"] == []
    assert body["application"] == {"id": body["application"]["id"],
                                   "kind": "PERSONAL_DATA_CHANGE", "status": "SUBMITTED"}
    unchanged = await Practitioner.get(id=practitioner.id)
    assert unchanged.family_name_en == "Alqahtani"
    app = await Application.get(id=body["application"]["id"])
    assert app.data["changes"]["familyNameEn"] == "Al-Qahtani"

    wrong_number = (await gql(client, op, {"input": {
        "registrationNumber": "24-R-0000999", "changes": {"familyNameEn": "X"},
        "documentIds": [evidence]}}, token=token))["data"]["requestPersonalDataChange"]
    assert errors_of(wrong_number)["registrationNumber"] == "MISMATCH"
    latin_in_arabic = (await gql(client, op, {"input": {
        "registrationNumber": "24-R-0000101", "changes": {"firstNameAr": "Sara"},
        "documentIds": [evidence]}}, token=token))["data"]["requestPersonalDataChange"]
    assert errors_of(latin_in_arabic) == {"changes.firstNameAr": "INVALID"}


async def test_my_practitioner_runs_at_most_six_queries_however_long_the_record(
        client, deliver, smtp_server, sms_gateway, queries):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    from server.models.practitioners import License

    for i in range(20):
        await Experience.create(practitioner=practitioner, city="Riyadh", country="SA",
                                workplace=f"Hospital {i}", specialty="IM",
                                start_date=dt.date(2000 + i, 1, 1),
                                end_date=dt.date(2000 + i, 12, 31), organization_type="PRIVATE")
    for i in range(10):
        await License.create(practitioner=practitioner, specialty="IM", country="AE",
                             expiry_date=dt.date(2030, 1, 1), authority="DHA",
                             reference_number=f"L{i}")
    for i in range(50):
        await CpdActivity.create(practitioner=practitioner, title=f"Course {i}", provider="P",
                                 hours=2, completed_on=clock.today() - dt.timedelta(days=i),
                                 status="RECOGNISED", recognised_hours=2)
    with queries() as counted:
        body = await gql(client, contract_op("MyPractitioner"), token=token)
    p = body["data"]["me"]["practitioner"]
    assert len(p["experiences"]) == 20 and len(p["licenses"]) == 10
    assert p["cpd"]["earnedHours"] == 100
    assert counted.count <= 6, counted.queries



async def test_a_new_password_may_not_hold_the_identity_number_of_the_claimed_record(
        client, deliver, smtp_server, sms_gateway):
    from tests.journeys import PASSWORD

    _, token, _ = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    change = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) {
        errors { field code message } } }"""
    new = "quiet river 1000000008"  # the record's identity number (tests/record_helpers.py)
    body = (await gql(client, change, {"input": {
        "currentPassword": PASSWORD, "newPassword": new, "newPasswordConfirmation": new}},
        token=token))["data"]["changePassword"]
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("newPassword", "TOO_WEAK")]
    from server.i18n import gettext
    from server.resolvers.accounts.signup import PASSWORD_MESSAGES

    assert body["errors"][0]["message"] in {gettext(lang, PASSWORD_MESSAGES["PERSONAL"])
                                            for lang in ("ar", "en")}
    fine = "quiet river 5550001234"
    body = (await gql(client, change, {"input": {
        "currentPassword": PASSWORD, "newPassword": fine, "newPasswordConfirmation": fine}},
        token=token))["data"]["changePassword"]
    assert body["errors"] == []


async def test_a_qualification_needs_its_certificate_and_verification_reference(
        client, deliver, smtp_server, sms_gateway):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    add = """mutation($input: AddQualificationInput!) { addQualification(input: $input) {
        qualification { id degree verificationReference verificationOutcome status }
        errors { field code message } } }"""
    future = (clock.today() + dt.timedelta(days=10)).isoformat()
    bad = (await gql(client, add, {"input": {
        "degree": "MSc Internal Medicine", "institution": "King Saud University",
        "country": "XX", "awardedOn": future}}, token=token))["data"]["addQualification"]
    assert errors_of(bad) == {"country": "INVALID", "verificationReference": "REQUIRED",
                              "awardedOn": "INVALID", "certificateId": "REQUIRED"}
    certificate = await upload(client, token, kind="QUALIFICATION_CERTIFICATE")
    good = (await gql(client, add, {"input": {
        "degree": "MSc Internal Medicine", "institution": "King Saud University",
        "country": "SA", "awardedOn": "2016-06-01", "verificationReference": "DF-2016-778",
        "certificateId": certificate}}, token=token))["data"]["addQualification"]
    assert good["errors"] == []
    assert good["qualification"] == {
        "id": good["qualification"]["id"], "degree": "MSc Internal Medicine",
        "verificationReference": "DF-2016-778", "verificationOutcome": "PENDING",
        "status": "RECORDED"}
    listed = (await gql(client, "{ me { practitioner { qualifications { degree "
                                "verificationOutcome } } } }", token=token)
              )["data"]["me"]["practitioner"]["qualifications"]
    assert listed == [{"degree": "MSc Internal Medicine", "verificationOutcome": "PENDING"}]
    assert await RecordChange.exists(practitioner_id=practitioner.id,
                                     what="QUALIFICATION_ADDED")
