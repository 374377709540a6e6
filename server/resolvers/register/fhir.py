"""The public register as HL7 FHIR R4 (4.0.1), read only: Practitioner (read, search by
identifier, name, family, given, _count) and PractitionerRole (search by practitioner),
as the CapabilityStatement below says, and nothing more.

A resource's id is the registration number: the register's own public key, so no
internal id leaves the server. Resources carry the public register's data only (names
in both languages, gender, the registration); never identity numbers, birth dates or
contact details. Data comes through the register search (server/resolvers/register/
search.py): one statement a page, the same rate limit and cap on pages.
"""

from __future__ import annotations

from urllib.parse import urlencode

from server.domain import codes
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.domain.errors import DomainError
from server.domain.registry import RegistrationStatus
from server.i18n import gettext
from server.resolvers.register import search as register_search

FHIR_VERSION = "4.0.1"
# When what this server supports last changed: the CapabilityStatement's date.
CAPABILITY_DATE = "2026-12-03"
LANGUAGE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/language"
REGULATOR = "Sijil"
PRACTITIONER_PARAMS = ("identifier", "name", "family", "given", "_count", "_cursor")
ROLE_PARAMS = ("practitioner", "_cursor")
# Asking for JSON in FHIR's own words is fine; it is the only format served.
IGNORED_PARAMS = {"_format": ("json", "application/json", "application/fhir+json")}


class FhirError(Exception):
    """Answered as an OperationOutcome with this HTTP status and issue code."""

    def __init__(self, status: int, code: str, diagnostics: str,
                 retry_after: int | None = None) -> None:
        super().__init__(diagnostics)
        self.status, self.code, self.retry_after = status, code, retry_after
        self.diagnostics = diagnostics


def operation_outcome(error: FhirError) -> dict:
    return {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": error.code, "diagnostics": error.diagnostics}]}


def registration_system(base_url: str) -> str:
    return f"{base_url}/fhir/sid/registration-number"


def capability_statement(base_url: str) -> dict:
    string = "string"
    return {
        "resourceType": "CapabilityStatement", "status": "active", "date": CAPABILITY_DATE,
        "kind": "instance", "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json"],
        "software": {"name": "Sijil"},
        "implementation": {"description": "The public register of health practitioners, "
                                          "read only", "url": f"{base_url}/fhir"},
        "rest": [{
            "mode": "server",
            "documentation": "Public, read only, no authentication. Name searches are "
                             "rate-limited per address; at most 20 a page and 10 pages a "
                             "search. Unknown search parameters are refused (400).",
            "resource": [{
                "type": "Practitioner",
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [
                    {"name": "identifier", "type": "token", "documentation":
                     f"{registration_system(base_url)}|{{number}}, or the number alone"},
                    {"name": "name", "type": string, "documentation": "Every word starts a "
                     "part of the name, Arabic or English, in any order; 3 letters at least"},
                    {"name": "family", "type": string,
                     "documentation": "Every word starts a part of the family name"},
                    {"name": "given", "type": string,
                     "documentation": "Every word starts a given name (first, father's, "
                                      "grandfather's)"},
                    {"name": "_count", "type": "number", "documentation": "1 to 20"},
                ],
            }, {
                "type": "PractitionerRole",
                "interaction": [{"code": "search-type"}],
                "searchParam": [{"name": "practitioner", "type": "reference",
                                 "documentation": "Practitioner/{id} or the id alone"}],
            }],
        }],
    }


