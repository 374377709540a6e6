"""A realistic registry CSV for `sijil import-practitioners`: N practitioners with four-part
Arabic and English names, valid national IDs and Iqamas, categories, ranks and specialties
from the registry's codes, and registrations current, due for renewal or expired.

Deterministic: the same `n`, `seed` and `today` give the same file. 100,000 rows take a
couple of seconds.

    python -m bench.generate_registry OUT.csv [-n 100000] [--seed 1] [--renewed]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from server import clock
from server.domain import codes
from server.domain import codes_data as data
from server.domain.applications import format_registration_number, registration_valid_until
from server.domain.dates import add_years
from server.domain.identity import saudi_id_check_digit
from server.resolvers.register.csv_import import COLUMNS

# (Arabic, English). Fathers and grandfathers are drawn from the men's names.
MEN = [
    ("محمد", "Mohammed"), ("عبدالله", "Abdullah"), ("عبدالرحمن", "Abdulrahman"),
    ("فهد", "Fahad"), ("خالد", "Khalid"), ("سعود", "Saud"), ("سلطان", "Sultan"),
    ("ناصر", "Nasser"), ("تركي", "Turki"), ("بندر", "Bandar"), ("فيصل", "Faisal"),
    ("سعد", "Saad"), ("عبدالعزيز", "Abdulaziz"), ("ماجد", "Majed"), ("نايف", "Naif"),
    ("مشعل", "Mishal"), ("يوسف", "Yousef"), ("إبراهيم", "Ibrahim"), ("أحمد", "Ahmed"),
    ("علي", "Ali"), ("عمر", "Omar"), ("حسن", "Hassan"), ("حسين", "Hussein"),
    ("صالح", "Saleh"), ("سليمان", "Sulaiman"), ("منصور", "Mansour"), ("راشد", "Rashid"),
    ("حمد", "Hamad"), ("ياسر", "Yasser"), ("طارق", "Tariq"), ("وليد", "Waleed"),
    ("زياد", "Ziyad"), ("عادل", "Adel"), ("مازن", "Mazen"), ("هاني", "Hani"),
    ("سامي", "Sami"), ("بدر", "Badr"), ("مشاري", "Mishari"), ("عبدالمجيد", "Abdulmajeed"),
    ("عبدالملك", "Abdulmalik"), ("مساعد", "Musaed"), ("ثامر", "Thamer"), ("نواف", "Nawaf"),
    ("متعب", "Mutaib"), ("رائد", "Raed"), ("أنس", "Anas"), ("معاذ", "Muath"),
    ("حمزة", "Hamza"), ("مصطفى", "Mostafa"), ("محمود", "Mahmoud"), ("كريم", "Karim"),
    ("عمرو", "Amr"), ("أسامة", "Osama"), ("هشام", "Hisham"), ("عثمان", "Othman"),
]
WOMEN = [
    ("نورة", "Noura"), ("سارة", "Sarah"), ("فاطمة", "Fatimah"), ("مريم", "Maryam"),
    ("عائشة", "Aisha"), ("ريم", "Reem"), ("هيفاء", "Haifa"), ("لطيفة", "Latifah"),
    ("منيرة", "Munirah"), ("الجوهرة", "Aljawhara"), ("أمل", "Amal"), ("هند", "Hind"),
    ("دانة", "Dana"), ("لمى", "Lama"), ("رهف", "Rahaf"), ("شهد", "Shahad"),
    ("جواهر", "Jawaher"), ("مها", "Maha"), ("نوف", "Nouf"), ("عبير", "Abeer"),
    ("خلود", "Kholoud"), ("أسماء", "Asma"), ("هيا", "Haya"), ("غادة", "Ghada"),
    ("رنا", "Rana"), ("ليلى", "Layla"), ("سلمى", "Salma"), ("ندى", "Nada"),
    ("وعد", "Waad"), ("أروى", "Arwa"), ("ياسمين", "Yasmin"), ("دعاء", "Doaa"),
]
SAUDI_FAMILIES = [
    ("العتيبي", "Al-Otaibi"), ("القحطاني", "Al-Qahtani"), ("الغامدي", "Al-Ghamdi"),
    ("الزهراني", "Al-Zahrani"), ("الشهري", "Al-Shehri"), ("الدوسري", "Al-Dosari"),
    ("الحربي", "Al-Harbi"), ("المطيري", "Al-Mutairi"), ("العنزي", "Al-Anazi"),
    ("الشمري", "Al-Shammari"), ("السبيعي", "Al-Subaie"), ("الرشيدي", "Al-Rashidi"),
    ("العمري", "Al-Omari"), ("المالكي", "Al-Malki"), ("الأحمدي", "Al-Ahmadi"),
    ("السهلي", "Al-Sahli"), ("البقمي", "Al-Buqami"), ("الجهني", "Al-Juhani"),
    ("البلوي", "Al-Balawi"), ("الشريف", "Al-Sharif"), ("الفيفي", "Al-Faifi"),
    ("العسيري", "Al-Asiri"), ("الخالدي", "Al-Khalidi"), ("التميمي", "Al-Tamimi"),
    ("السديري", "Al-Sudairi"), ("الراشد", "Al-Rashed"), ("الحمدان", "Al-Hamdan"),
    ("الدخيل", "Al-Dakheel"), ("باعشن", "Baeshen"), ("الجفري", "Al-Jifri"),
    ("العطاس", "Al-Attas"), ("الحارثي", "Al-Harthi"), ("اليامي", "Al-Yami"),
    ("الرويلي", "Al-Ruwaili"), ("المري", "Al-Marri"), ("آل الشيخ", "Al Al-Sheikh"),
]
ARAB_FAMILIES = [  # Egypt, Jordan, Sudan, Syria, Yemen
    ("المصري", "Elmasry"), ("الشافعي", "Elshafei"), ("سليم", "Selim"), ("فرج", "Farag"),
    ("النجار", "Elnaggar"), ("عبدالفتاح", "Abdelfattah"), ("الخطيب", "Al-Khatib"),
    ("حداد", "Haddad"), ("العبادي", "Al-Abbadi"), ("المجالي", "Al-Majali"),
    ("عبدالرحيم", "Abdelrahim"), ("الأمين", "Elamin"), ("الحلبي", "Al-Halabi"),
    ("الأحمر", "Al-Ahmar"), ("يوسف", "Youssef"), ("درويش", "Darwish"),
]
# Nationalities that do not use the four-part Arabic name: (men, women, family names).
OTHER_NAMES = {
    "IN": ([("راجيش", "Rajesh"), ("أنيل", "Anil"), ("سونيل", "Sunil"), ("سانجاي", "Sanjay")],
           [("بريا", "Priya"), ("أنجلي", "Anjali"), ("ديبا", "Deepa"), ("ليني", "Leny")],
           [("كومار", "Kumar"), ("ناير", "Nair"), ("مينون", "Menon"), ("شارما", "Sharma"),
            ("فارغيز", "Varghese"), ("توماس", "Thomas"), ("جوزيف", "Joseph"),
            ("بيلاي", "Pillai")]),
    "PH": ([("جون", "John"), ("مارك", "Mark"), ("أنجيلو", "Angelo"), ("رامون", "Ramon")],
           [("ماريا", "Maria"), ("جوسلين", "Jocelyn"), ("روزاليندا", "Rosalinda"),
            ("ماريسيل", "Maricel"), ("كريستين", "Kristine")],
           [("سانتوس", "Santos"), ("رييس", "Reyes"), ("كروز", "Cruz"),
            ("باوتيستا", "Bautista"), ("غارسيا", "Garcia"), ("ميندوزا", "Mendoza"),
            ("توريس", "Torres"), ("فلوريس", "Flores")]),
    "PK": ([("عمران", "Imran"), ("عاصف", "Asif"), ("بلال", "Bilal"), ("حمزة", "Hamza")],
           [("عائشة", "Ayesha"), ("صبا", "Saba"), ("زينب", "Zainab"), ("سدرة", "Sidra")],
           [("خان", "Khan"), ("حسين", "Hussain"), ("شيخ", "Sheikh"), ("قريشي", "Qureshi"),
            ("ملك", "Malik"), ("تشودري", "Chaudhry"), ("بوت", "Butt"), ("رضا", "Raza")]),
    "BD": ([("شاكيل", "Shakil"), ("رفيق", "Rafiq")], [("تانيا", "Tania"), ("نسرين", "Nasrin")],
           [("حسين", "Hossain"), ("إسلام", "Islam"), ("أختر", "Akter")]),
}
NATIONALITIES = {"SA": 56, "EG": 10, "IN": 9, "PH": 8, "PK": 6, "JO": 4, "SD": 4, "SY": 2,
                 "YE": 1}
NURSE_NATIONALITIES = {"SA": 34, "PH": 30, "IN": 24, "PK": 4, "EG": 3, "JO": 3, "BD": 2}
CATEGORIES = {"NURSE": 38, "PHYSICIAN": 25, "ALLIED_HEALTH": 22, "PHARMACIST": 9,
              "DENTIST": 6}
WOMEN_SHARE = {"NURSE": 0.75, "PHYSICIAN": 0.3, "DENTIST": 0.4, "PHARMACIST": 0.45,
               "ALLIED_HEALTH": 0.4}
RANK_WEIGHTS = (40, 27, 18, 10, 5)  # lowest rank most common
# The age a practitioner of each rank (index in its category's ladder) usually is.
RANK_AGE = ((24, 34), (27, 40), (30, 48), (34, 55), (38, 64))
FIRST_SEQUENCE = 1000  # registration numbers 1–999 of each year stay free for fixtures


def _weighted(table: dict[str, int]) -> tuple[list[str], list[int]]:
    return list(table), list(table.values())


def _identity(kind: str, index: int, salt: int) -> str:
    """A distinct valid number per index: a bijection onto 10000000–99999999 (so never
    `10…`, which fixtures use), the type's first digit, and the Luhn check digit."""
    middle = 10_000_000 + (index * 7_919 + salt) % 90_000_000
    first_nine = ("1" if kind == "NATIONAL_ID" else "2") + str(middle)
    return first_nine + saudi_id_check_digit(first_nine)


