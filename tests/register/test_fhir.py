"""The FHIR R4 interface: every resource served is validated with fhir.resources (its R4B
models, the same as R4 for these resources), and carries public register data only."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from server.clock import today
from tests.register.helpers import registered

FHIR = "application/fhir+json"
SYSTEM = "http://127.0.0.1:8000/fhir/sid/registration-number"
MODELS = {"Practitioner": Practitioner, "PractitionerRole": PractitionerRole}


async def fhir_get(client, path: str, status: int = 200, **params) -> dict:
    response = await client.get(path, params=params, headers={"accept": FHIR})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR)
    body = response.json()
    model = {"Bundle": Bundle, "CapabilityStatement": CapabilityStatement,
             "OperationOutcome": OperationOutcome, **MODELS}[body["resourceType"]]
    model.model_validate(body)  # raises on anything R4 does not allow
    if body["resourceType"] == "Bundle":
        for entry in body.get("entry", []):
            MODELS[entry["resource"]["resourceType"]].model_validate(entry["resource"])
    return body


async def test_the_capability_statement_says_exactly_what_is_supported(client):
    body = await fhir_get(client, "/fhir/metadata")
    assert body["fhirVersion"] == "4.0.1" and body["format"] == [FHIR]
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(resources) == {"Practitioner", "PractitionerRole"}
    assert [i["code"] for i in resources["Practitioner"]["interaction"]] == ["read",
                                                                              "search-type"]
    assert {p["name"] for p in resources["Practitioner"]["searchParam"]} == {
        "identifier", "name", "family", "given", "_count"}
    assert [i["code"] for i in resources["PractitionerRole"]["interaction"]] == ["search-type"]
    assert [p["name"] for p in resources["PractitionerRole"]["searchParam"]] == ["practitioner"]


async def test_a_practitioner_has_both_names_the_registration_and_nothing_private(client):
    person = await registered(number="25-R-0004321", father_ar="عبد الله",
                              father_en="Abdullah")
    body = await fhir_get(client, "/fhir/Practitioner/25-R-0004321")
    assert body["id"] == "25-R-0004321" and body["active"] is True
    assert body["identifier"] == [{"use": "official", "system": SYSTEM,
                                   "value": "25-R-0004321"}]
    arabic, english = body["name"]
    assert arabic["extension"][0]["valueCode"] == "ar" and arabic["family"] == "القحطاني"
    assert arabic["given"] == ["محمد", "عبد الله"]
    assert english["text"] == "Mohammed Abdullah Al-Qahtani"
    assert english["extension"][0]["valueCode"] == "en"
    assert body["gender"] == "male"
    [qualification] = body["qualification"]
    assert qualification["period"]["start"] == "2025-03-01"
    assert [c["code"] for c in qualification["code"]["coding"]] == ["PHYSICIAN", "CONSULTANT"]
    assert qualification["extension"][0]["valueCode"] == "ACTIVE"
    assert qualification["issuer"]["display"]
    text = str(body)
    assert person.identity_number not in text and "1984" not in text
    assert "birthDate" not in body and "telecom" not in body and "address" not in body


async def test_a_suspended_registration_is_inactive_with_its_status(client):
    await registered(number="25-R-0000001", suspended=True)
    await registered(number="25-R-0000002", valid_until=today() - dt.timedelta(days=1))
    suspended = await fhir_get(client, "/fhir/Practitioner/25-R-0000001")
    expired = await fhir_get(client, "/fhir/Practitioner/25-R-0000002")
    assert suspended["active"] is False and expired["active"] is False
    assert suspended["qualification"][0]["extension"][0]["valueCode"] == "SUSPENDED"
    assert expired["qualification"][0]["extension"][0]["valueCode"] == "EXPIRED"


async def test_an_unknown_practitioner_is_a_404_operation_outcome(client):
    body = await fhir_get(client, "/fhir/Practitioner/25-R-9999999", status=404)
    assert body["issue"][0]["code"] == "not-found"
    await fhir_get(client, "/fhir/Practitioner/not a number", status=404)


async def test_search_by_identifier_with_or_without_the_system(client):
    await registered(number="25-R-0004321")
    await registered(number="25-R-0004322")
    for identifier in (f"{SYSTEM}|25-R-0004321", "25-r-0004321"):
        body = await fhir_get(client, "/fhir/Practitioner", identifier=identifier)
        assert [e["resource"]["id"] for e in body["entry"]] == ["25-R-0004321"]
        assert body["type"] == "searchset"
    other = await fhir_get(client, "/fhir/Practitioner",
                           identifier="http://other.example/ids|25-R-0004321")
    assert other["entry"] == []


async def test_search_by_name_family_and_given_with_bundle_paging(client):
    for _ in range(3):
        await registered()
    await registered("يوسف", "الحربي", "Youssef", "Al-Harbi", number="25-R-0000100")
    by_name = await fhir_get(client, "/fhir/Practitioner", name="Yusuf Alharbi")
    assert [e["resource"]["id"] for e in by_name["entry"]] == ["25-R-0000100"]
    assert (await fhir_get(client, "/fhir/Practitioner", family="Yusuf"))["entry"] == []
    assert len((await fhir_get(client, "/fhir/Practitioner", given="يوسف"))["entry"]) == 1
    assert len((await fhir_get(client, "/fhir/Practitioner", family="القحطاني",
                               given="Muhammad"))["entry"]) == 3

    first = await fhir_get(client, "/fhir/Practitioner", name="Mohamed", _count="2")
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert links["self"].startswith("http://127.0.0.1:8000/fhir/Practitioner?")
    assert "_cursor=" in links["next"] and "_count=2" in links["next"]
    second = await client.get(links["next"].removeprefix("http://127.0.0.1:8000"))
    rest = second.json()
    Bundle.model_validate(rest)
    assert len(first["entry"]) == 2 and len(rest["entry"]) == 1
    assert not any(link["relation"] == "next" for link in rest["link"])


async def test_bad_searches_are_operation_outcomes(client):
    assert (await fhir_get(client, "/fhir/Practitioner", 400))["issue"][0]["code"] == "required"
    short = await fhir_get(client, "/fhir/Practitioner", 400, name="ab")
    assert short["issue"][0]["code"] == "invalid" and "3" in short["issue"][0]["diagnostics"]
    unknown = await fhir_get(client, "/fhir/Practitioner", 400, birthdate="1984-07-19")
    assert unknown["issue"][0]["code"] == "not-supported"
    await fhir_get(client, "/fhir/Practitioner", 400, name="Mohammed", _count="0")
    await fhir_get(client, "/fhir/PractitionerRole", 400)
    assert (await fhir_get(client, "/fhir/Practitioner", name="Mohammed",
                           _format="json"))["entry"] == []


async def test_practitioner_role_has_category_specialty_rank_and_period(client):
    await registered(number="25-R-0004321", category="NURSE", specialty="NURSING",
                     rank="NURSE")
    for reference in ("Practitioner/25-R-0004321", "25-R-0004321"):
        body = await fhir_get(client, "/fhir/PractitionerRole", practitioner=reference)
        [entry] = body["entry"]
        role = entry["resource"]
        assert role["practitioner"]["reference"] == "Practitioner/25-R-0004321"
        assert [c["code"] for c in role["code"][0]["coding"]] == ["NURSE", "NURSE"]
        assert role["specialty"][0]["coding"][0]["code"] == "NURSING"
        assert role["period"]["start"] == "2025-03-01" and role["active"] is True
    none = await fhir_get(client, "/fhir/PractitionerRole", practitioner="25-R-0000000")
    assert none["entry"] == []


async def test_name_searches_share_the_register_search_rate_limit(client, settings):
    person = await registered()
    for _ in range(settings.register_searches_per_minute):
        await client.get("/fhir/Practitioner", params={"name": "Mohammed"})
    body = await fhir_get(client, "/fhir/Practitioner", 429, name="Mohammed")
    assert body["issue"][0]["code"] == "throttled"
    # A read by number is not a name search: it stays open, as verifyPractitioner does.
    number = (await person.registration).number
    await fhir_get(client, f"/fhir/Practitioner/{number}")
