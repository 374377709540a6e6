import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.domain.identity import (
    ARABIC_INDIC_DIGITS,
    EASTERN_ARABIC_INDIC_DIGITS,
    identity_type_of,
    is_valid_saudi_id,
    local_mobile,
    mask_identity,
    normalize_digits,
    normalize_email,
    normalize_saudi_mobile,
    saudi_id_check_digit,
    validate_identity,
)

TO_ARABIC = str.maketrans("0123456789", ARABIC_INDIC_DIGITS)
TO_EASTERN = str.maketrans("0123456789", EASTERN_ARABIC_INDIC_DIGITS)
digits = st.text(alphabet="0123456789", min_size=8, max_size=8)


@st.composite
def saudi_ids(draw, first=st.sampled_from("12")):
    body = draw(first) + draw(digits)
    return body + saudi_id_check_digit(body)


@st.composite
def saudi_mobiles(draw):
    """National numbers the numbering plan gives to mobiles: 5 then [013-689] or 57[0-8]."""
    second = draw(st.sampled_from(["0", "1", "3", "4", "5", "6", "8", "9", "70", "78"]))
    rest = draw(st.text(alphabet="0123456789", min_size=8 - len(second), max_size=8 - len(second)))
    return "5" + second + rest


def error_of(call, *args) -> str:
    with pytest.raises(ValueError) as caught:
        call(*args)
    return str(caught.value)


# Saudi identity numbers

def test_the_documented_example_is_a_valid_national_id():
    assert is_valid_saudi_id("1000000008")
    assert identity_type_of("1000000008") == "NATIONAL_ID"


def test_changing_any_one_digit_of_the_example_makes_it_invalid():
    number = "1000000008"
    for position in range(10):
        for digit in "0123456789":
            if digit != number[position]:
                mutated = number[:position] + digit + number[position + 1:]
                assert not is_valid_saudi_id(mutated), mutated


@given(saudi_ids())
def test_every_generated_id_is_valid_and_every_single_digit_mutation_is_not(number):
    assert is_valid_saudi_id(number)
    for position in range(10):
        for digit in "0123456789":
            if digit != number[position]:
                assert not is_valid_saudi_id(number[:position] + digit + number[position + 1:])


@given(saudi_ids())
def test_arabic_indic_digits_mean_the_same_number(number):
    for spelled in (number.translate(TO_ARABIC), number.translate(TO_EASTERN)):
        assert normalize_digits(spelled) == number
        assert is_valid_saudi_id(spelled)
        assert identity_type_of(spelled) == identity_type_of(number)


@given(saudi_ids(first=st.just("2")))
def test_a_resident_number_starts_with_two_and_is_an_iqama(number):
    assert identity_type_of(number) == "IQAMA"
    assert validate_identity("IQAMA", number) == number


@pytest.mark.parametrize("number", ["", "100000000", "10000000080", "3000000004", "10000000a8"])
def test_numbers_of_the_wrong_shape_are_not_saudi_ids(number):
    assert not is_valid_saudi_id(number)
    assert identity_type_of(number) is None


def test_an_iqama_number_entered_as_a_national_id_is_a_mismatch():
    iqama = "2" + "00000000" + saudi_id_check_digit("200000000")
    assert error_of(validate_identity, "NATIONAL_ID", iqama) == "MISMATCH"
    assert error_of(validate_identity, "IQAMA", "1000000008") == "MISMATCH"


def test_identity_numbers_typed_with_spaces_or_arabic_digits_are_stored_plain():
    assert validate_identity("NATIONAL_ID", " ١٠٠٠ ٠٠٠ ٠٠٨ ") == "1000000008"
    assert validate_identity("NATIONAL_ID", "1000-000-008") == "1000000008"


@pytest.mark.parametrize(
    ("identity_type", "number", "code"),
    [
        ("NATIONAL_ID", "", "REQUIRED"),
        ("NATIONAL_ID", "   ", "REQUIRED"),
        ("NATIONAL_ID", "1000000009", "INVALID"),
        ("IQAMA", "abc", "INVALID"),
        ("PASSPORT", "A1234", "INVALID"),
        ("PASSPORT", "A12345678X", "INVALID"),
        ("PASSPORT", "A12-3456", "INVALID"),
        ("PASSPORT", "É1234567", "INVALID"),
        ("DRIVING_LICENCE", "1000000008", "INVALID"),
    ],
)
def test_a_bad_identity_names_its_error_code(identity_type, number, code):
    assert error_of(validate_identity, identity_type, number) == code


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
               min_size=6, max_size=9))
