"""Demonstration registry records for `sijil demo`: about 200 generated practitioners and
three documented ones to try claiming a record with, all loaded through the real CSV
import (`server.resolvers.register.csv_import`).

Idempotent: once the documented records exist, running it again changes nothing (dates
are relative to the day of the first run, so renewing a demo registration sticks).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import tempfile
from pathlib import Path

from server import clock
from server.config import ROOT, Settings
from server.domain.applications import renewal_window_open
from server.domain.dates import add_years
from server.models.practitioners import Practitioner, Registration
from server.resolvers.register.csv_import import COLUMNS, import_practitioners

DEMO_SEED = 2024
DEMO_COUNT = 200

# (registration number, identity type and number, date of birth, names Arabic and English
# (first, father, grandfather, family), gender, nationality, category, specialty, rank,
# days until the registration expires, its length in years, what to try with it)
DOCUMENTED = [
    ("24-R-0000101", "NATIONAL_ID", "1000000008", dt.date(1985, 4, 12),
     ("سارة", "محمد", "علي", "القحطاني"), ("Sara", "Mohammed", "Ali", "Al-Qahtani"), "F", "SA",
     "PHYSICIAN", "INTERNAL_MEDICINE", "CONSULTANT", 60, 3,
     "physician, consultant in internal medicine"),
    ("21-R-0000102", "IQAMA", "2000000006", dt.date(1979, 9, 23),
     ("مريم", "أحمد", "محمود", "المصري"), ("Maryam", "Ahmed", "Mahmoud", "Elmasry"), "F", "EG",
     "NURSE", "GENERAL_NURSING", "SENIOR_SPECIALIST", -45, 3,
     "nurse, senior specialist in general nursing"),
    ("23-R-0000103", "NATIONAL_ID", "1000000016", dt.date(1990, 1, 30),
     ("فهد", "ناصر", "سعود", "العتيبي"), ("Fahad", "Nasser", "Saud", "Al-Otaibi"), "M", "SA",
     "PHARMACIST", "CLINICAL_PHARMACY", "SENIOR_PHARMACIST", 700, 3,
     "senior pharmacist in clinical pharmacy"),
]


def documented_rows(today: dt.date) -> list[list[str]]:
    rows = []
    for (number, kind, identity, born, arabic, english, gender, nationality, category,
         specialty, rank, days, years, _) in DOCUMENTED:
        valid_until = today + dt.timedelta(days=days)
        valid_from = add_years(valid_until + dt.timedelta(days=1), -years)
        rows.append([number, kind, identity, *arabic, *english, born.isoformat(), gender,
                     nationality, category, specialty, rank, valid_from.isoformat(),
                     valid_until.isoformat()])
    return rows


def _generator():
    """bench/generate_registry.py of the checkout (the demo runs from one), or None."""
    path = ROOT / "bench" / "generate_registry.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("bench.generate_registry", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def _status(valid_until: dt.date, today: dt.date) -> str:
    if valid_until < today:
        return f"expired on {valid_until}, renewal open"
    if renewal_window_open(valid_until, today):
        return f"valid until {valid_until}, renewal open"
    return f"valid until {valid_until}"


async def load_registry_demo(settings: Settings) -> list[str]:
    numbers = [record[0] for record in DOCUMENTED]
    lines = []
    if await Registration.filter(number__in=numbers).count() < len(numbers):
        today = clock.today()
        generator = _generator()
        generated = list(generator.generate_rows(DEMO_COUNT, DEMO_SEED, today=today)) \
            if generator else []
        with tempfile.TemporaryDirectory(prefix="sijil-demo-") as directory:
            path = _write_csv(Path(directory) / "registry-demo.csv",
                              [*generated, *documented_rows(today)])
            summary = await import_practitioners(path, today=today)
        lines.append(f"Registry: {summary.created} practitioners imported "
                     f"({summary.rejected} rejected).")
    registrations = {r.number: r for r in await Registration.filter(number__in=numbers)}
    people = {p.id: p for p in await Practitioner.filter(
        id__in=[r.practitioner_id for r in registrations.values()])}
    lines.append("Registry records to claim (registration number, identity number, date of "
                 "birth):")
    for number, *_, what in DOCUMENTED:
        registration = registrations.get(number)
        if registration is None:
            continue
        person = people[registration.practitioner_id]
        claimed = " (already claimed)" if person.account_id else ""
        lines.append(f"  {number}  {person.identity_number}  {person.date_of_birth}  "
                     f"{person.first_name_en} {person.family_name_en}, {what}; "
                     f"{_status(registration.valid_until, clock.today())}{claimed}")
    return lines