def _single(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise FhirError(400, "not-supported", f"{name} may be given once")
    return values[0] if values else None


def _check_params(params, allowed: tuple[str, ...]) -> None:
    for name in params:
        if name in IGNORED_PARAMS and params[name] in IGNORED_PARAMS[name]:
            continue
        if name not in allowed:
            raise FhirError(400, "not-supported", f"Search parameter not supported: {name}")


def _number_of(text: str | None) -> str | None:
    number = normalize_registration_number(text or "")
    return number if is_registration_number_like(number) else None


async def _run(ctx, wanted, *, count: int | None, cursor: str | None):
    try:
        return await register_search.search(ctx, wanted, first=count, after=cursor)
    except DomainError as error:
        raise _from_domain(error, ctx.lang) from None


def _from_domain(error: DomainError, lang: str) -> FhirError:
    problem = error.problems[0]
    message = gettext(lang, problem.msgid, **problem.params)
    if problem.code.value == "RATE_LIMITED":
        return FhirError(429, "throttled", message, problem.params.get("retry_after"))
    return FhirError(400, "invalid", f"{problem.field}: {message}")


async def search_practitioners(ctx, params, self_url: str) -> dict:
    """GET /fhir/Practitioner?…: a searchset Bundle."""
    _check_params(params, PRACTITIONER_PARAMS)
    base = ctx.settings.base_url
    count = _count(_single(params, "_count"))
    identifier = _single(params, "identifier")
    names = {n: _single(params, n) for n in ("name", "given", "family")}
    if identifier is not None:
        system, _, value = identifier.rpartition("|")
        number = _number_of(value)
        if system not in ("", registration_system(base)) or number is None:
            return _bundle([], self_url, None)  # another system's identifier: no match
        wanted = register_search.Criteria(number=number)
    elif any(names.values()):
        try:
            wanted = register_search.criteria(names["name"], given=names["given"],
                                              family=names["family"])
        except DomainError as error:
            raise _from_domain(error, ctx.lang) from None
    else:
        raise FhirError(400, "required", "Search by identifier, name, family or given: the "
                                         "register is not listed whole")
    page = await _run(ctx, wanted, count=count, cursor=_single(params, "_cursor"))
    resources = [practitioner(entry, base) for entry in page.entries]
    next_url = _next(self_url, params, page.end_cursor) if page.has_next_page else None
    return _bundle([(f"{base}/fhir/Practitioner/{r['id']}", r) for r in resources],
                   self_url, next_url)


async def read_practitioner(ctx, resource_id: str) -> dict:
    """GET /fhir/Practitioner/{id}; FhirError 404 when no registration has that number."""
    number = _number_of(resource_id)
    page = await _run(ctx, register_search.Criteria(number=number), count=1, cursor=None) \
        if number else None
    if not page or not page.entries:
        raise FhirError(404, "not-found", f"Practitioner/{resource_id} is not on the register")
    return practitioner(page.entries[0], ctx.settings.base_url)


async def search_roles(ctx, params, self_url: str) -> dict:
    """GET /fhir/PractitionerRole?practitioner={id}: a Bundle of at most one role."""
    _check_params(params, ROLE_PARAMS)
    reference = _single(params, "practitioner")
    if not reference:
        raise FhirError(400, "required", "practitioner is required")
    number = _number_of(reference.removeprefix("Practitioner/"))
    entries = (await _run(ctx, register_search.Criteria(number=number), count=1,
                          cursor=None)).entries if number else []
    base = ctx.settings.base_url
    return _bundle([(f"{base}/fhir/PractitionerRole/{r['id']}", r)
                    for r in (role(entry, base) for entry in entries)], self_url, None)


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise FhirError(400, "invalid", "_count must be a whole number from 1 to 100")
    return int(text)


def _next(self_url: str, params, cursor: str) -> str:
    kept = [(k, v) for k, v in params.multi_items() if k != "_cursor"]
    return f"{self_url.split('?')[0]}?{urlencode([*kept, ('_cursor', cursor)])}"


def _bundle(entries: list[tuple[str, dict]], self_url: str, next_url: str | None) -> dict:
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    return {"resourceType": "Bundle", "type": "searchset", "link": links,
            "entry": [{"fullUrl": url, "resource": resource, "search": {"mode": "match"}}
                      for url, resource in entries]}


def _coding(base: str, kind: str, code: str) -> dict:
    return {"system": f"{base}/fhir/CodeSystem/{kind}", "code": code,
            "display": codes.label(kind, code, "en") or code}


def _period(entry: dict) -> dict:
    return {"start": entry["valid_from"].isoformat(), "end": entry["valid_until"].isoformat()}


def practitioner(entry: dict, base: str) -> dict:
    number = entry["registration_number"]
    identifier = {"use": "official", "system": registration_system(base), "value": number}
    names = []
    for lang, full in (("ar", entry["full_name_ar"]), ("en", entry["full_name_en"])):
        parts = entry["names"][lang]
        name = {"extension": [{"url": LANGUAGE_EXTENSION, "valueCode": lang}],
                "use": "official", "text": full}
        if parts["family"]:
            name["family"] = parts["family"]
        given = [g for g in parts["given"] if g]
        if given:
            name["given"] = given
        names.append(name)
    resource = {
        "resourceType": "Practitioner", "id": number, "identifier": [identifier],
        "active": entry["status"] == RegistrationStatus.ACTIVE, "name": names,
        "qualification": [{
            "extension": [{"url": f"{base}/fhir/StructureDefinition/registration-status",
                           "valueCode": str(entry["status"])}],
            "identifier": [identifier],
            "code": {"coding": [_coding(base, "category", entry["category"]),
                                _coding(base, "rank", entry["rank"])]},
            "period": _period(entry),
            "issuer": {"identifier": {"system": "urn:ietf:rfc:3986", "value": base},
                       "display": REGULATOR},
        }],
    }
    gender = {"M": "male", "F": "female"}.get(entry.get("gender") or "")
    if gender:
        resource["gender"] = gender
    return resource


def role(entry: dict, base: str) -> dict:
    number = entry["registration_number"]
    return {
        "resourceType": "PractitionerRole", "id": f"{number}-role",
        "active": entry["status"] == RegistrationStatus.ACTIVE, "period": _period(entry),
        "practitioner": {"reference": f"Practitioner/{number}",
                         "display": entry["full_name_en"]},
        "code": [{"coding": [_coding(base, "category", entry["category"]),
                             _coding(base, "rank", entry["rank"])]}],
        "specialty": [{"coding": [_coding(base, "specialty", entry["specialty"])]}],
    }
