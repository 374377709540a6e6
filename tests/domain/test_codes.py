import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import codes_data
from server.domain.codes import (
    COUNTRIES,
    LABELS,
    choices,
    is_country,
    is_rank_of,
    label,
    rank_order,
    ranks_for,
    sort_key,
    specialties_for,
    specialty_code,
)

CONTRACT_CATEGORIES = ["PHYSICIAN", "DENTIST", "PHARMACIST", "NURSE", "ALLIED_HEALTH"]
CONTRACT_RANKS = {
    "PHYSICIAN": ["GENERAL_PRACTITIONER", "RESIDENT", "REGISTRAR", "SENIOR_REGISTRAR",
                  "CONSULTANT"],
    "DENTIST": ["GENERAL_PRACTITIONER", "RESIDENT", "REGISTRAR", "SENIOR_REGISTRAR",
                "CONSULTANT"],
    "PHARMACIST": ["PHARMACIST", "SENIOR_PHARMACIST", "CONSULTANT_PHARMACIST"],
    "NURSE": ["TECHNICIAN", "SPECIALIST", "SENIOR_SPECIALIST", "CONSULTANT"],
    "ALLIED_HEALTH": ["TECHNICIAN", "SPECIALIST", "SENIOR_SPECIALIST", "CONSULTANT"],
}
CONTRACT_DOCUMENT_KINDS = [
    "EXPERIENCE_CERTIFICATE", "EMPLOYER_LETTER", "LICENSE", "QUALIFICATION_CERTIFICATE",
    "CPD_CERTIFICATE", "MEDICAL_FITNESS_REPORT", "BLS_CERTIFICATE", "PHOTO", "EVIDENCE", "OTHER",
]
ARABIC = re.compile(r"[\u0600-\u06ff]")
specialty_codes = st.sampled_from(sorted(codes_data.SPECIALTIES))


def test_the_codes_are_exactly_the_contracts():
    assert list(codes_data.CATEGORIES) == CONTRACT_CATEGORIES
    assert {c: list(ranks_for(c)) for c in CONTRACT_CATEGORIES} == CONTRACT_RANKS
    assert list(codes_data.ORGANIZATION_TYPES) == [
        "GOVERNMENT", "PRIVATE", "MILITARY", "UNIVERSITY", "OTHER"]
    assert list(codes_data.DOCUMENT_KINDS) == CONTRACT_DOCUMENT_KINDS
    assert set(codes_data.RANKS) == {r for ranks in CONTRACT_RANKS.values() for r in ranks}


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_every_code_has_an_arabic_and_an_english_label(kind):
    for code, (arabic, english) in LABELS[kind].items():
        assert arabic.strip() and english.strip(), code
        if kind not in ("payment_method",):
            assert ARABIC.search(arabic), (kind, code)
            assert not ARABIC.search(english), (kind, code)


def test_ranks_run_from_lowest_to_highest():
    assert rank_order("PHYSICIAN", "GENERAL_PRACTITIONER") == 0
    assert rank_order("PHYSICIAN", "CONSULTANT") == 4
    assert rank_order("NURSE", "CONSULTANT") == 3
    assert rank_order("PHARMACIST", "SENIOR_PHARMACIST") > rank_order("PHARMACIST", "PHARMACIST")


def test_a_rank_of_another_category_has_no_order():
    with pytest.raises(ValueError, match="INVALID"):
        rank_order("PHARMACIST", "CONSULTANT")
    assert not is_rank_of("NURSE", "RESIDENT")
    assert ranks_for("ASTRONAUT") == ()