def test_a_passport_number_is_stored_upper_case_and_normalising_is_idempotent(number):
    stored = validate_identity("PASSPORT", number)
    assert stored == number.upper()
    assert validate_identity("PASSPORT", stored) == stored


@given(saudi_ids())
def test_validating_an_identity_is_idempotent(number):
    kind = identity_type_of(number)
    assert validate_identity(kind, validate_identity(kind, number)) == number


def test_lists_show_only_the_last_four_digits_of_an_identity():
    assert mask_identity("1000000008") == "••••••0008"
    assert mask_identity("A1234567") == "••••4567"
    assert mask_identity("123") == "•••"


@given(st.text(min_size=5, max_size=20).filter(lambda s: s == s.strip()))
def test_masking_keeps_the_length_and_the_last_four(text):
    text = normalize_digits(text)
    masked = mask_identity(text)
    assert len(masked) == len(text)
    assert masked.endswith(text[-4:])
    assert set(masked[:-4]) == {"•"}


# Mobiles

@pytest.mark.parametrize(
    "spelling",
    [
        "0501234567", "501234567", "+966501234567", "00966501234567", "966501234567",
        "050 123 4567", "050-123-4567", "+966 50 123 4567", "(050) 123-4567",
        "٠٥٠١٢٣٤٥٦٧", "۰۵۰۱۲۳۴۵۶۷",
    ],
)
def test_every_usual_spelling_of_a_saudi_mobile_is_stored_as_e164(spelling):
    assert normalize_saudi_mobile(spelling) == "+966501234567"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        ("0112345678", "INVALID"),  # a Riyadh landline
        ("+447911123456", "INVALID"),  # a British mobile
        ("+201001234567", "INVALID"),  # an Egyptian mobile
        ("050123456", "INVALID"),
        ("05012345678", "INVALID"),
        ("0521234567", "INVALID"),  # 052 is not a mobile range
        ("0500-FLOWERS", "INVALID"),
        ("050 123 4567 ext 5", "INVALID"),
        ("mobile", "INVALID"),
    ],
)
def test_numbers_that_are_not_saudi_mobiles_are_refused(text, code):
    assert error_of(normalize_saudi_mobile, text) == code


@given(saudi_mobiles())
def test_any_saudi_mobile_round_trips_through_its_local_spelling(national):
    e164 = "+966" + national
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
    assert normalize_saudi_mobile(e164) == e164
    assert local_mobile(e164) == "0" + national
    assert normalize_saudi_mobile(local_mobile(e164)) == e164
    assert normalize_saudi_mobile(("0" + national).translate(TO_ARABIC)) == e164
    assert normalize_saudi_mobile("00966" + national) == e164


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_number_not_starting_with_five_is_never_a_saudi_mobile(national):
    assume(not national.startswith("5"))
    with pytest.raises(ValueError):
        normalize_saudi_mobile("0" + national)


# Email

def test_an_email_is_trimmed_and_its_domain_lower_cased():
    assert normalize_email("  Sara.Ahmed@Hospital.Gov.SA ") == "Sara.Ahmed@hospital.gov.sa"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        ("  ", "REQUIRED"),
        ("no-at-sign.example.com", "INVALID"),
        ("two words@example.com", "INVALID"),
        ("name@localhost", "INVALID"),
        ("name@example..com", "INVALID"),
        ("name@-example.com", "INVALID"),
        ("name@example.c", "INVALID"),
        ("name@example.com.", "INVALID"),
        (".name@example.com", "INVALID"),
        ("na..me@example.com", "INVALID"),
        ("@example.com", "INVALID"),
        ("name@", "INVALID"),
        ("a@b@example.com", "INVALID"),
        ("x" * 65 + "@example.com", "INVALID"),
        ("x@" + ".".join(["a" * 60] * 5) + ".com", "INVALID"),
    ],
)
def test_malformed_email_addresses_are_refused(text, code):
    assert error_of(normalize_email, text) == code


@given(st.emails())
def test_normalising_an_email_is_idempotent(email):
    assume(len(email) <= 254)
    normalized = normalize_email(email)
    assert normalize_email(normalized) == normalized
    assert normalized.rpartition("@")[2] == normalized.rpartition("@")[2].lower()
