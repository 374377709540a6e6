import datetime as dt

from server import i18n
from server.i18n_catalogue import extract, missing


def test_every_string_is_translated_in_both_catalogues():
    assert len(extract()) > 20
    todo = missing()
    assert todo == {"ar": [], "en": []}, "run `make messages` and translate: " + repr(todo)


def test_arabic_is_the_default_and_a_remembered_choice_wins():
    assert i18n.pick_language(None, None) == "ar"
    assert i18n.pick_language(None, "fr-FR,fr;q=0.9") == "ar"
    assert i18n.pick_language(None, "en-GB,en;q=0.9") == "en"
    assert i18n.pick_language(None, "ar-SA,en;q=0.8") == "ar"
    assert i18n.pick_language("en", "ar") == "en"
    assert i18n.pick_language("xx", None) == "ar"


def test_dates_show_the_hijri_date_beside_and_are_isolated():
    text = i18n.format_date(dt.date(2024, 3, 11), "ar")
    assert text == "\u20682024-03-11\u2069 (\u20681445/09/01\u2069 هـ)"
    assert i18n.format_date(dt.date(2024, 3, 11), "en").endswith("AH)")


def test_translations_merge_every_catalogue_file():
    assert i18n.gettext("ar", "Sign in") == "تسجيل الدخول"
    assert i18n.gettext("en", "Sign in") == "Sign in"
