"""How text becomes search words, the same way for documents and for queries.

Done in Python rather than by PostgreSQL's text parser so both sides agree to the character
and no user text ever reaches ``to_tsquery``: lower-case, accents folded (NFKD without the
combining marks, so "Hämeenlinna" is "hameenlinna" and "Åbo" is "abo"), letters NFKD leaves
whole spelt out ("ø" → "o", "æ" → "ae", "ß" → "ss"), and words are runs of letters and digits.
No stemming: names, plates and models are not prose, and one rule for Finnish, Swedish and
English beats three stemmers that each get the other two languages wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

# Letters NFKD does not decompose into a base letter and a mark.
_SPELT_OUT: Final = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
_WORD: Final = re.compile(r"[^\W_]+")
# A lexeme longer than this is cut (PostgreSQL refuses lexemes over 2 KiB; no word is this long).
MAX_WORD = 64


@dataclass(frozen=True, slots=True)
class Token:
    """A normalised word and where it stands in the original text (for highlighting)."""

    word: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lower-case with accents folded; keeps everything else (punctuation, spaces)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPELT_OUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> Iterator[Token]:
    """The words of ``text``, normalised, with their spans in ``text``.

    A word of the original may fold into several (``½`` → ``1⁄2``): each keeps the span of the
    original word, so a highlight always lands on what the user sees."""
    for match in _WORD.finditer(text):
        for part in _folded_parts(match.group()):
            yield Token(part, match.start(), match.end())


@lru_cache(maxsize=65_536)
def _folded_parts(word: str) -> tuple[str, ...]:
    """A word of the original, folded into its search words. Cached: fleets repeat their
    makes, models, depots and names, and folding is most of what building a document costs."""
    return tuple(part[:MAX_WORD] for part in _WORD.findall(fold(word)))


def words(text: str) -> list[str]:
    return [token.word for token in tokens(text)]


def compact(text: str) -> str:
    """An identifier without its spaces, dashes and dots: "ABC-123" → "abc123"."""
    return "".join(words(text))[:MAX_WORD]


def is_vocabulary_word(word: str) -> bool:
    """Words worth correcting a typo towards: letters only (identifiers and numbers are
    matched exactly or by prefix, never "corrected"), three letters or more."""
    return len(word) >= 3 and word.isalpha()
