"""The public register search behind `searchRegister`, /verify and FHIR's Practitioner
search: names in Arabic or English (server/domain/name_search.py) or a registration number.

One SQL statement a page, whatever its size: the registration joined to the practitioner,
matched through the name index (full text on PostgreSQL, FTS5 on SQLite, migration 0006),
ordered by registration number with a keyset cursor. It reads only the public register's
columns (and gender, for FHIR): identity numbers, birth dates and contact details never
leave the database on this path. Abuse is bounded by a page size of 20, a cap of
MAX_PAGES pages a query, and a per-address rate limit.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections

from server.clock import today
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.domain.errors import DomainError
from server.domain.name_search import FAMILY, GIVEN, query_terms
from server.domain.registry import RegistrationStatus
from server.i18n import N_
from server.resolvers.kernel import limits
from server.resolvers.kernel.caller import Caller
from server.resolvers.register.lookup import public_entry

PAGE_SIZE = 20
MAX_PAGES = 10
RATE_WINDOW = dt.timedelta(minutes=1)
_NAMES = [f"{part}_name_{lang}" for part in ("first", "father", "grandfather", "family")
          for lang in ("ar", "en")]
# Column names only, no input: the values are always placeholders.
_SELECT = ("SELECT r.number, r.rank, r.specialty, r.valid_from, r.valid_until, "  # noqa: S608
           "r.suspended, "
           "p.category, p.gender, " + ", ".join(f"p.{n} AS p_{n}" for n in _NAMES)
           + " FROM registration r JOIN practitioner p ON p.id = r.practitioner_id")


@dataclass
class SearchPage:
    entries: list[dict] = field(default_factory=list)  # PublicEntry + "gender", "names"
    cursors: list[str] = field(default_factory=list)  # one an entry: the page after it
    has_next_page: bool = False
    end_cursor: str | None = None
    # More matched than the cap on pages lets anyone read: the query should be narrower.
    capped: bool = False


@dataclass
class Criteria:
    """What to look for: name terms (already reduced), or one registration number."""

    terms: list[str] = field(default_factory=list)
    number: str | None = None
    category: str | None = None
    specialty: str | None = None
    status: str | None = None


def criteria(query: str | None = None, *, given: str | None = None, family: str | None = None,
             category: str | None = None, specialty: str | None = None,
             status: str | None = None) -> Criteria:
    """Reduces what was typed; a name under three letters raises INVALID on its field."""
    found = Criteria(category=category or None, specialty=specialty or None,
                     status=status or None)
    query = (query or "").strip()
    number = normalize_registration_number(query)
    # Imported numbers may be any letters and digits: one with a digit is a number, else
    # "MUHAMMAD" would be one too.
    if is_registration_number_like(number) and any(c.isdigit() for c in number):
        found.number = number
        return found
    for name, text, mark in (("query", query, ""), ("given", given, GIVEN),
                             ("family", family, FAMILY)):
        if not (text or "").strip():
            continue
        try:
            found.terms += query_terms(text, mark)
        except ValueError:
            raise DomainError("INVALID", name, N_("Type at least 3 letters of a name, or a "
                                                  "registration number.")) from None
    if not found.terms:
        raise DomainError("INVALID", "query", N_("Type at least 3 letters of a name, or a "
                                                 "registration number."))
    return found


async def search(ctx: Caller, wanted: Criteria, *, first: int | None = None,
                 after: str | None = None, page_size: int = PAGE_SIZE) -> SearchPage:
    """A page of the register matching `wanted`, for anyone (no account needed); name
    searches are rate-limited per address (`ctx.ip`)."""
    settings = ctx.settings
    size = min(first or page_size, page_size)
    if first is not None and not 1 <= first <= 100:
        raise DomainError("INVALID", "first", N_("Ask for between 1 and 100 results."))
    page, last = _read_cursor(settings.secret_key, after)
    if page > MAX_PAGES:
        return SearchPage(capped=True)
    if not wanted.number:
        # A number finds one entry, as verifyPractitioner does; names are what could be
        # used to read the register out, so they are what is limited.
        await limits.limit(f"register-search:{ctx.ip}", settings.register_searches_per_minute,
                              RATE_WINDOW, "query")
    sql, params = _statement(wanted, last, size + 1)
    rows = await connections.get("default").execute_query_dict(sql, params)
    on = today()
    entries, more = [_hit(row, on) for row in rows[:size]], len(rows) > size
    cursors = [_cursor(settings.secret_key, page + 1, e["registration_number"])
               for e in entries]
    has_next = more and page < MAX_PAGES
    return SearchPage(entries=entries, cursors=cursors, has_next_page=has_next,
                      end_cursor=cursors[-1] if has_next else None,
                      capped=more and page >= MAX_PAGES)


def _statement(wanted: Criteria, after_number: str | None, limit: int) -> tuple[str, list]:
    postgres = connections.get("default").capabilities.dialect == "postgres"
    params: list[Any] = []

    def param(value) -> str:
        params.append(value)
        return f"${len(params)}" if postgres else "?"

    if wanted.number:
        where = [f"r.number = {param(wanted.number)}"]
    elif postgres:
        # The full-text GIN index of migration 0006: `term:*` is "a token starting with".
        # Terms are letters and digits only (name_search.py): safe in a tsquery.
        query = " & ".join(f"{term}:*" for term in wanted.terms)
        where = [f"to_tsvector('simple', p.name_search) @@ to_tsquery('simple', "
                 f"{param(query)})"]
    else:
        # Terms are letters and digits only (name_search.py), so quoting is safe.
        match = " AND ".join(f'"{term}"*' for term in wanted.terms)
        where = ["p.id IN (SELECT practitioner_id FROM practitioner_name_fts "  # noqa: S608
                 f"WHERE practitioner_name_fts MATCH {param(match)})"]
    if wanted.category:
        where.append(f"p.category = {param(wanted.category)}")
    if wanted.specialty:
        where.append(f"r.specialty = {param(wanted.specialty)}")
    if wanted.status == RegistrationStatus.SUSPENDED:
        where.append(f"r.suspended = {param(True)}")
    elif wanted.status in (RegistrationStatus.ACTIVE, RegistrationStatus.EXPIRED):
        operator = ">=" if wanted.status == RegistrationStatus.ACTIVE else "<"
        where.append(f"r.suspended = {param(False)} AND r.valid_until {operator} "
                     f"{param(today() if postgres else today().isoformat())}")
    if after_number:
        where.append(f"r.number > {param(after_number)}")
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY r.number LIMIT {param(limit)}"
    return sql, params


def explain_statement(wanted: Criteria) -> tuple[str, list]:
    """The statement of a first page, for the benchmark's EXPLAIN."""
    return _statement(wanted, None, PAGE_SIZE + 1)


