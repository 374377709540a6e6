"""The public register search behind `searchRegister`, /verify and FHIR's Practitioner
search: names in Arabic or English (server/domain/name_search.py) or a registration number.

One SQL statement a page, whatever its size (on PostgreSQL a name takes two: its terms'
whole terms, then the page): the registration joined to the practitioner, matched through
the name index, ordered by registration number with a keyset cursor. SQLite matches through
FTS5 (migration 0010). PostgreSQL matches through the posting list of migration 0017
(`_posting_statement`; at 1,000,000 practitioners see S9 in docs/performance.md), and
through the full-text index of migrations 0010–0012 only for a query term that starts too
many stored terms (`_postgres_names`). It reads only the
public register's columns (and gender, for FHIR): identity numbers, birth dates and contact
details never leave the database on this path. Abuse is bounded by a page size of 20, a cap of
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
from tortoise.transactions import in_transaction

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
# For PostgreSQL's name search, in its transaction (see `search`).
SESSION = "SET LOCAL max_parallel_workers_per_gather = 0"
# The posting list's statement reads a few index pages when its terms are merged in number
# order and stops at the page's end; the planner, costing whole ranges, would rather hash
# them (reading every posting of a common name) and compile the statement (JIT, 30 ms). Its
# plan is made for its own terms, never a generic one for any term (a rare and a common name
# want different plans; planning takes well under a millisecond).
POSTING_SESSION = (SESSION + "; SET LOCAL jit = off; SET LOCAL enable_hashagg = off; "
                   "SET LOCAL enable_hashjoin = off; "
                   "SET LOCAL plan_cache_mode = force_custom_plan")
_NAMES = [f"{part}_name_{lang}" for part in ("first", "father", "grandfather", "family")
          for lang in ("ar", "en")]
# Column names only, no input: the values are always placeholders.
_PERSON = ["category", "gender", *_NAMES]
_COLUMNS = ("r.number, r.rank, r.specialty, r.valid_from, r.valid_until, r.suspended, "
            "p.category, p.gender, " + ", ".join(f"p.{n} AS p_{n}" for n in _NAMES))
# Column names only, no input: the values are always placeholders.
_SELECT = (f"SELECT {_COLUMNS} FROM registration r "  # noqa: S608
           "JOIN practitioner p ON p.id = r.practitioner_id")

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
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres" and not wanted.number:
        # Parallel workers start before the branch not taken is skipped (a few ms each,
        # for nothing): a page is read by one process.
        async with in_transaction() as connection:
            session, sql, params = await _postgres_statement(connection, wanted, last, size + 1)
            await connection.execute_script(session)
            rows = await connection.execute_query_dict(sql, params) if sql else []
    else:
        sql, params = _statement(wanted, last, size + 1)
        rows = await connection.execute_query_dict(sql, params)
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

    # The leading condition's placeholders come first: SQLite's `?` are positional.
    if wanted.number:
        lead = f"r.number = {param(wanted.number)}"
    elif not postgres:
        # Terms are letters and digits only (name_search.py), so quoting is safe.
        match = " AND ".join(f'"{term}"*' for term in wanted.terms)
        lead = ("p.id IN (SELECT practitioner_id FROM practitioner_name_fts "  # noqa: S608
                f"WHERE practitioner_name_fts MATCH {param(match)})")
    # Filters on the person and on the registration (specialty, status, the page's start).
    on_registration, on_person = [], []
    if wanted.category:
        on_person.append(f"p.category = {param(wanted.category)}")
    if wanted.specialty:
        on_registration.append(f"r.specialty = {param(wanted.specialty)}")
    if wanted.status == RegistrationStatus.SUSPENDED:
        on_registration.append(f"r.suspended = {param(True)}")
    elif wanted.status in (RegistrationStatus.ACTIVE, RegistrationStatus.EXPIRED):
        operator = ">=" if wanted.status == RegistrationStatus.ACTIVE else "<"
        on_registration.append(f"r.suspended = {param(False)} AND r.valid_until {operator} "
                               f"{param(today() if postgres else today().isoformat())}")
    if after_number:
        on_registration.append(f"r.number > {param(after_number)}")
    if postgres and not wanted.number:
        return _postgres_names(wanted.terms, on_person, on_registration, param, limit), params
    where = [lead, *on_person, *on_registration]
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY r.number LIMIT {param(limit)}"
    return sql, params


# A query's term becomes the whole terms it starts (migration 0011's `name_term`) unless it
# starts more than this many; then it stays a prefix (`term:*`).
EXPANSION = 64
# How many people a name (and the category) may match for the search to sort them all; past
# that, it walks the register in number order instead (below).
CANDIDATES = 3000


def _postgres_names(terms: list[str], on_person: list[str], on_registration: list[str],
                    param, limit: int) -> str:
    """One statement, two ways to the first `limit` matches in number order, and the
    database takes the one that reads less (S9, docs/performance.md):

    - few people have the name: the full-text GIN index of migration 0010 finds them all
      (each query term asked as the whole terms it starts, `_whole_terms`), at most
      CANDIDATES, and they are sorted;
    - many have it (at 1,000,000 practitioners a family name alone matches tens of
      thousands): sorting them all would read each one, so the register is walked in
      number order (its unique index; by specialty or the suspended ones, migration
      0011's) and each entry tested with LIKE on the stored terms — " term" starts a term,
      the same test as the prefix query — until the page is full. As at least CANDIDATES
      match, a page is found after about limit × N / CANDIDATES entries.

    The count of the bounded candidate set decides, as a one-time filter: the branch not
    taken is never run. Terms are letters and digits only (name_search.py): safe in a
    tsquery and in a LIKE pattern (no % or _)."""
    query = " || ' & ' || ".join(_whole_terms(term, param) for term in terms)
    person = "".join(f" AND {f}" for f in on_person)
    registration = "".join(f" AND {f}" for f in on_registration)
    likes = "".join(f" AND p.name_search LIKE {param(f'% {term}%')}" for term in terms)
    cap, size = param(CANDIDATES), param(limit)
    # Column names and placeholders only, no input.
    return (
        f"WITH hit AS MATERIALIZED (SELECT p.id, {', '.join(f'p.{c}' for c in _PERSON)} "  # noqa: S608
        f"FROM practitioner p WHERE "
        f"to_tsvector('simple', p.name_search) @@ to_tsquery('simple', {query}){person} "
        f"LIMIT {cap}), many AS (SELECT count(*) >= {cap} AS yes FROM hit) "
        f"SELECT * FROM ((SELECT {_COLUMNS} FROM hit p JOIN registration r ON "
        f"r.practitioner_id = p.id WHERE NOT (SELECT yes FROM "
        f"many){registration} ORDER BY r.number LIMIT {size}) UNION ALL ({_SELECT} WHERE "
        f"(SELECT yes FROM many){likes}{person}{registration} ORDER BY r.number "
        f"LIMIT {size})) found ORDER BY number LIMIT {size}")


def _whole_terms(term: str, param) -> str:
    """SQL for the tsquery of one query term: `(t1 | t2 | …)`, the stored terms that start
    with it (a range of name_term's index), which GIN intersects far faster than the prefix
    `term:*` (S9); the prefix when none is stored (it then matches nothing either) or more
    than EXPANSION are."""
    low, high = param(term), param(term + "\U0010ffff")
    return (f"COALESCE((SELECT CASE WHEN count(*) <= {EXPANSION} THEN '(' || "  # noqa: S608
            f"string_agg(term, "
            f"' | ') || ')' END FROM (SELECT term FROM name_term WHERE term >= {low} AND term "
            f"< {high} LIMIT {EXPANSION + 1}) expansion), {low} || ':*')")


# The whole terms one query term may stand for in the posting list's statement: each is one
# ordered index range, merged with the others.
POSTING_EXPANSION = 64
# No LIMIT in effect, but a LIMIT keeps each range its own ordered subquery (the planner would
# otherwise pull it up into an Append that has lost the order).
_ALL = 1_000_000_000
# A query term's whole terms: one statement for all of them (a constant, no input).
_EXPAND = (
    "SELECT q.i, e.term FROM unnest($1::text[]) WITH ORDINALITY q(t, i) "  # noqa: S608
    "LEFT JOIN LATERAL (SELECT term FROM name_term WHERE term >= q.t AND term < q.t || "
    f"chr(1114111) ORDER BY term LIMIT {POSTING_EXPANSION + 1}) e ON true "
    "ORDER BY q.i, e.term")


async def _postgres_statement(connection, wanted: Criteria, after_number: str | None,
                              limit: int) -> tuple[str, str | None, list]:
    """(session settings, statement or None when nothing can match, parameters) of a name
    search on PostgreSQL: through the posting list when every query term stands for at most
    POSTING_EXPANSION whole terms, else the full-text statement."""
    rows = await connection.execute_query_dict(_EXPAND, [wanted.terms])
    expansions: dict[int, list[str]] = {}
    for row in rows:
        expansions.setdefault(row["i"], [])
        if row["term"] is not None:
            expansions[row["i"]].append(row["term"])
    whole = [expansions.get(i + 1, []) for i in range(len(wanted.terms))]
    if any(not terms for terms in whole):
        return SESSION, None, []  # a term nobody's name starts with: no match
    if any(len(terms) > POSTING_EXPANSION for terms in whole):
        sql, params = _statement(wanted, after_number, limit)
        return SESSION, sql, params
    params: list[Any] = []

    def param(value) -> str:
        params.append(value)
        return f"${len(params)}"

    return POSTING_SESSION, _posting_statement(wanted, whole, after_number, param, limit), params


def _posting_statement(wanted: Criteria, whole: list[list[str]], after_number: str | None,
                       param, limit: int) -> str:
    """The first `limit` registrations, in number order, whose names have a term of each of
    `whole` (a query term's whole terms) and that pass the filters (migration 0017).

    Each whole term is a range of the posting index already in number order, filtered in the
    index; a query term's ranges are merged (Merge Append, duplicates dropped), and the query
    terms' merged ranges intersected by a merge join: the statement reads each range only as
    far as the page's last number, however many people have the name. The page's entries are
    then read by their numbers."""
    tests = []
    if wanted.category:
        tests.append(f"category = {param(wanted.category)}")
    if wanted.specialty:
        tests.append(f"specialty = {param(wanted.specialty)}")
    if wanted.status == RegistrationStatus.SUSPENDED:
        tests.append("suspended")  # a literal, so that the partial index applies
    elif wanted.status in (RegistrationStatus.ACTIVE, RegistrationStatus.EXPIRED):
        operator = ">=" if wanted.status == RegistrationStatus.ACTIVE else "<"
        tests.append(f"NOT suspended AND valid_until {operator} {param(today())}")
    if after_number:
        tests.append(f"number > {param(after_number)}")
    # The same placeholders in every range: each is tested in each.
    where = "".join(f" AND {test}" for test in tests)
    sides = []
    for terms in whole:
        # Column names and placeholders only, no input.
        ranges = [f"(SELECT number FROM register_posting WHERE term = {param(term)}"  # noqa: S608
                  f"{where} ORDER BY number LIMIT {_ALL})" for term in terms]
        union = " UNION ALL ".join(ranges)
        sides.append(ranges[0] if len(ranges) == 1 else
                     f"(SELECT DISTINCT number FROM ({union}) u ORDER BY number)")  # noqa: S608
    joined = " ".join(f"JOIN {side} s{i} ON s{i}.number = s0.number"
                      for i, side in enumerate(sides[1:], start=1))
    # Column names and placeholders only, no input.
    return (f"WITH page AS MATERIALIZED (SELECT s0.number FROM {sides[0]} s0 {joined} "  # noqa: S608
            f"ORDER BY s0.number LIMIT {param(limit)}) "
            f"{_SELECT} JOIN page ON page.number = r.number ORDER BY r.number")


async def explain_statement(wanted: Criteria) -> tuple[str, str | None, list]:
    """(session settings, statement, parameters) of a first page, for the benchmark's
    EXPLAIN (in a transaction: the settings are SET LOCAL)."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres" or wanted.number:
        sql, params = _statement(wanted, None, PAGE_SIZE + 1)
        return "", sql, params
    return await _postgres_statement(connection, wanted, None, PAGE_SIZE + 1)


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
