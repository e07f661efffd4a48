"""Which fields of a hit matched, and where: spans in the text as the record says it.

Matching is done on the normalised words (as the index does) and mapped back through each
word's span in the original, so "Hämeenlinna" is highlighted whole when "hameen" was typed,
and "ABC-123" when "abc123" was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fleetyard.search.document import Match
from fleetyard.search.query import Term
from fleetyard.search.text import Token, tokens


@dataclass(frozen=True, slots=True)
class FieldMatch:
    field: str
    value: str
    highlights: tuple[tuple[int, int], ...]


def matched_fields(
    fields: Iterable[Sequence[str]], terms: Sequence[Term], identifiers: Sequence[str]
) -> list[FieldMatch]:
    """The stored fields ([name, value, match]) that hold a term or an identifier."""
    found = []
    for name, value, match in fields:
        words = list(tokens(value))
        spans = _word_spans(words, terms)
        if match != Match.TEXT:
            spans += _compact_spans(words, terms, identifiers)
        if spans:
            found.append(FieldMatch(name, value, _merged(spans)))
    return found


def _word_spans(words: Sequence[Token], terms: Sequence[Term]) -> list[tuple[int, int]]:
    spans = []
    for token in words:
        for term in terms:
            for alternative in term.alternatives:
                if token.word == alternative:
                    spans.append((token.start, token.end))
                elif term.prefix and token.word.startswith(alternative):
                    spans.append(_prefix_span(token, len(alternative)))
    return spans


def _prefix_span(token: Token, length: int) -> tuple[int, int]:
    """The typed beginning of a word, when the word folds letter for letter; else the word."""
    if token.end - token.start == len(token.word):
        return token.start, token.start + length
    return token.start, token.end


def _compact_spans(
    words: Sequence[Token], terms: Sequence[Term], identifiers: Sequence[str]
) -> list[tuple[int, int]]:
    """An identifier typed without its dashes, or only its end ("042788" of a VIN)."""
    joined = "".join(t.word for t in words)
    wanted = set(identifiers)
    wanted.update(a for term in terms if term.prefix for a in term.alternatives)
    found = [(needle, joined.find(needle)) for needle in wanted if needle]
    found = [(needle, at) for needle, at in found if at >= 0]
    if not found:
        return []  # the usual case: no need to map positions back
    # compact position → (start, end) of the original character (or word) it comes from
    places = [
        (t.start + i, t.start + i + 1) if t.end - t.start == len(t.word) else (t.start, t.end)
        for t in words
        for i in range(len(t.word))
    ]
    spans = []
    for needle, at in found:
        while at >= 0:
            spans.append((places[at][0], places[at + len(needle) - 1][1]))
            at = joined.find(needle, at + 1)
    return spans


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