def _hit(row: dict, on: dt.date) -> dict:
    # SQLite answers raw statements with text dates and integer booleans.
    for key in ("valid_from", "valid_until"):
        if isinstance(row[key], str):
            row[key] = dt.date.fromisoformat(row[key])
    row["suspended"] = bool(row["suspended"])
    names = {lang: {"family": row[f"p_family_name_{lang}"],
                    "given": [row[f"p_{part}_name_{lang}"] for part in ("first", "father",
                                                                        "grandfather")]}
             for lang in ("ar", "en")}
    # Gender and the name's parts are for FHIR's Practitioner; the register's pages and
    # searchRegister show the full names only.
    return {**public_entry(row, on), "gender": row["gender"], "names": names}


def _cursor(secret: str, page: int, number: str) -> str:
    body = f"{page}|{number}"
    return base64.urlsafe_b64encode(f"{body}|{_sign(secret, body)}".encode()).decode()


def _read_cursor(secret: str, cursor: str | None) -> tuple[int, str | None]:
    """(page number, last registration number seen). Cursors are signed: a made-up one
    could otherwise restart the page count and read past the cap."""
    if not cursor:
        return 1, None
    try:
        page, number, signature = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        if hmac.compare_digest(signature, _sign(secret, f"{page}|{number}")):
            return int(page), number
    except (ValueError, UnicodeDecodeError):
        pass
    raise DomainError("INVALID", "after", N_("This page of results is no longer available. "
                                             "Search again."))


def _sign(secret: str, body: str) -> str:
    return hmac.new(f"register-search|{secret}".encode(), body.encode(),
                    hashlib.sha256).hexdigest()[:24]