def test_the_specialty_list_is_realistic_and_covers_every_category():
    assert len(codes_data.SPECIALTIES) >= 60
    for category in CONTRACT_CATEGORIES:
        assert specialties_for(category), category
    for code in ("INTERNAL_MEDICINE", "GENERAL_SURGERY", "PEDIATRICS", "FAMILY_MEDICINE",
                 "CLINICAL_PHARMACY", "NURSING", "GENERAL_NURSING", "MIDWIFERY",
                 "PHYSIOTHERAPY", "RADIOLOGY_TECHNOLOGY", "LABORATORY", "RESPIRATORY_THERAPY",
                 "DENTISTRY_GENERAL", "ORTHODONTICS"):
        assert code in codes_data.SPECIALTIES
    for _, _, categories in codes_data.SPECIALTIES.values():
        assert set(categories) <= set(CONTRACT_CATEGORIES)


def test_a_specialty_is_found_by_its_code_or_its_english_name():
    assert specialty_code("INTERNAL_MEDICINE") == "INTERNAL_MEDICINE"
    assert specialty_code("Internal Medicine") == "INTERNAL_MEDICINE"
    assert specialty_code("  internal   MEDICINE ") == "INTERNAL_MEDICINE"
    assert specialty_code("internal_medicine") == "INTERNAL_MEDICINE"
    assert specialty_code("Obstetrics and Gynecology") == "OBSTETRICS_GYNECOLOGY"
    assert specialty_code("الطب الباطني") == "INTERNAL_MEDICINE"
    assert specialty_code("Astrology") is None
    assert specialty_code("") is None
    assert specialty_code(None) is None


def test_no_two_specialties_share_a_name():
    for code, (arabic, english, _) in codes_data.SPECIALTIES.items():
        assert specialty_code(english) == code
        assert specialty_code(arabic) == code


@given(specialty_codes, st.sampled_from(["en", "code"]), st.sampled_from(
    [str.lower, str.upper, str.title, lambda s: s]))
def test_every_specialty_is_found_whatever_the_case(code, spelling, case):
    text = label("specialty", code, "en") if spelling == "en" else code
    assert specialty_code(case(text)) == code


def test_countries_are_the_iso_list_in_both_languages():
    assert 245 <= len(COUNTRIES) <= 251
    assert label("country", "SA", "en") == "Saudi Arabia"
    assert label("country", "SA", "ar") == "المملكة العربية السعودية"
    assert label("country", "EG", "ar") == "مصر"
    assert label("country", "PS", "en") == "Palestine"
    for code in ("SA", "EG", "IN", "PH", "PK", "US", "GB", "JO", "SD", "XK"):
        assert is_country(code), code
    for code in ("EU", "UN", "ZZ", "QO", "EZ", "XA", "AC", "sa", "SAU", "", None):
        assert not is_country(code), code
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in COUNTRIES)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_countries_are_offered_in_alphabetical_order_of_the_language(lang):
    offered = choices("country", lang)
    assert len(offered) == len(COUNTRIES)
    keys = [sort_key(name, lang) for _, name in offered]
    assert keys == sorted(keys)


def test_english_country_names_ignore_accents_when_sorted():
    names = [name for _, name in choices("country", "en")]
    assert names.index("Åland Islands") < names.index("Albania")


def test_short_lists_keep_their_meaningful_order():
    assert [code for code, _ in choices("organization_type", "en")][-1] == "OTHER"
    assert [code for code, _ in choices("category", "ar")] == CONTRACT_CATEGORIES


def test_rank_choices_for_a_category_run_lowest_first():
    assert choices("rank", "en", category="PHARMACIST") == [
        ("PHARMACIST", "Pharmacist"),
        ("SENIOR_PHARMACIST", "Senior Pharmacist"),
        ("CONSULTANT_PHARMACIST", "Consultant Pharmacist"),
    ]


def test_specialty_choices_for_a_category_are_only_its_own():
    offered = {code for code, _ in choices("specialty", "ar", category="DENTIST")}
    assert "ORTHODONTICS" in offered
    assert "INTERNAL_MEDICINE" not in offered


def test_an_unknown_code_has_no_label_and_an_unknown_language_is_a_bug():
    assert label("category", "ASTRONAUT", "en") is None
    with pytest.raises(ValueError):
        label("category", "NURSE", "fr")
    with pytest.raises(KeyError):
        label("planet", "EARTH", "en")
