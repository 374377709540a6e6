import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.names import (
    MAX_NAME_PART_LENGTH,
    TATWEEL,
    full_name,
    validate_arabic_name_part,
    validate_latin_name_part,
)

ARABIC_LETTERS = "ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئةى"
HARAKAT = "\u064e\u064f\u0650\u0651\u0652\u064b\u064c\u064d"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâäçîïôöùûüñÉÀÇÖÜÑßøå"

arabic_words = st.lists(st.text(alphabet=ARABIC_LETTERS, min_size=1, max_size=8),
                        min_size=1, max_size=4)
latin_words = st.lists(st.text(alphabet=LATIN_LETTERS, min_size=1, max_size=8),
                       min_size=1, max_size=4)


def error_of(call, text) -> str:
    with pytest.raises(ValueError) as caught:
        call(text)
    return str(caught.value)


def test_an_arabic_name_part_with_diacritics_is_accepted_as_written():
    assert validate_arabic_name_part("مُحَمَّد") == "مُحَمَّد"


def test_tatweel_is_stripped_from_an_arabic_name():
    assert validate_arabic_name_part("عبـــدالله") == "عبدالله"


def test_a_compound_arabic_name_keeps_one_space_between_words():
    assert validate_arabic_name_part("  عبد   الرحمن ") == "عبد الرحمن"


def test_arabic_presentation_forms_become_ordinary_letters():
    assert validate_arabic_name_part("ﻋﻠﻲ") == "علي"


def test_invisible_direction_marks_from_copy_and_paste_are_dropped():
    assert validate_arabic_name_part("\u200fسارة\u200e") == "سارة"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        (TATWEEL * 3, "REQUIRED"),
        (None, "REQUIRED"),
        ("Ahmed", "INVALID"),
        ("أحمد1", "INVALID"),
        ("أحمد٣", "INVALID"),
        ("-أحمد", "INVALID"),
        ("أحمد--علي", "INVALID"),
        ("أحمد، علي", "INVALID"),
        ("\u064eأحمد", "INVALID"),  # a mark with no letter under it
        ("ب" * (MAX_NAME_PART_LENGTH + 1), "INVALID"),
    ],
)
def test_an_arabic_name_part_refuses_what_is_not_an_arabic_name(text, code):
    assert error_of(validate_arabic_name_part, text) == code


@given(arabic_words)
def test_arabic_words_are_valid_and_normalising_them_is_idempotent(words):
    name = " ".join(words)[:MAX_NAME_PART_LENGTH].strip()
    normalized = validate_arabic_name_part(name)
    assert validate_arabic_name_part(normalized) == normalized
    assert validate_arabic_name_part(f"  {TATWEEL}{name}  ".replace(" ", "   ")) == normalized


@given(st.text(alphabet=ARABIC_LETTERS, min_size=1, max_size=10),
       st.text(alphabet=HARAKAT, max_size=2))
def test_diacritics_after_a_letter_are_allowed(letters, marks):
    name = letters + marks
    # Unicode puts stacked marks in one canonical order, so two spellings compare equal.
    assert validate_arabic_name_part(name) == unicodedata.normalize("NFC", name)


def test_latin_names_keep_their_accents_and_punctuation():
    assert validate_latin_name_part("José") == "José"
    assert validate_latin_name_part("O'Neil") == "O'Neil"
    assert validate_latin_name_part("O’Neil") == "O'Neil"
    assert validate_latin_name_part("Al-Harbi") == "Al-Harbi"
    assert validate_latin_name_part("St. John") == "St. John"
    assert validate_latin_name_part("J.R.") == "J.R."
    assert validate_latin_name_part("  Abdul   Rahman ") == "Abdul Rahman"


def test_a_decomposed_accent_is_stored_composed():
    assert validate_latin_name_part("Jose\u0301") == "José"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        (None, "REQUIRED"),
        ("محمد", "INVALID"),
        ("John3", "INVALID"),
        ("John_Smith", "INVALID"),
        ("-Ann", "INVALID"),
        ("Ann-", "INVALID"),
        ("Ann--Marie", "INVALID"),
        (".Ann", "INVALID"),
        ("Ann..", "INVALID"),
        ("Иван", "INVALID"),
        ("a" * (MAX_NAME_PART_LENGTH + 1), "INVALID"),
    ],
)
def test_a_latin_name_part_refuses_what_is_not_a_latin_name(text, code):
    assert error_of(validate_latin_name_part, text) == code


@given(latin_words, st.sampled_from([" ", "-", "'"]))
def test_latin_words_are_valid_and_normalising_them_is_idempotent(words, separator):
    name = separator.join(words)[:MAX_NAME_PART_LENGTH].strip(" -'")
    normalized = validate_latin_name_part(name)
    assert validate_latin_name_part(normalized) == normalized


def test_a_full_name_joins_the_parts_that_are_there():
    assert full_name(["Sara", "Ahmed", None, "Al-Qahtani"]) == "Sara Ahmed Al-Qahtani"
    assert full_name(["سارة", "أحمد", "  ", "القحطاني"]) == "سارة أحمد القحطاني"
    assert full_name([]) == ""
