"""Passwords are judged by zxcvbn's estimate (a score of at least 3 of 4) beside the common
list and the personal-data check; a refusal says why, in the user's language, in our own
words (zxcvbn's feedback is English)."""

import pytest

from server.domain.passwords import MIN_SCORE, password_problem
from tests.conftest import gql
from tests.journeys import register

WEAK = {
    "passwordpassword": "REPEAT", "qwertyqwerty": "REPEAT", "abcabcabcabc": "REPEAT",
    "asdfghjkl;lkj": "KEYBOARD", "abcdefghijklm": "SEQUENCE", "1234567890123": "COMMON",
    "monkey12345678": "COMMON", "2024-01-01 1": "DATE",
}
GOOD = ["cedar harbour lantern 42", "olive minaret compass 7", "نخلة قهوة مكتبة ٤٢",
        "correct horse battery staple", "x7#Lp9!qZ2@w"]


@pytest.mark.parametrize("password", list(WEAK))
def test_guessable_passwords_are_refused_with_the_reason(password):
    assert password_problem(password) == WEAK[password]


@pytest.mark.parametrize("password", GOOD)
def test_strong_passwords_pass(password):
    assert password_problem(password) is None


def test_the_minimum_score_is_three():
    assert MIN_SCORE == 3


async def test_the_refusal_says_why_in_the_users_language(client):
    for lang, expected in [("en", "Keyboard"), ("ar", "لوحة المفاتيح")]:
        body = await gql(client, """mutation R($input: RegisterAccountInput!) {
            registerAccount(input: $input) { errors { field code message } } }""",
            {"input": {"firstName": "Sara", "familyName": "Alqahtani",
                       "email": "sara@example.com", "emailConfirmation": "sara@example.com",
                       "password": "asdfghjkl;lkj", "passwordConfirmation": "asdfghjkl;lkj",
                       "mobile": "0551234567", "acceptTerms": True, "captcha": ""}}, lang=lang)
        errors = {e["field"]: e for e in body["data"]["registerAccount"]["errors"]}
        assert errors["password"]["code"] == "TOO_WEAK"
        assert expected in errors["password"]["message"], errors["password"]["message"]


async def test_registration_refuses_a_repeated_word(client):
    payload = await register(client, password="passwordpassword",
                             passwordConfirmation="passwordpassword")
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("password", "TOO_WEAK")]