def generate_rows(n: int, seed: int = 1, *, today: dt.date | None = None,
                  renewed: bool = False,
                  first_sequence: int = FIRST_SEQUENCE) -> Iterator[list[str]]:
    """Rows in `COLUMNS` order. `renewed` gives the same people with every registration
    renewed for a further period (an import of it updates every row)."""
    rng = random.Random(seed)
    today = today or clock.today()
    salt = rng.randrange(90_000_000)
    nationalities, nurse_nationalities = _weighted(NATIONALITIES), _weighted(NURSE_NATIONALITIES)
    categories = _weighted(CATEGORIES)
    specialties = {c: codes.specialties_for(c) for c in CATEGORIES}
    specialty_names = {code: english for code, (_, english, _) in data.SPECIALTIES.items()}
    for i in range(n):
        category = rng.choices(*categories)[0]
        table = nurse_nationalities if category == "NURSE" else nationalities
        nationality = rng.choices(*table)[0]
        woman = rng.random() < WOMEN_SHARE[category]
        if nationality in OTHER_NAMES:
            men, women, families = OTHER_NAMES[nationality]
            first, family = rng.choice(women if woman else men), rng.choice(families)
            father = grandfather = ("", "")
        else:
            families = SAUDI_FAMILIES if nationality == "SA" else ARAB_FAMILIES
            first = rng.choice(WOMEN if woman else MEN)
            father, grandfather, family = rng.choice(MEN), rng.choice(MEN), rng.choice(families)
        ranks = codes.ranks_for(category)
        level = rng.choices(range(len(ranks)), RANK_WEIGHTS[:len(ranks)])[0]
        low, high = RANK_AGE[level + (5 - len(ranks) if level else 0)]
        born = today - dt.timedelta(days=rng.randint(low * 365, high * 365))
        specialty = rng.choice(specialties[category])
        years = rng.choice((1, 3, 3, 5, 5))
        valid_until = today + dt.timedelta(days=rng.randint(-400, years * 365))
        valid_from = add_years(valid_until + dt.timedelta(days=1), -years)
        granted = max(valid_from.year - rng.randint(0, 8), born.year + 24)
        if renewed:
            valid_from = valid_until + dt.timedelta(days=1)
            valid_until = registration_valid_until(valid_from, years)
        kind = "NATIONAL_ID" if nationality == "SA" else "IQAMA"
        if kind == "IQAMA" and rng.random() < 0.01:
            kind, number = "PASSPORT", f"{chr(65 + i % 26)}{(i * 7_919 + salt) % 10**7:07d}"
        else:
            number = _identity(kind, i, salt)
        yield [
            format_registration_number(granted, first_sequence + i), kind, number,
            first[0], father[0], grandfather[0], family[0],
            first[1], father[1], grandfather[1], family[1],
            born.isoformat(), "F" if woman else "M", nationality, category,
            specialty_names[specialty] if rng.random() < 0.25 else specialty,
            ranks[level], valid_from.isoformat(), valid_until.isoformat(),
        ]


def write_csv(path: str | Path, n: int, seed: int = 1, **options) -> Path:
    """Writes the header and `n` rows (see `generate_rows`) to `path`."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(generate_rows(n, seed, **options))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--renewed", action="store_true")
    args = parser.parse_args(argv)
    write_csv(args.out, args.n, args.seed, renewed=args.renewed)
    print(f"{args.n:,} practitioners written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
