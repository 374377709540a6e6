"""Importing registry records from a CSV file (`sijil import-practitioners FILE.csv`).

The file is UTF-8 (with or without a BOM), comma-separated, with the contract's header
(`COLUMNS`, in any order; other columns are ignored). Every row is checked with the domain
rules; good rows are written in batches, one transaction a batch, with bulk statements;
bad rows go to `FILE.rejected.csv` beside the input: the original columns, the `line` and
the `reason` (English).

Idempotent by registration number: a row whose number is already registered updates that
practitioner and registration in place (same id, account link and claim kept; the change is
recorded as a REGISTRY_UPDATED RecordChange); an unchanged row writes nothing. So the
import is also resumable: if it is killed midway, the batches already committed stay, the
one in flight rolls back, and running it again finishes the work. A new registration
number whose identity already belongs to another practitioner is rejected, as is a
registration number or identity seen earlier in the file. Father and grandfather names
may be empty; the specialty must be one open to the category, the rank one of its ranks.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.domain import codes
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.domain.dates import validate_birth_date
from server.domain.identity import IDENTITY_TYPES, normalize_digits, validate_identity
from server.domain.names import validate_arabic_name_part, validate_latin_name_part
from server.models.practitioners import Practitioner, RecordChange, Registration

COLUMNS = (
    "registration_number", "identity_type", "identity_number",
    "first_name_ar", "father_name_ar", "grandfather_name_ar", "family_name_ar",
    "first_name_en", "father_name_en", "grandfather_name_en", "family_name_en",
    "date_of_birth", "gender", "nationality", "category", "specialty", "rank",
    "registration_valid_from", "registration_valid_until",
)
NAME_COLUMNS = COLUMNS[3:11]
OPTIONAL_NAME_COLUMNS = frozenset({"father_name_ar", "grandfather_name_ar",
                                   "father_name_en", "grandfather_name_en"})
PRACTITIONER_FIELDS = ("identity_type", "identity_number", *NAME_COLUMNS, "date_of_birth",
                       "gender", "nationality", "category", "specialty", "rank")
REGISTRATION_FIELDS = ("rank", "specialty", "valid_from", "valid_until")
BATCH_SIZE = 2000  # rows read per transaction
RETRIES = 3  # a batch that meets a concurrent write is looked up and tried again
RECORD_CHANGE = "REGISTRY_UPDATED"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SAUDI_LIKE = re.compile(r"[12][0-9]{9}")
_ID_LABEL = {"NATIONAL_ID": "a national ID", "IQAMA": "an Iqama", "PASSPORT": "a passport"}


class ImportFileError(Exception):
    """The file cannot be imported at all: missing, unreadable, not UTF-8 CSV, or a
    column of the header missing. Nothing was written (or, mid-file, nothing more)."""


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejected_path: Path | None = None  # None when no row was rejected


@dataclass(slots=True)
class Row:
    line: int
    raw: list[str]
    number: str = ""
    reason: str = ""  # why the row is rejected, when it is
    person: dict | None = None  # Practitioner fields
    registration: dict | None = None  # Registration fields

    @property
    def identity(self) -> tuple[str, str]:
        return self.person["identity_type"], self.person["identity_number"]


Progress = Callable[[int, int], None]  # (rows read so far, estimated rows in the file)


async def import_practitioners(path: str | Path, *, today: dt.date | None = None,
                               progress: Progress | None = None,
                               batch_size: int = BATCH_SIZE) -> ImportSummary:
    """Imports the registry CSV at `path` (see the module's docstring); raises
    ImportFileError when the file as a whole cannot be read."""
    started = time.perf_counter()
    path = Path(path)
    today = today or dt.date.today()
    summary = ImportSummary()
    rejected_path = path.with_suffix(".rejected.csv")  # registry.csv → registry.rejected.csv
    seen_numbers: dict[str, int] = {}  # accepted registration number → line
    seen_identities: dict[tuple[str, str], tuple[str, int]] = {}  # → (number, line)
    last_line = 0
    try:
        total, has_bom = _count_lines(path)
        # Plain blocking reads, on purpose: the import runs in the CLI's own event loop, and
        # each read is a small local buffer between CPU-bound batches.
        with path.open(encoding="utf-8-sig", newline="") as source:  # noqa: ASYNC230
            reader = csv.reader(source)
            header = _read_header(reader)
            index = {name: header.index(name) for name in COLUMNS}
            with rejected_path.open("w", encoding="utf-8-sig" if has_bom else "utf-8",
                                    newline="") as out:
                rejected = csv.writer(out)
                rejected.writerow([*header, "line", "reason"])
                batch: list[Row] = []
                last_line = reader.line_num
                for values in reader:  # one record, perhaps over several lines
                    line, last_line = last_line + 1, reader.line_num
                    if not any(v.strip() for v in values):
                        continue  # a blank line
                    summary.read += 1
                    batch.append(_validated(Row(line, values), header, index, today))
                    if len(batch) >= batch_size:
                        await _flush(batch, summary, rejected, seen_numbers, seen_identities)
                        batch = []
                        if progress:  # the total is an estimate: never "done" early
                            progress(summary.read, max(total, summary.read + 1))
                await _flush(batch, summary, rejected, seen_numbers, seen_identities)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: a directory, not a CSV file") from None
    except PermissionError as error:
        raise ImportFileError(f"{error.filename}: permission denied") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text (at or after line {last_line + 1}); "
                              "save it as CSV UTF-8") from None
    except csv.Error as error:
        raise ImportFileError(f"{path}: not CSV after line {last_line} ({error})") from None
    if progress:
        progress(summary.read, summary.read)
    if summary.rejected:
        summary.rejected_path = rejected_path
    else:
        rejected_path.unlink(missing_ok=True)  # no stale file from an earlier run
    summary.seconds = time.perf_counter() - started
    return summary


def _count_lines(path: Path) -> tuple[int, bool]:
    """(data lines, roughly: for the progress bar; whether the file starts with a BOM)."""
    count = 0
    with path.open("rb") as f:
        has_bom = f.read(3) == b"\xef\xbb\xbf"
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return max(count - 1, 1), has_bom


def _read_header(reader) -> list[str]:
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty: the first line must be the header") from None
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            f"the header has no column {', '.join(missing)} (expected: {', '.join(COLUMNS)})")
    doubled = sorted({name for name in COLUMNS if header.count(name) > 1})
    if doubled:
        raise ImportFileError(f"the header has the column {', '.join(doubled)} more than once")
    return header


# ------------------------------------------------------------------ checking a row

def _validated(row: Row, header: list[str], index: dict[str, int], today: dt.date) -> Row:
    """The row with its cleaned values, or with `person` None and a `reason`."""
    if len(row.raw) != len(header):
        row.reason = f"the row has {len(row.raw)} values but the header has {len(header)} columns"
        row.raw = (row.raw + [""] * len(header))[:len(header)]  # keeps the rejected file square
        return row
    value = {name: row.raw[i].strip() for name, i in index.items()}
    problems: list[str] = []

    def problem(column: str, text: str) -> None:
        problems.append(f"{column}: {text}")

    number = normalize_registration_number(value["registration_number"])
    if not number:
        problem("registration_number", "required")
    elif not is_registration_number_like(number):
        problem("registration_number", "not a registration number (3 to 20 letters, digits "
                                       "and hyphens)")
    identity_type = _code(value, "identity_type", problem, IDENTITY_TYPES.__contains__,
                          f"must be one of {', '.join(IDENTITY_TYPES)}")
    identity_number = ""
    if identity_type in IDENTITY_TYPES:
        try:
            identity_number = validate_identity(identity_type, value["identity_number"])
        except ValueError as error:
            problem("identity_number", _identity_problem(identity_type, value["identity_number"],
                                                         str(error)))
    names = {}
    for column in NAME_COLUMNS:
        names[column], error = _name(value[column], column.endswith("_ar"))
        if error == "REQUIRED" and column not in OPTIONAL_NAME_COLUMNS:
            problem(column, "required")
        elif error == "INVALID":
            script = "Arabic" if column.endswith("_ar") else "Latin"
            problem(column, f"must be {script} letters (at most 50, words joined by a "
                            "space, hyphen or apostrophe)")
    born = _date(value, "date_of_birth", problem)
    if born is not None:
        try:
            validate_birth_date(born, today)
        except ValueError as error:
            problem("date_of_birth", "too recent: a practitioner is at least 17 years old"
                    if str(error) == "NOT_ALLOWED" else "in the future or over 100 years ago")
    gender = _code(value, "gender", problem, ("M", "F").__contains__, "must be M or F")
    nationality = _code(value, "nationality", problem, codes.is_country,
                        "not an ISO 3166 alpha-2 country code (like SA, EG, IN)")
    category = _code(value, "category", problem, codes.LABELS["category"].__contains__,
                     f"must be one of {', '.join(codes.LABELS['category'])}")
    specialty = codes.specialty_code(value["specialty"])
    if not value["specialty"]:
        problem("specialty", "required")
    elif specialty is None:
        problem("specialty", f"unknown specialty {value['specialty']!r} (a code or English "
                             "name of the specialties list)")
    elif codes.is_code("category", category) and category not in codes.specialty_categories(
            specialty):
        problem("specialty", f"{specialty} is not a specialty of {category}")
    rank = value["rank"].upper()
    if not rank:
        problem("rank", "required")
    elif codes.is_code("category", category) and not codes.is_rank_of(category, rank):
        problem("rank", f"{rank} is not a rank of {category} (one of "
                        f"{', '.join(codes.ranks_for(category))})")
    valid_from = _date(value, "registration_valid_from", problem)
    valid_until = _date(value, "registration_valid_until", problem)
    if valid_from and valid_until and valid_until <= valid_from:
        problem("registration_valid_until", "must be after registration_valid_from")
    if problems:
        row.reason = "; ".join(problems)
        return row
    row.number = number
    row.person = {"identity_type": identity_type, "identity_number": identity_number, **names,
                  "date_of_birth": born, "gender": gender, "nationality": nationality,
                  "category": category, "specialty": specialty, "rank": rank}
    row.registration = {"rank": rank, "specialty": specialty, "valid_from": valid_from,
                        "valid_until": valid_until}
    return row


@lru_cache(maxsize=1 << 16)
def _name(text: str, arabic: bool) -> tuple[str, str | None]:
    """(the name part as stored, None) or ("", error code); names repeat, so it is cached."""
    try:
        return (validate_arabic_name_part if arabic else validate_latin_name_part)(text), None
    except ValueError as error:
        return "", str(error)


def _code(value: dict[str, str], column: str, problem, valid, message: str) -> str:
    """The code upper-cased; a problem when it is empty or not `valid`."""
    code = value[column].upper()
    if not code:
        problem(column, "required")
    elif not valid(code):
        problem(column, message)
    return code


def _identity_problem(identity_type: str, number: str, code: str) -> str:
    if code == "REQUIRED":
        return "required"
    if identity_type == "PASSPORT":
        return "not a passport number (6 to 9 letters and digits)"
    compact = re.sub(r"[\s-]+", "", normalize_digits(number))
    if code == "MISMATCH":
        other = "NATIONAL_ID" if identity_type == "IQAMA" else "IQAMA"
        return f"this is {_ID_LABEL[other]} number, but identity_type is {identity_type}"
    if _SAUDI_LIKE.fullmatch(compact):
        return "the check digit (the last digit) is wrong"
    first = "1" if identity_type == "NATIONAL_ID" else "2"
    return f"not {_ID_LABEL[identity_type]} number (10 digits starting with {first})"


def _date(value: dict[str, str], column: str, problem) -> dt.date | None:
    text = normalize_digits(value[column])
    if not text:
        problem(column, "required")
        return None
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    problem(column, f"not a date like 2024-03-31: {value[column]!r}")
    return None


# ------------------------------------------------------------------ writing a batch

async def _flush(batch: list[Row], summary: ImportSummary, rejected, seen_numbers: dict,
                 seen_identities: dict) -> None:
    if not batch:
        return
    reasons = {row.line: row.reason for row in batch if row.person is None}
    good = [row for row in batch if row.person is not None]
    outcome = (0, 0, 0, {}, {}, {})
    for attempt in range(RETRIES if good else 0):
        try:
            async with in_transaction() as connection:
                outcome = await _store(connection, good, seen_numbers, seen_identities)
            break
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    created, updated, unchanged, refused, numbers, identities = outcome
    seen_numbers.update(numbers)
    seen_identities.update(identities)
    reasons.update(refused)
    summary.created += created
    summary.updated += updated
    summary.unchanged += unchanged
    summary.rejected += len(reasons)
    for row in batch:
        if row.line in reasons:
            rejected.writerow([*row.raw, row.line, reasons[row.line]])


async def _store(connection, rows: list[Row], seen_numbers: dict, seen_identities: dict):
    """Looks the batch up (four queries, as plain values), decides each row, writes with
    bulk statements. Returns counts, the reasons of refused rows, and what it accepted."""
    registrations = {r["number"]: r for r in await Registration.filter(
        number__in=[row.number for row in rows]).values("id", "number", "practitioner_id",
                                                         *REGISTRATION_FIELDS)}
    practitioners = {p["id"]: p for p in await Practitioner.filter(
        id__in=[r["practitioner_id"] for r in registrations.values()],
    ).values("id", *PRACTITIONER_FIELDS)}
    holders = {(t, n): pid for pid, t, n in await Practitioner.filter(
        identity_number__in=list({row.person["identity_number"] for row in rows}),
    ).values_list("id", "identity_type", "identity_number")}
    numbers: dict[str, int] = {}
    identities: dict[tuple[str, str], tuple[str, int]] = {}
    conflicts: dict[int, object] = {}  # line → the practitioner id holding its identity
    refused: dict[int, str] = {}
    new_people, new_registrations, people, registrations_changed, changes = [], [], [], [], []
    updated = unchanged = 0
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        earlier = numbers.get(row.number) or seen_numbers.get(row.number)
        if earlier:
            refused[row.line] = f"registration_number: already on line {earlier} of this file"
            continue
        twin = identities.get(row.identity) or seen_identities.get(row.identity)
        if twin:
            refused[row.line] = (f"identity_number: the same identity is on line {twin[1]} "
                                 f"with registration number {twin[0]}")
            continue
        registration = registrations.get(row.number)
        holder = holders.get(row.identity)
        if holder is not None and (registration is None
                                   or holder != registration["practitioner_id"]):
            conflicts[row.line] = holder
            continue
        numbers[row.number] = row.line
        identities[row.identity] = (row.number, row.line)
        if registration is None:
            person = Practitioner(id=uuid.uuid4(), **row.person)
            new_people.append(person)
            new_registrations.append(Registration(practitioner_id=person.id, number=row.number,
                                                  **row.registration))
            continue
        person = practitioners[registration["practitioner_id"]]
        diff = _changed(person, row.person, people, now)
        diff |= _changed(registration, row.registration, registrations_changed, now)
        if diff:
            updated += 1
            changes.append(RecordChange(practitioner_id=person["id"], what=RECORD_CHANGE,
                                        changes=diff))
        else:
            unchanged += 1
    if conflicts:
        owners = dict(await Registration.filter(practitioner_id__in=list(conflicts.values()))
                      .values_list("practitioner_id", "number"))
        for line, holder in conflicts.items():
            owner = owners.get(holder)
            refused[line] = ("identity_number: this identity already belongs to registration "
                             f"number {owner}" if owner else "identity_number: this identity "
                             "already belongs to another practitioner record (without a "
                             "registration)")
    if new_people:
        await Practitioner.bulk_create(new_people)
        await Registration.bulk_create(new_registrations)
    await _update_each(connection, Practitioner, people, [*PRACTITIONER_FIELDS, "updated_at"])
    await _update_each(connection, Registration, registrations_changed,
                       [*REGISTRATION_FIELDS, "updated_at"])
    if changes:
        await RecordChange.bulk_create(changes)
    return len(new_people), updated, unchanged, refused, numbers, identities


def _changed(current: dict, values: dict, to_update: list, now: dt.datetime) -> dict:
    """The values that differ, as {field: [before, after]}; when any does, `current` takes
    the new values and joins `to_update`."""
    diff = {name: [_plain(current[name]), _plain(new)] for name, new in values.items()
            if current[name] != new}
    if diff:
        current.update(values, updated_at=now)
        to_update.append(current)
    return diff


async def _update_each(connection, model, records: list[dict], fields: list[str]) -> None:
    """One `UPDATE … WHERE id = ?` prepared once and run for every record (executemany),
    with Tortoise's own SQL and value conversion: with this many columns it is far faster
    than `bulk_update`, whose CASE expressions grow with rows × columns."""
    if not records:
        return
    sql = connection.executor_class(model=model, db=connection).get_update_sql(fields, None)
    columns, pk = [model._meta.fields_map[name] for name in fields], model._meta.pk
    await connection.execute_many(sql, [
        [column.to_db_value(record[column.model_field_name], None) for column in columns]
        + [pk.to_db_value(record["id"], None)] for record in records])


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value
