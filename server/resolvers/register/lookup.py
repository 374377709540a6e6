"""The public register: anyone may look a practitioner up by registration number.

This is the hottest public endpoint (every card's QR code, every employer's check), so a
look-up is ONE indexed query (`registration.number` is unique) joined to the practitioner,
and it reads only the columns the public may see: identity numbers, birth dates and contact
details never leave the database on this path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict
from uuid import UUID

from server import clock
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.domain.names import full_name
from server.domain.registry import RegistrationStatus, registration_status
from server.models.practitioners import Registration

_NAME_PARTS = ("first_name", "father_name", "grandfather_name", "family_name")
# Read through the join; the "p_" aliases keep the rows flat and the SQL explicit.
_COLUMNS: dict[str, str] = {
    "number": "number",
    "rank": "rank",
    "specialty": "specialty",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "suspended": "suspended",
    "category": "practitioner__category",
    **{f"p_{part}_{lang}": f"practitioner__{part}_{lang}"
       for part in _NAME_PARTS for lang in ("ar", "en")},
}


class PublicEntry(TypedDict):
    """What the public register shows of a practitioner: nothing more."""

    registration_number: str
    full_name_ar: str
    full_name_en: str
    category: str
    specialty: str
    rank: str
    status: RegistrationStatus
    valid_from: dt.date
    valid_until: dt.date


async def registration_entry(registration_number: str, *, owner_account_id: UUID | str | None
                             = None, on: dt.date | None = None) -> PublicEntry | None:
    """The entry for a registration number as typed (Arabic digits and lower case accepted),
    or None. With `owner_account_id`, only when that account's practitioner holds it: the
    ownership check rides on the same query, so "not yours" and "no such number" look the
    same to the caller and cost the same."""
    number = normalize_registration_number(registration_number)
    if not is_registration_number_like(number):
        return None  # cannot exist: no query for junk (or for a 10 kB "number")
    query = Registration.filter(number=number)
    if owner_account_id is not None:
        query = query.filter(practitioner__account_id=owner_account_id)
    rows = await query.limit(1).values(**_COLUMNS)
    return public_entry(rows[0], on or clock.today()) if rows else None


def public_entry(row: dict[str, Any], on: dt.date) -> PublicEntry:
    """A row of the public columns (the names as p_{part}_{lang}) as the public entry."""
    return PublicEntry(
        registration_number=row["number"],
        full_name_ar=full_name(row[f"p_{part}_ar"] for part in _NAME_PARTS),
        full_name_en=full_name(row[f"p_{part}_en"] for part in _NAME_PARTS),
        category=row["category"],
        specialty=row["specialty"],
        rank=row["rank"],
        status=registration_status(row["valid_until"], row["suspended"], on),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
    )


# The hottest public look-up as ONE hand-written statement, sent through the ORM's own
# connection (so the query log, the query counts of tests/querycount.py and transactions all
# see it): on PostgreSQL asyncpg prepares it once per connection and reuses the plan, and no
# ORM query is built per request (docs/performance.md, "Where the time goes"). The same
# columns as `_COLUMNS`, under the same names, so `public_entry` reads either.
# Constant table and column names only; the number is always a parameter.
_VERIFY_SQL = (
    "SELECT r.number, r.rank, r.specialty, r.valid_from, r.valid_until, r.suspended, "  # noqa: S608
    "p.category, " + ", ".join(f"p.{part}_{lang} AS p_{part}_{lang}"
                               for part in _NAME_PARTS for lang in ("ar", "en")) +
    " FROM {registration} r JOIN {practitioner} p ON p.id = r.practitioner_id"
    " WHERE r.number = {param} LIMIT 1")
_verify_sql: dict[str, str] = {}


def _verify_statement(dialect: str) -> str:
    sql = _verify_sql.get(dialect)
    if sql is None:
        from server.models.practitioners import Practitioner

        sql = _verify_sql[dialect] = _VERIFY_SQL.format(
            registration=Registration._meta.db_table, practitioner=Practitioner._meta.db_table,
            param="$1" if dialect == "postgres" else "?")
    return sql


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


async def verify_practitioner(registration_number: str) -> PublicEntry | None:
    """The public look-up behind `verifyPractitioner` and /verify: unknown → None. One
    prepared statement on PostgreSQL; the same statement, parameterised, on SQLite (whose
    rows carry dates as text and booleans as integers, converted here)."""
    from tortoise import connections

    number = normalize_registration_number(registration_number)
    if not is_registration_number_like(number):
        return None
    client = connections.get("default")
    dialect = client.capabilities.dialect
    if dialect not in ("postgres", "sqlite"):
        return await registration_entry(registration_number)
    rows = await client.execute_query_dict(_verify_statement(dialect), [number])
    if not rows:
        return None
    row = rows[0]
    row["valid_from"], row["valid_until"] = _as_date(row["valid_from"]), \
        _as_date(row["valid_until"])
    row["suspended"] = bool(row["suspended"])
    return public_entry(row, clock.today())


async def account_entry(account_id: UUID | str) -> PublicEntry | None:
    """The entry of the registration the account's practitioner holds, or None: one query."""
    rows = await Registration.filter(practitioner__account_id=account_id).limit(1).values(
        **_COLUMNS)
    return public_entry(rows[0], clock.today()) if rows else None
