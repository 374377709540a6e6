"""Names reduced to search terms, so that the spellings the public register treats as equal
(docs/contract/README.md, "The public register search") reduce to the same term.

A practitioner's names are reduced once, when they are written, into one string of terms
(`indexed_terms`); a query is reduced the same way (`query_terms`), and matches when each of
its terms is the start of one of the practitioner's terms. Terms of the given names are also
stored with the mark GIVEN and those of the family name with FAMILY, so that FHIR's `given`
and `family` search the right part; plain terms carry no mark (a term never starts with a
digit, so a mark cannot be confused with the start of a name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

MIN_QUERY_LETTERS = 3
MAX_QUERY_TERMS = 6
GIVEN = "0"
FAMILY = "1"

# Letters that Arabic writers use interchangeably in names: the alef forms, ta marbuta
# (which stands only at a word's end) and ha, alef maqsura and ya, the hamza seats.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                              "ؤ": "و", "ئ": "ي"})
_ARABIC_ARTICLE = "ال"
_ARABIC_ABD = "عبد"
# Harakat, shadda, sukun, the superscript alef, and the tatweel that only stretches a line.
_ARABIC_DROPPED = re.compile("[\u064b-\u065f\u0670\u0640]")
_LATIN_ARTICLES = {"al", "el"}
# "Abd", "Abdul", "Abdel", "Abdal", "Abdol", "Abdu" + a name: all one name, "abd al-…".
_LATIN_ABD = {"abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdoul"}
_WORD = re.compile(r"[^\W\d_]+")
_VOWEL_RUN = re.compile(r"[aeiou]+")
_DOUBLED = re.compile(r"(.)\1+")


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def _words(text: str) -> list[str]:
    """The words of `text`, lower case, without accents, diacritics or tatweel; anything
    that is not a letter (space, hyphen, apostrophe, period) separates words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_DROPPED.sub("", text)
    # Accents are marks once decomposed; Arabic letters with hamza decompose too, so they
    # are recomposed before folding.
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c) or "\u0653" <= c <= "\u0655")
    return _WORD.findall(unicodedata.normalize("NFC", text))


def _latin_key(word: str) -> str:
    """Transliterations differ in vowels and doubled letters (Mohammed, Muhammad, Mohamed,
    Mohamad; Yousef, Yusuf, Youssef): each run of vowels counts as one "a", each doubled
    letter as one."""
    return _VOWEL_RUN.sub("a", _DOUBLED.sub(r"\1", word))


def _joined(words: list[str]) -> list[tuple[str, str | None]]:
    """Joins an article or "abd" to the word after it (Al Qahtani = Al-Qahtani = Alqahtani,
    عبد الله = عبدالله, Abdul Rahman = Abd al-Rahman = Abdulrahman). Each result is the
    joined term and the name without its article (so "Qahtani" finds "Al-Qahtani")."""
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if _is_arabic(word):
            if word == _ARABIC_ABD and following and _is_arabic(following):
                out.append((word + following, None))
                i += 2
                continue
            tail = word[2:] if word.startswith(_ARABIC_ARTICLE) and len(word) > 4 else None
            out.append((word, tail))
        elif word in _LATIN_ABD and following and not _is_arabic(following):
            rest = words[i + 2] if following in _LATIN_ARTICLES and i + 2 < len(words) else None
            name = rest if rest else following
            if name.startswith(("al", "el")) and len(name) > 4:
                name = name[2:]
            out.append((_latin_key("abdal" + name), None))
            i += 3 if rest else 2
            continue
        elif word in _LATIN_ARTICLES and following and not _is_arabic(following):
            out.append((_latin_key("al" + following), _latin_key(following)))
            i += 2
            continue
        else:
            tail = word[2:] if word.startswith(("al", "el")) and len(word) > 5 else None
            out.append((_latin_key("al" + word[2:] if tail else word),
                        _latin_key(tail) if tail else None))
        i += 1
    return out


def _folded(word: str) -> str:
    return word.translate(_ARABIC_FOLD) if _is_arabic(word) else word


def name_terms(text: str) -> list[str]:
    """The search terms of one name (part): every spelling in the contract's list of
    equivalences gives the same terms."""
    return list(_name_terms(text))


@lru_cache(maxsize=1 << 16)
def _name_terms(text: str) -> tuple[str, ...]:
    # Names repeat (an import of a million rows has a few thousand distinct parts).
    terms: list[str] = []
    for term, tail in _joined([_folded(w) for w in _words(text)]):
        terms.append(term)
        if tail:
            terms.append(tail)
    return tuple(terms)


def indexed_terms(given_parts: Iterable[str | None], family_parts: Iterable[str | None]) -> str:
    """What is stored for a practitioner: " term term … " (spaces at both ends, so that
    "starts a term" is `LIKE '% term%'`), given names and family names in both languages.
    Each part is reduced on its own: a join never spans two parts."""
    plain: list[str] = []
    marked: list[str] = []
    for mark, parts in ((GIVEN, given_parts), (FAMILY, family_parts)):
        for part in parts:
            for term in _name_terms(part or ""):
                plain.append(term)
                marked.append(mark + term)
    unique = list(dict.fromkeys(plain + marked))
    return f" {' '.join(unique)} " if unique else ""


def letter_count(query: str) -> int:
    return sum(len(w) for w in _words(query))


def query_terms(query: str, mark: str = "") -> list[str]:
    """The terms a query must match (each the start of a stored term), at most
    MAX_QUERY_TERMS; raises ValueError("INVALID") for fewer than MIN_QUERY_LETTERS letters."""
    if letter_count(query) < MIN_QUERY_LETTERS:
        raise ValueError("INVALID")
    # A name with its article is looked up without it ("Al-Qahtani" → "qahtani"): every
    # stored name has that term too, and so does a name stored without the article.
    words = [tail or term for term, tail in _joined([_folded(w) for w in _words(query)])]
    terms = list(dict.fromkeys(mark + t for t in words))
    return terms[:MAX_QUERY_TERMS]
