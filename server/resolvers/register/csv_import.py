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
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import clock
from server.models.practitioners import Practitioner, RecordChange, Registration, name_search_of
from server.resolvers.employers.events import registrations_imported
from server.resolvers.register.csv_rows import COLUMNS, NAME_COLUMNS, Row, validated

PRACTITIONER_FIELDS = ("identity_type", "identity_number", *NAME_COLUMNS, "date_of_birth",
                       "gender", "nationality", "category", "specialty", "rank")
REGISTRATION_FIELDS = ("rank", "specialty", "valid_from", "valid_until")
BATCH_SIZE = 2000  # rows read per transaction
RETRIES = 3  # a batch that meets a concurrent write is looked up and tried again
RECORD_CHANGE = "REGISTRY_UPDATED"


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


Progress = Callable[[int, int], None]  # (rows read so far, estimated rows in the file)


async def import_practitioners(path: str | Path, *, today: dt.date | None = None,
                               progress: Progress | None = None,
                               batch_size: int = BATCH_SIZE) -> ImportSummary:
    """Imports the registry CSV at `path` (see the module's docstring); raises
    ImportFileError when the file as a whole cannot be read."""
    started = time.perf_counter()
    path = Path(path)
    today = today or clock.today()
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
                    batch.append(validated(Row(line, values), header, index, today))
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
    ).values("id", *PRACTITIONER_FIELDS, "name_search")}
    holders = {(t, n): pid for pid, t, n in await Practitioner.filter(
        identity_number__in=list({row.person["identity_number"] for row in rows}),
    ).values_list("id", "identity_type", "identity_number")}
    numbers: dict[str, int] = {}
    identities: dict[tuple[str, str], tuple[str, int]] = {}
    conflicts: dict[int, object] = {}  # line → the practitioner id holding its identity
    refused: dict[int, str] = {}
    new_people, new_registrations, people, registrations_changed, changes = [], [], [], [], []
    updated = unchanged = 0
    now = clock.now()
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
            # bulk_create bypasses save(): the search terms are written here.
            person = Practitioner(id=uuid.uuid4(), **row.person,
                                  name_search=name_search_of(row.person))
            new_people.append(person)
            new_registrations.append(Registration(practitioner_id=person.id, number=row.number,
                                                  **row.registration))
            continue
        person = practitioners[registration["practitioner_id"]]
        diff = _changed(person, {**row.person, "name_search": name_search_of(row.person)},
                        people, now)
        diff.pop("name_search", None)  # derived, not a change the record history shows
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
    await _update_each(connection, Practitioner, people,
                       [*PRACTITIONER_FIELDS, "name_search", "updated_at"])
    await _update_each(connection, Registration, registrations_changed,
                       [*REGISTRATION_FIELDS, "updated_at"])
    if changes:
        await RecordChange.bulk_create(changes)
    # The change feed (employers' systems stay in sync): every registration this batch
    # created or changed, its register entry's names included, as it is now.
    renamed = {person["id"] for person in people}
    touched = {row.number for row in new_registrations} | {
        r["number"] for r in registrations_changed} | {
        r["number"] for r in registrations.values() if r["practitioner_id"] in renamed}
    if touched:
        await registrations_imported(await Registration.filter(number__in=sorted(touched)).values(
            "id", "number", "valid_until", "suspended"))
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
