"""`sijil import-practitioners`: the CSV import of registry records (small files; the
100,000-row run is bench/import_benchmark.py)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys

import pytest

from server import clock
from server.config import ROOT
from server.models.accounts import Account
from server.models.practitioners import Practitioner, RecordChange, Registration
from server.resolvers.register.csv_import import COLUMNS, ImportFileError, import_practitioners

TODAY = clock.today()


def record(number: str = "24-R-0000101", identity: str = "1000000008", **changes) -> dict:
    row = {
        "registration_number": number, "identity_type": "NATIONAL_ID",
        "identity_number": identity, "first_name_ar": "سارة", "father_name_ar": "محمد",
        "grandfather_name_ar": "علي", "family_name_ar": "القحطاني", "first_name_en": "Sara",
        "father_name_en": "Mohammed", "grandfather_name_en": "Ali",
        "family_name_en": "Al-Qahtani", "date_of_birth": "1985-04-12", "gender": "F",
        "nationality": "SA", "category": "PHYSICIAN", "specialty": "Internal Medicine",
        "rank": "CONSULTANT", "registration_valid_from": "2024-01-01",
        "registration_valid_until": "2026-12-31",
    }
    return row | changes


def write(path, rows: list[dict], columns=COLUMNS, encoding: str = "utf-8"):
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejected_rows(path) -> dict[int, dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {int(row["line"]): row for row in csv.DictReader(f)}


async def test_a_good_file_imports(clean_db, tmp_path):
    source = write(tmp_path / "registry.csv", [
        record(),
        record("21-R-0000102", "2000000006", identity_type="IQAMA", father_name_ar="",
               grandfather_name_ar="", father_name_en="", grandfather_name_en="",
               category="NURSE", specialty="general_nursing", rank="SPECIALIST",
               nationality="PH"),
        record("LEGACY-77", "1000000016", category="PHARMACIST", specialty="CLINICAL_PHARMACY",
               rank="SENIOR_PHARMACIST", gender="M"),
    ])

    summary = await import_practitioners(source, today=TODAY)

    assert (summary.read, summary.created, summary.updated, summary.rejected) == (3, 3, 0, 0)
    assert summary.rejected_path is None and not (tmp_path / "registry.rejected.csv").exists()
    sara = await Practitioner.get(identity_number="1000000008")
    assert (sara.first_name_ar, sara.family_name_en, sara.specialty, sara.rank) == (
        "سارة", "Al-Qahtani", "INTERNAL_MEDICINE", "CONSULTANT")
    assert sara.date_of_birth == dt.date(1985, 4, 12) and sara.account_id is None
    registration = await Registration.get(number="24-R-0000101")
    assert registration.practitioner_id == sara.id
    assert (registration.valid_from, registration.valid_until) == (
        dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    nurse = await Practitioner.get(identity_number="2000000006")
    assert (nurse.identity_type, nurse.father_name_ar, nurse.specialty) == (
        "IQAMA", "", "GENERAL_NURSING")


async def test_a_rerun_updates_in_place_and_keeps_the_claim(clean_db, tmp_path):
    rows = [record(), record("21-R-0000102", "2000000006", identity_type="IQAMA")]
    source = write(tmp_path / "registry.csv", rows)
    await import_practitioners(source, today=TODAY)
    sara = await Practitioner.get(identity_number="1000000008")
    account = await Account.create(email="sara@example.com", mobile="+966551234567",
                                   first_name="Sara", family_name="Al-Qahtani",
                                   password_hash="x")
    claimed_at = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    await Practitioner.filter(id=sara.id).update(account_id=account.id, claimed_at=claimed_at)

    again = await import_practitioners(source, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    rows[0] |= {"registration_valid_until": "2029-12-31", "family_name_en": "Alqahtani",
                "rank": "SENIOR_REGISTRAR"}
    changed = await import_practitioners(write(source, rows), today=TODAY)

    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert await Practitioner.all().count() == 2 and await Registration.all().count() == 2
    after = await Practitioner.get(id=sara.id)
    assert (after.account_id, after.claimed_at) == (account.id, claimed_at)
    assert (after.family_name_en, after.rank) == ("Alqahtani", "SENIOR_REGISTRAR")
    registration = await Registration.get(number="24-R-0000101")
    assert (registration.valid_until, registration.rank) == (dt.date(2029, 12, 31),
                                                             "SENIOR_REGISTRAR")
    change = await RecordChange.get(practitioner_id=sara.id)
    assert change.what == "REGISTRY_UPDATED"
    assert change.changes["valid_until"] == ["2026-12-31", "2029-12-31"]
    assert change.changes["family_name_en"] == ["Al-Qahtani", "Alqahtani"]


async def test_bad_rows_are_rejected_with_their_line_and_reason(clean_db, tmp_path):
    await import_practitioners(write(tmp_path / "first.csv", [record()]), today=TODAY)
    await Practitioner.create(  # created in Sijil, not yet registered
        identity_type="NATIONAL_ID", identity_number="1000000024", first_name_ar="علي",
        family_name_ar="الحربي", first_name_en="Ali", family_name_en="Al-Harbi",
        date_of_birth=dt.date(1990, 1, 1), gender="M", nationality="SA", category="NURSE",
        specialty="NURSING", rank="SPECIALIST")
    source = write(tmp_path / "registry.csv", [
        record("25-R-0000001", "1000000009"),  # line 2: bad check digit
        record("25-R-0000002", "1000000016", rank="CONSULTANT_PHARMACIST"),  # 3
        record("25-R-0000003", "2000000006", identity_type="IQAMA",
               specialty="Astrology"),  # 4
        record("25-R-0000004", "2000000014", identity_type="IQAMA",
               date_of_birth="1985-02-30"),  # 5
        record("25-R-0000005", "1000000008"),  # 6: Sara's identity, another number
        record("25-R-0000006", "1000000024"),  # 7: a record without registration has it
        record("25-R-0000007", "1000000032", family_name_en=""),  # 8: missing value
        record("25-R-0000008", "1000000040"),  # 9: good
        record("25-R-0000009", "1000000040"),  # 10: same identity as line 9
        record("25-R-0000008", "1000000057"),  # 11: same number as line 9
        record("25-R-0000010", "1000000065", registration_valid_until="2023-12-31"),  # 12
        record("25-R-0000011", "1000000073", date_of_birth=str(TODAY.year - 10) + "-01-01"),
    ])
    with source.open("a", encoding="utf-8") as f:
        f.write("25-R-0000012,NATIONAL_ID\n")  # line 14: too few values

    summary = await import_practitioners(source, today=TODAY)

    assert (summary.read, summary.created, summary.rejected) == (13, 1, 12)
    assert summary.rejected_path == tmp_path / "registry.rejected.csv"
    rejected = rejected_rows(summary.rejected_path)
    assert sorted(rejected) == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14]
    reason = {line: row["reason"] for line, row in rejected.items()}
    assert reason[2] == "identity_number: the check digit (the last digit) is wrong"
    assert reason[3].startswith("rank: CONSULTANT_PHARMACIST is not a rank of PHYSICIAN")
    assert reason[4].startswith("specialty: unknown specialty 'Astrology'")
    assert reason[5] == "date_of_birth: not a date like 2024-03-31: '1985-02-30'"
    assert reason[6] == ("identity_number: this identity already belongs to registration "
                         "number 24-R-0000101")
    assert "another practitioner record (without a registration)" in reason[7]
    assert reason[8] == "family_name_en: required"
    assert reason[10] == ("identity_number: the same identity is on line 9 with registration "
                          "number 25-R-0000008")
    assert reason[11] == "registration_number: already on line 9 of this file"
    assert reason[12] == "registration_valid_until: must be after registration_valid_from"
    assert reason[13].startswith("date_of_birth: too recent")
    assert reason[14] == "the row has 2 values but the header has 19 columns"
    assert rejected[4]["specialty"] == "Astrology"  # the original columns come back
    assert await Registration.filter(number="25-R-0000008").exists()
    assert await Practitioner.all().count() == 3


async def test_a_bom_and_any_column_order(clean_db, tmp_path):
    columns = ["notes", *reversed(COLUMNS)]
    source = write(tmp_path / "excel.csv", [record() | {"notes": "ignored"},
                                            record("X", "1000000016")],
                   columns=columns, encoding="utf-8-sig")
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")

    summary = await import_practitioners(source, today=TODAY)

    assert (summary.created, summary.rejected) == (1, 1)
    assert (await Registration.get(number="24-R-0000101").prefetch_related("practitioner")) \
        .practitioner.first_name_en == "Sara"
    with summary.rejected_path.open("rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"  # written the way it came, for Excel
    rejected = rejected_rows(summary.rejected_path)[3]
    assert rejected["notes"] == "" and rejected["reason"].startswith("registration_number:")


async def test_a_missing_header_column_is_a_clear_error(clean_db, tmp_path):
    columns = [c for c in COLUMNS if c not in ("rank", "gender")]
    source = write(tmp_path / "registry.csv", [record()], columns=columns)

    with pytest.raises(ImportFileError, match="the header has no column gender, rank"):
        await import_practitioners(source, today=TODAY)
    assert not await Practitioner.exists()
    assert not (tmp_path / "registry.rejected.csv").exists()
    with pytest.raises(ImportFileError, match="no such file"):
        await import_practitioners(tmp_path / "missing.csv")
    legacy = write(tmp_path / "excel-arabic.csv", [record()], encoding="cp1256")
    with pytest.raises(ImportFileError, match=r"not UTF-8 text \(at or after line 1\)"):
        await import_practitioners(legacy, today=TODAY)


def test_the_command_imports_and_reports(tmp_path):
    env = os.environ | {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
                        "DATA_DIR": str(tmp_path), "SIJIL_ENV": "development"}

    def sijil(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    assert sijil("migrate").returncode == 0
    source = write(tmp_path / "registry.csv", [record(), record("B-1", "1000000016"),
                                               record("B-2", "1000000017")])

    done = sijil("import-practitioners", str(source))

    assert done.returncode == 0, done.stderr
    assert "Read 3 rows" in done.stdout and "2 created, 0 updated, 0 unchanged, 1 rejected" \
        in done.stdout
    assert str(tmp_path / "registry.rejected.csv") in done.stdout
    assert "Importing [" not in done.stderr  # no progress bar when stdout is not a terminal
    again = sijil("import-practitioners", str(source))
    assert "0 created, 0 updated, 2 unchanged, 1 rejected" in again.stdout
    missing = sijil("import-practitioners", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    write(source, [record()], columns=COLUMNS[1:])
    bad_header = sijil("import-practitioners", str(source))
    assert bad_header.returncode == 1
    assert "the header has no column registration_number" in bad_header.stderr
