"""Look-ups over the registry's coded values (data in `codes_data`, countries from Babel).

Kinds: "category", "rank", "specialty", "organization_type", "document_kind", "country",
"identity_type", "gender", "registration_status", "application_kind",
"application_status", "payment_method". Languages: "ar", "en".
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

from server.domain import codes_data as data

LANGUAGES = ("ar", "en")


def _build_countries() -> data.Labels:
    arabic, english = Locale("ar").territories, Locale("en").territories
    countries = {
        code: (arabic[code], english[code])
        for code in english
        if len(code) == 2 and code.isalpha() and code not in data.NOT_COUNTRIES
    }
    return countries | data.COUNTRY_NAME_OVERRIDES


COUNTRIES: data.Labels = _build_countries()

_SPECIALTY_LABELS: data.Labels = {
    code: (arabic, english) for code, (arabic, english, _) in data.SPECIALTIES.items()
}

LABELS: dict[str, data.Labels] = {
    "category": data.CATEGORIES,
    "rank": data.RANKS,
    "specialty": _SPECIALTY_LABELS,
    "organization_type": data.ORGANIZATION_TYPES,
    "document_kind": data.DOCUMENT_KINDS,
    "country": COUNTRIES,
    "identity_type": data.IDENTITY_TYPES,
    "gender": data.GENDERS,
    "registration_status": data.REGISTRATION_STATUSES,
    "application_kind": data.APPLICATION_KINDS,
    "application_status": data.APPLICATION_STATUSES,
    "payment_method": data.PAYMENT_METHODS,
}

# Long lists are read alphabetically; short ones keep the order the data gives them
# (categories in the regulator's order, ranks lowest first, "Other" last).
_SORTED_BY_LABEL = frozenset({"specialty", "country"})

_ARABIC_LETTER_VARIANTS = str.maketrans("أإآٱى", "اااا" + "ي")


def _language_index(lang: str) -> int:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    return LANGUAGES.index(lang)


def label(kind: str, code: str, lang: str) -> str | None:
    """The label of `code` in `lang`, or None for a code the kind does not have."""
    labels = LABELS[kind].get(code)
    return labels[_language_index(lang)] if labels else None


def sort_key(text: str, lang: str) -> str:
    """Alphabetical order for people: accents, diacritics and hamza seats ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    if lang == "ar":
        bare = bare.translate(_ARABIC_LETTER_VARIANTS)
    return bare.casefold()


@cache
def _sorted_choices(kind: str, lang: str) -> tuple[tuple[str, str], ...]:
    index = _language_index(lang)
    pairs = [(code, labels[index]) for code, labels in LABELS[kind].items()]
    if kind in _SORTED_BY_LABEL:
        pairs.sort(key=lambda pair: sort_key(pair[1], lang))
    return tuple(pairs)


def choices(kind: str, lang: str, *, category: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box; for "rank" and "specialty" a `category` keeps
    only the ones open to it."""
    pairs = _sorted_choices(kind, lang)
    if category is not None and kind == "rank":
        labels = dict(pairs)
        return [(code, labels[code]) for code in ranks_for(category)]
    if category is not None and kind == "specialty":
        allowed = set(specialties_for(category))
        return [pair for pair in pairs if pair[0] in allowed]
    return list(pairs)


def ranks_for(category: str) -> tuple[str, ...]:
    """The ranks of a category, lowest first; empty for an unknown category."""
    return data.RANKS_BY_CATEGORY.get(category, ())


def rank_order(category: str, rank: str) -> int:
    """0 for the lowest rank of the category, upwards; ValueError("INVALID") if the rank is
    not one of the category's."""
    ranks = ranks_for(category)
    if rank not in ranks:
        raise ValueError("INVALID")
    return ranks.index(rank)


def is_rank_of(category: str, rank: str) -> bool:
    return rank in ranks_for(category)


def specialties_for(category: str) -> tuple[str, ...]:
    return tuple(code for code, (*_, cats) in data.SPECIALTIES.items() if category in cats)


def specialty_categories(code: str) -> tuple[str, ...]:
    specialty = data.SPECIALTIES.get(code)
    return specialty[2] if specialty else ()


@cache
def _specialty_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, (arabic, english, _) in data.SPECIALTIES.items():
        for text in (code, english, arabic):
            lookup[_lookup_key(text)] = code
    return lookup


def _lookup_key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def specialty_code(text: str | None) -> str | None:
    """The specialty a code or a name stands for, case-insensitively: "INTERNAL_MEDICINE",
    "internal medicine" and "الطب الباطني" all give "INTERNAL_MEDICINE"."""
    return _specialty_lookup().get(_lookup_key(text or ""))


def is_country(code: str | None) -> bool:
    """True for an ISO 3166-1 alpha-2 code as written in the contract (upper case)."""
    return code in COUNTRIES


def is_code(kind: str, code: str | None) -> bool:
    return code in LABELS[kind]
