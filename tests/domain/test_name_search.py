"""The spellings the public register treats as equal (docs/contract/README.md) reduce to the
same search terms, and a query matches a stored name exactly when it should."""

import pytest

from server.domain.name_search import (
    FAMILY,
    GIVEN,
    indexed_terms,
    name_terms,
    query_terms,
)

# Each group: spellings that must be one name to the search.
EQUIVALENT = {
    "alef forms": ["أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"],
    "ta marbuta and ha at the end": ["فاطمة", "فاطمه"],
    "alef maqsura and ya": ["مصطفى", "مصطفي"],
    "waw with hamza": ["مؤمن", "مومن"],
    "ya with hamza": ["هانئ", "هاني"],
    "fatha damma shadda": ["مُحَمَّد", "محمد", "مُحمّد"],
    "kasra and tanwin": ["رِضًا", "رضا"],
    "damma tanwin": ["حَسَنٌ", "حسن"],
    "sukun": ["مُحْسِن", "محسن"],
    "tatweel": ["محـــمد", "محمد"],
    "abd allah joined or not": ["عبد الله", "عبدالله"],
    "Mohammed": ["Mohammed", "Muhammad", "Mohamed", "Mohamad"],
    "Abdulrahman": ["Abdulrahman", "Abdul Rahman", "Abd al-Rahman"],
    "Al-Qahtani": ["Al-Qahtani", "Al Qahtani", "Alqahtani"],
    "Yousef": ["Yousef", "Yusuf", "Youssef"],
    "case": ["SARA", "sara", "Sara"],
    "accents": ["José", "Jose", "JOSÉ"],
    "diaeresis": ["Zoë", "Zoe"],
    "hyphens": ["Abu-Bakr", "Abu Bakr"],
}


GROUPS = [pytest.param(spellings[0], spelling, id=f"{name}: {spelling}")
          for name, spellings in EQUIVALENT.items() for spelling in spellings[1:]]


@pytest.mark.parametrize(("first", "other"), GROUPS)
def test_equal_spellings_search_alike(first, other):
    assert name_terms(first) == name_terms(other)
    stored = indexed_terms([first], [])
    for query in (other, first):
        assert _matches(stored, query), (first, other)
    assert _matches(indexed_terms([other], []), first)


def test_each_diacritic_alone_is_ignored():
    for marked, bare in [("رِضًا", "رضا"), ("حَسَنٌ", "حسن"), ("مُحْسِن", "محسن"),
                         ("سَعِيد", "سعيد"), ("بِنٍ", "بن")]:
        assert name_terms(marked) == name_terms(bare)


def _matches(stored: str, query: str, mark: str = "") -> bool:
    terms = stored.split()
    return all(any(t.startswith(q) for t in terms) for q in query_terms(query, mark))


@pytest.mark.parametrize(("query", "found"), [
    ("Moh", True), ("Muham", True), ("mohamed qahtani", True), ("Qahtani Mohammed", True),
    ("القحطاني", True), ("قحطاني", True), ("محمد القحط", True), ("Sara", False),
    ("Mahmoud", False), ("عبدالرحمن", False), ("Al-Qahtani Yusuf", False),
])
def test_every_word_must_start_a_name_part_in_any_order(query, found):
    stored = indexed_terms(["محمد", "Mohammed"], ["القحطاني", "Al-Qahtani"])
    assert _matches(stored, query) is found


def test_given_and_family_are_searchable_apart():
    stored = indexed_terms(["Yousef", "Ali"], ["Al Harbi"])
    assert _matches(stored, "Yusuf", GIVEN)
    assert not _matches(stored, "Yusuf", FAMILY)
    assert _matches(stored, "Harbi", FAMILY)
    assert _matches(stored, "Alharbi", FAMILY)
    assert not _matches(stored, "Harbi", GIVEN)


def test_a_join_never_spans_two_name_parts():
    # "Abd" as the end of one part and "Allah" as the next are two names, not Abdallah.
    assert not _matches(indexed_terms(["Abd", "Allah"], []), "Abdallah")
    assert _matches(indexed_terms(["Abd Allah"], []), "Abdullah")


@pytest.mark.parametrize("query", ["", "ab", "م", "مح", " a - b ", "12", "ًٌٍَُِ", "ـــ"])
def test_a_query_under_three_letters_is_invalid(query):
    with pytest.raises(ValueError, match="INVALID"):
        query_terms(query)


def test_three_letters_are_enough_and_terms_are_capped():
    assert query_terms("Ali") == ["ala"]
    assert len(query_terms("one two three four five six seven eight")) == 6


def test_stored_terms_are_spaced_for_a_prefix_like():
    stored = indexed_terms(["Sara"], ["Al-Harbi"])
    assert stored.startswith(" ") and stored.endswith(" ")
    assert f" {FAMILY}alharba " in stored and " harba " in stored
    assert indexed_terms([None, ""], [""]) == ""


def test_a_name_stored_without_its_article_is_found_with_it():
    stored = indexed_terms(["Salem"], ["Qahtani", "قحطاني"])
    assert _matches(stored, "Al-Qahtani") and _matches(stored, "القحطاني")
    assert query_terms("Al Qahtani") == ["qahtana"]
