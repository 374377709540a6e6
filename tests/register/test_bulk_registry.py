"""S9's COPY loader (bench/bulk_registry.py) writes the rows `sijil import-practitioners`
writes for the same generated registry: the benchmark measures the register the app would
have, not a look-alike. PostgreSQL only (COPY)."""

from __future__ import annotations

import pytest
from tortoise import connections

from bench.bulk_registry import load
from bench.generate_registry import write_csv
from server.clock import today
from server.resolvers.register.csv_import import import_practitioners
from server.resolvers.register.search import criteria, search
from tests.conftest import IS_POSTGRES, truncate_all

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="COPY is PostgreSQL's")

# Everything but the keys and the moments of writing, which differ by nature.
ROWS = ("SELECT r.number, r.rank AS r_rank, r.specialty AS r_specialty, r.valid_from, "
        "r.valid_until, r.suspended, r.suspended_reason, p.identity_type, p.identity_number, "
        "p.first_name_ar, p.father_name_ar, p.grandfather_name_ar, p.family_name_ar, "
        "p.first_name_en, p.father_name_en, p.grandfather_name_en, p.family_name_en, "
        "p.date_of_birth, p.gender, p.nationality, p.category, p.specialty, p.rank, "
        "p.is_trainee, p.is_practising, p.sanctioned, p.claimed_at, p.account_id, "
        "p.name_search FROM registration r JOIN practitioner p ON p.id = r.practitioner_id "
        "ORDER BY r.number")


async def test_the_loader_writes_what_the_import_writes(settings, clean_db, tmp_path):
    on = today()
    summary = await import_practitioners(write_csv(tmp_path / "registry.csv", 60, 3, today=on))
    assert summary.created == 60 and not summary.rejected
    conn = connections.get("default")
    imported = await conn.execute_query_dict(ROWS)
    await truncate_all()
    timings = await load(settings.database_url, 60, 3, today=on)
    loaded = await conn.execute_query_dict(ROWS)
    assert timings["rows"] == 60 and len(loaded) == 60
    assert loaded == imported
    # The indexes and keys it set aside while copying are back, and the search finds names.
    indexes = {r["indexname"] for r in await conn.execute_query_dict(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND "
        "tablename IN ('practitioner', 'registration', 'register_posting')")}
    assert {"practitioner_name_search_fts", "registration_number_key",
            "registration_specialty_number", "registration_suspended_number",
            "register_posting_term_number", "register_posting_suspended",
            "register_posting_registration"} <= indexes
    # The posting list (the search's index, migration 0017) holds what the import's
    # registrations gave it: every term of every name, once a registration.
    postings = await conn.execute_query_dict(
        "SELECT number, array_agg(term ORDER BY term) AS terms FROM register_posting "
        "GROUP BY number ORDER BY number")
    assert [(p["number"], p["terms"]) for p in postings] == [
        (r["number"], sorted(set(r["name_search"].split()), key=str.encode)) for r in loaded]

    class Caller:
        lang, session, api_key, loaders, account, user_agent = "en", None, None, None, None, ""
        ip = "192.0.2.9"

    Caller.settings = settings
    first = loaded[0]  # the lowest number: on the first page of anything it matches
    page = await search(Caller(), criteria(f"{first['first_name_en']} {first['family_name_en']}"))
    assert first["number"] in [e["registration_number"] for e in page.entries]
