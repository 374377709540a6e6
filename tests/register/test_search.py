"""searchRegister on the database in use (SQLite and PostgreSQL): every spelling the
contract treats as equal finds the same practitioner through the name index, names are
kept current on import and on a personal-data change, and only public fields come back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from types import SimpleNamespace

import pytest

from server.clock import today
from server.models.practitioners import Practitioner
from server.resolvers.record.personal_data import apply_approved_change
from server.resolvers.register.csv_import import import_practitioners
from server.resolvers.register.csv_rows import COLUMNS
from tests.conftest import IS_POSTGRES, ROOT_CONTRACT, gql
from tests.domain.test_name_search import GROUPS
from tests.register.helpers import SEARCH, registered


async def search(client, query: str, lang: str = "en", **variables) -> dict:
    body = await gql(client, SEARCH, {"query": query, **variables}, lang=lang)
    assert "errors" not in body, body
    return body["data"]["searchRegister"]


def numbers(result: dict) -> list[str]:
    return [edge["node"]["registrationNumber"] for edge in result["edges"]]


def _is_arabic(text: str) -> bool:
    return any("ARABIC" in unicodedata.name(c, "") for c in text)


@pytest.mark.parametrize(("stored", "typed"), GROUPS)
async def test_each_equivalent_spelling_finds_the_practitioner(client, stored, typed):
    if _is_arabic(stored):
        await registered(first_ar=stored, family_ar="الشهري", number="25-R-0000001")
    else:
        await registered(first_en=stored, family_en="Shehri", number="25-R-0000001")
    await registered("سلمان", "العتيبي", "Salman", "Otaibi", number="25-R-0000002")
    found = await search(client, typed)
    assert numbers(found) == ["25-R-0000001"], found
    assert numbers(await search(client, stored)) == ["25-R-0000001"]


async def test_every_word_must_start_a_name_part_in_any_order(client):
    await registered(number="25-R-0000001", father_ar="عبد الله", father_en="Abdullah")
    await registered("محمد", "الحربي", "Mohammed", "Al-Harbi", number="25-R-0000002")
    assert numbers(await search(client, "qahtani muhammad")) == ["25-R-0000001"]
    assert numbers(await search(client, "محمد")) == ["25-R-0000001", "25-R-0000002"]
    assert numbers(await search(client, "عبدالله القحط")) == ["25-R-0000001"]
    assert numbers(await search(client, "ahtani")) == []  # not the start of a name
    assert numbers(await search(client, "Mohammed Yusuf")) == []


async def test_filters_by_category_specialty_and_status(client):
    await registered(number="25-R-0000001")
    await registered(number="25-R-0000002", category="NURSE", specialty="NURSING", rank="NURSE")
    await registered(number="25-R-0000003", suspended=True)
    await registered(number="25-R-0000004", valid_until=today() - dt.timedelta(days=1))
    assert numbers(await search(client, "Mohammed", category="NURSE")) == ["25-R-0000002"]
    assert numbers(await search(client, "Mohammed", specialty="INTERNAL_MEDICINE")) == [
        "25-R-0000001", "25-R-0000003", "25-R-0000004"]
    assert numbers(await search(client, "Mohammed", status="SUSPENDED")) == ["25-R-0000003"]
    assert numbers(await search(client, "Mohammed", status="EXPIRED")) == ["25-R-0000004"]
    assert numbers(await search(client, "Mohammed", status="ACTIVE")) == [
        "25-R-0000001", "25-R-0000002"]


async def test_a_registration_number_finds_its_entry(client):
    await registered(number="25-R-0004321")
    assert numbers(await search(client, "25-r-٠٠٠٤٣٢١")) == ["25-R-0004321"]
    assert numbers(await search(client, "25-R-0004321", category="NURSE")) == []


@pytest.mark.parametrize("query", ["", "ab", "مح", "  a-b ", "ًٌٍ"])
async def test_a_query_under_three_letters_is_a_user_error_in_the_callers_language(
        client, query):
    for lang, words in (("en", "at least 3 letters"), ("ar", "3 أحرف")):
        result = await search(client, query, lang=lang)
        assert result["edges"] == [] and result["pageInfo"]["hasNextPage"] is False
        [error] = result["errors"]
        assert (error["field"], error["code"]) == ("query", "INVALID")
        assert words in error["message"]


async def test_bad_first_and_forged_cursors_are_user_errors(client):
    await registered()
    assert (await search(client, "Mohammed", first=0))["errors"][0]["field"] == "first"
    assert (await search(client, "Mohammed", first=101))["errors"][0]["code"] == "INVALID"
    forged = await search(client, "Mohammed", after="MXwyNS1SLTAwMDAwMDF8eA==")
    assert forged["errors"][0]["field"] == "after"


async def test_the_contract_operation_validates_and_answers(client):
    await registered(father_ar="عبد الله", father_en="Abdullah")
    body = await gql(client, ROOT_CONTRACT.operation("SearchRegister"), {"query": "محمد"})
    assert "errors" not in body
    [edge] = body["data"]["searchRegister"]["edges"]
    assert edge["node"]["fullNameAr"] == "محمد عبد الله القحطاني"
    assert edge["node"]["fullNameEn"] == "Mohammed Abdullah Al-Qahtani"


async def test_only_public_fields_come_back_and_no_identity_is_searchable(client):
    person = await registered()
    result = await search(client, "Mohammed")
    node = result["edges"][0]["node"]
    assert set(node) == {"registrationNumber", "fullNameAr", "fullNameEn", "category",
                         "specialty", "rank", "status", "validUntil"}
    text = str(result)
    assert person.identity_number not in text and "1984" not in text
    # Identity numbers and birth dates are not search terms either.
    assert numbers(await search(client, person.identity_number)) == []
    assert numbers(await search(client, "1984-07-19")) == []
    body = await gql(client, "{ searchRegister(query: \"Mohammed\") { edges { node { "
                             "identityNumber } } } }")
    assert body["errors"] and "identityNumber" in str(body["errors"])


async def _import(tmp_path, rows: list[dict]):
    path = tmp_path / "registry.csv"
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return await import_practitioners(path)


def _row(**names) -> dict:
    row = dict(registration_number="24-R-0000777", identity_type="NATIONAL_ID",
               identity_number="1000000008", first_name_ar="يوسف", father_name_ar="",
               grandfather_name_ar="", family_name_ar="الزهراني", first_name_en="Yousef",
               father_name_en="", grandfather_name_en="", family_name_en="Alzahrani",
               date_of_birth="1990-01-02", gender="M", nationality="SA", category="PHYSICIAN",
               specialty="INTERNAL_MEDICINE", rank="CONSULTANT",
               registration_valid_from="2024-01-01",
               registration_valid_until=(today() + dt.timedelta(days=90)).isoformat())
    return {**row, **names}


async def test_names_are_indexed_on_import_and_reindexed_when_an_import_changes_them(
        client, tmp_path):
    summary = await _import(tmp_path, [_row()])
    assert summary.created == 1
    assert numbers(await search(client, "Yusuf Al Zahrani")) == ["24-R-0000777"]
    assert numbers(await search(client, "الزهراني")) == ["24-R-0000777"]
    summary = await _import(tmp_path, [_row(first_name_en="Ibrahim", first_name_ar="إبراهيم")])
    assert summary.updated == 1
    assert numbers(await search(client, "Yusuf")) == []
    assert numbers(await search(client, "Ibrahim Alzahrani")) == ["24-R-0000777"]
    assert numbers(await search(client, "ابراهيم")) == ["24-R-0000777"]


async def test_an_approved_personal_data_change_reindexes_the_names(client):
    person = await registered(number="25-R-0000009")
    change = SimpleNamespace(id=None, practitioner_id=person.id, data={
        "changes": {"familyNameEn": "Al-Dosari", "familyNameAr": "الدوسري"}, "before": {}})
    await apply_approved_change(change, None)
    assert numbers(await search(client, "Qahtani")) == []
    assert numbers(await search(client, "Mohammed Dosari")) == ["25-R-0000009"]
    assert numbers(await search(client, "الدوسري")) == ["25-R-0000009"]


async def test_a_record_saved_with_new_names_is_reindexed(client):
    person = await registered(number="25-R-0000010")
    person.first_name_en = "Youssef"
    await person.save(update_fields=["first_name_en"])
    assert numbers(await search(client, "Yusuf")) == ["25-R-0000010"]
    await Practitioner.filter(id=person.id).delete()
    assert numbers(await search(client, "Yusuf")) == []


async def test_each_way_to_a_page_gives_the_same_pages(client, monkeypatch, clock):
    """PostgreSQL answers a name from a bounded candidate set sorted by number, or, when
    more match than CANDIDATES, by walking the register in number order; a query term is
    asked as the whole terms it starts, or as a prefix past EXPANSION of them (S9). With
    the bounds made tiny, every way must give the pages the usual way gives."""
    from server.resolvers.register import search as register_search

    await registered("محمود", "الحربي", "Mahmoud", "Al-Harbi", number="25-R-0000005")
    for n in (3, 1, 4, 2):
        await registered(number=f"25-R-000000{n}", specialty="FAMILY_MEDICINE" if n % 2
                         else "INTERNAL_MEDICINE", suspended=n == 4)
    await registered("سلمان", "العتيبي", "Salman", "Otaibi", number="25-R-0000006")
    cases = [("Moh", {}), ("Mohammed Qahtani", {}), ("mah", {}), ("محم القحط", {}),
             ("Mohammed", {"specialty": "FAMILY_MEDICINE"}), ("Qahtani", {"status": "SUSPENDED"}),
             ("Mohammed", {"category": "NURSE"}), ("Nobody", {})]

    async def pages(query, variables) -> list[list[str]]:
        seen, after = [], None
        while True:
            found = await search(client, query, first=2, after=after, **variables)
            seen.append(numbers(found))
            after = found["pageInfo"]["endCursor"]
            if not after:
                return seen

    usual = {}
    for query, variables in cases:
        usual[query, tuple(variables.items())] = await pages(query, variables)
    assert usual["Moh", ()] == [["25-R-0000001", "25-R-0000002"],
                                ["25-R-0000003", "25-R-0000004"], ["25-R-0000005"]]
    assert usual["Mohammed", (("specialty", "FAMILY_MEDICINE"),)] == [
        ["25-R-0000001", "25-R-0000003"]]
    assert usual["Qahtani", (("status", "SUSPENDED"),)] == [["25-R-0000004"]]
    assert usual["Nobody", ()] == [[]]
    # POSTING_EXPANSION 0: no term goes through the posting list (migration 0017), so
    # PostgreSQL takes the full-text statement and its branches.
    for posting, candidates, expansion in ((1, 3000, 64), (0, 3000, 64), (0, 1, 64),
                                           (0, 0, 64), (0, 3000, 0), (0, 1, 0)):
        monkeypatch.setattr(register_search, "POSTING_EXPANSION", posting)
        monkeypatch.setattr(register_search, "CANDIDATES", candidates)
        monkeypatch.setattr(register_search, "EXPANSION", expansion)
        clock.shift(dt.timedelta(minutes=1))  # a new minute of the per-address limit
        for query, variables in cases:
            assert await pages(query, variables) == usual[query, tuple(variables.items())], (
                query, variables, posting, candidates, expansion)


async def test_the_index_follows_suspension_renewal_category_and_removal(client):
    """What the search filters on is copied into PostgreSQL's posting list (migration
    0017) by triggers: each change to the registration or the person must reach it."""
    from server.models.practitioners import Registration

    person = await registered(number="25-R-0000021")
    await registered("سلمان", "العتيبي", "Salman", "Al-Qahtani", number="25-R-0000022")
    assert numbers(await search(client, "Qahtani", status="ACTIVE")) == [
        "25-R-0000021", "25-R-0000022"]
    await Registration.filter(number="25-R-0000021").update(suspended=True)
    assert numbers(await search(client, "Qahtani", status="SUSPENDED")) == ["25-R-0000021"]
    assert numbers(await search(client, "Qahtani", status="ACTIVE")) == ["25-R-0000022"]
    registration = await Registration.get(number="25-R-0000022")
    registration.valid_until = today() - dt.timedelta(days=1)
    registration.specialty = "FAMILY_MEDICINE"
    await registration.save()
    assert numbers(await search(client, "Qahtani", status="EXPIRED")) == ["25-R-0000022"]
    assert numbers(await search(client, "Qahtani", specialty="FAMILY_MEDICINE")) == [
        "25-R-0000022"]
    await Practitioner.filter(id=person.id).update(category="NURSE")
    assert numbers(await search(client, "Mohammed Qahtani", category="NURSE")) == [
        "25-R-0000021"]
    await Registration.filter(number="25-R-0000021").update(number="25-R-0000029")
    assert numbers(await search(client, "Mohammed")) == ["25-R-0000029"]
    await Registration.filter(number="25-R-0000029").delete()
    assert numbers(await search(client, "Mohammed")) == []
    assert numbers(await search(client, "Salman")) == ["25-R-0000022"]


@pytest.mark.skipif(not IS_POSTGRES, reason="the posting list is PostgreSQL's (SQLite: FTS5)")
async def test_postgres_answers_a_name_from_the_posting_index(clean_db):
    from tortoise.transactions import in_transaction

    from server.resolvers.register import search as register_search

    await registered(number="25-R-0000031")
    async with in_transaction() as tx:
        session, sql, params = await register_search.explain_statement(
            register_search.criteria("Moh Qahtani", category="PHYSICIAN", status="ACTIVE"))
        await tx.execute_script(session)
        plan = "\n".join(row["QUERY PLAN"] for row in await tx.execute_query_dict(
            f"EXPLAIN {sql}", params))
    assert "register_posting_term_number" in plan, plan
    assert "practitioner_name_search_fts" not in plan, plan
