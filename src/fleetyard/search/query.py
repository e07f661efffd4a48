"""A user's query → the terms to match, typo-corrected, and the identifiers it may name.

The tsquery is written here from normalised, quoted lexemes only: whatever the user typed
(``&|!():*``, quotes, NUL bytes) is split into words first and never reaches PostgreSQL's
query parser as syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from fleetyard.search.document import SUFFIX_MARK, quote_lexeme
from fleetyard.search.text import MAX_WORD, compact, words
from fleetyard.search.vocabulary import Vocabulary

MAX_QUERY_CHARS: Final = 200
MAX_TERMS: Final = 16
_MIN_IDENTIFIER: Final = 4  # a shorter part of a query is a word, never an identifier


class Mode(StrEnum):
    ALL = "all"  # every term (the default)
    ANY = "any"  # any term: the fallback when every term together finds nothing


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    alternatives: tuple[str, ...]  # the word itself first, then its corrections
    prefix: bool  # the last word typed: matches the beginnings of words

    @property
    def corrected(self) -> tuple[str, ...]:
        return self.alternatives[1:]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    identifiers: tuple[str, ...]  # compact forms the query may be (a plate, a VIN's end)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.identifiers

    @property
    def last_word(self) -> str | None:
        return self.terms[-1].word if self.terms else None

    def stored_identifiers(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(every stored form that finds a document, the forms naming a whole identifier)."""
        whole = self.identifiers
        endings = tuple(SUFFIX_MARK + form for form in whole)
        return whole + endings, whole


def parse(q: str, vocabulary: Vocabulary) -> ParsedQuery:
    """Terms from the query's words (at most MAX_TERMS; the caller refuses longer queries),
    each with its corrections; the last one a prefix unless the query ends in a space."""
    found = words(q)[:MAX_TERMS]
    last_is_prefix = bool(q) and not q[-1].isspace()
    terms = []
    for index, word in enumerate(found):
        prefix = last_is_prefix and index == len(found) - 1
        if prefix:
            corrections = vocabulary.prefix_corrections(word)
        else:
            corrections = [] if word in vocabulary else vocabulary.corrections(word)
        alternatives = (word, *(c for c in corrections if c != word))
        terms.append(Term(word, alternatives, prefix))
    return ParsedQuery(tuple(terms), identifier_candidates(q, found))


def identifier_candidates(q: str, found: Sequence[str]) -> tuple[str, ...]:
    """The whole query without spaces and dashes ("ABC 123" → "abc123"), and each word of
    four characters or more ("…042788" typed alone)."""
    candidates = [compact(q), *found]
    unique = dict.fromkeys(c[:MAX_WORD] for c in candidates if len(c) >= _MIN_IDENTIFIER)
    return tuple(unique)


def tsquery_literal(terms: Sequence[Term], mode: Mode = Mode.ALL, weights: str = "") -> str | None:
    """``( 'trnsit' | 'transit' ) & 'hel':*`` from the terms; ``weights`` ("AB") limits every
    lexeme to those weights. None when there is nothing to match."""
    if not terms:
        return None
    parts = []
    for term in terms:
        suffix = (":*" if term.prefix else ":" if weights else "") + weights
        lexemes = [f"{quote_lexeme(word)}{suffix}" for word in term.alternatives]
        parts.append(lexemes[0] if len(lexemes) == 1 else f"( {' | '.join(lexemes)} )")
    joiner = " & " if mode is Mode.ALL else " | "
    return joiner.join(parts)
