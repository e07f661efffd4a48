"""What a search document is, and how it is stored: weighted words for full-text search,
exact identifiers, facet values, and the ids of the records it was built from.

Everything here is pure: a domain builds a :class:`Document` from its record, and
:func:`stored` renders it into the columns of ``search_documents``.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any, Final

from fleetyard.search.text import MAX_WORD, compact, fold, is_vocabulary_word, tokens


class Weight(StrEnum):
    """PostgreSQL's four weights, A the strongest (see RANK_WEIGHTS)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Match(StrEnum):
    """How a field's value is matched besides its words."""

    TEXT = "text"  # words only; its words feed the typo-correction vocabulary
    EXACT = "exact"  # also whole, spaces and dashes removed: a plate, a licence number
    SUFFIX = "suffix"  # also whole and by its ending: a VIN, an IMEI


# ts_rank_cd's weights for D, C, B, A (in that order, as PostgreSQL takes them).
RANK_WEIGHTS: Final = (0.05, 0.2, 0.5, 1.0)
# The shortest ending of an identifier that finds it (a partial VIN; an IMEI's last six).
MIN_SUFFIX: Final = {"vin": 5, "default": 6}
# Stored identifiers: the whole identifier as is, an ending behind this mark, so a query can
# tell "this is the plate" from "this ends the VIN" (both rank first; the whole one higher).
SUFFIX_MARK: Final = "~"
_FIELD_GAP = 8  # positions between fields, so words of two fields are never adjacent
_MAX_POSITION = 16383  # PostgreSQL's limit
_MAX_POSITIONS_PER_WORD = 255


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    weight: Weight
    match: Match = Match.TEXT


@dataclass(frozen=True, slots=True)
class Document:
    entity_type: str
    entity_id: uuid.UUID
    title: str
    subtitle: str
    fields: tuple[Field, ...]
    # facet name → value (ids as text): what filters and facet counts read
    facets: Mapping[str, str] = dataclass_field(default_factory=dict)
    # other records this one shows, as (type, id) (its group, its vehicle…): a change to
    # one of them rebuilds this document
    refs: frozenset[tuple[str, uuid.UUID]] = frozenset()


def field(name: str, value: Any, weight: Weight, match: Match = Match.TEXT) -> list[Field]:
    """A field of a document, or none when the value is empty; a list (tags) gives one
    field per item."""
    values = value if isinstance(value, list | tuple) else [value]
    texts = ("" if item is None else str(item).strip() for item in values)
    return [Field(name, text, weight, match) for text in texts if text]


def fields_of(*groups: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(f for group in groups for f in group)


def identifier_forms(value: str, name: str, match: Match) -> set[str]:
    """The stored identifiers of one field: its compact form, and for SUFFIX fields each
    ending from the minimum length on (behind SUFFIX_MARK)."""
    if match is Match.TEXT:
        return set()
    whole = compact(value)
    if not whole:
        return set()
    forms = {whole}
    if match is Match.SUFFIX:
        shortest = MIN_SUFFIX.get(name, MIN_SUFFIX["default"])
        forms.update(SUFFIX_MARK + whole[-n:] for n in range(shortest, len(whole)))
    return forms


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as the columns of ``search_documents``."""

    entity_type: str
    entity_id: uuid.UUID
    title: str
    subtitle: str
    sort_title: str
    fields: list[list[str]]  # [name, value, match] in order: shown and highlighted
    document: str  # a tsvector literal
    identifiers: list[str]
    facets: dict[str, str]
    refs: list[str]  # "vehicle:<id>"
    words: list[str]  # what it adds to the tenant's typo-correction vocabulary


def stored(doc: Document) -> StoredDocument:
    return StoredDocument(
        entity_type=doc.entity_type,
        entity_id=doc.entity_id,
        title=doc.title[:300],
        subtitle=doc.subtitle[:500],
        sort_title=fold(doc.title)[:300],
        fields=[[f.name, f.value, f.match.value] for f in doc.fields],
        document=tsvector_literal(doc.fields),
        identifiers=sorted(
            {form for f in doc.fields for form in identifier_forms(f.value, f.name, f.match)}
        ),
        facets={name: value for name, value in doc.facets.items() if value},
        refs=sorted(
            ref_text(t, i) for t, i in doc.refs if (t, i) != (doc.entity_type, doc.entity_id)
        ),
        words=vocabulary_words(doc.fields),
    )


def ref_text(entity_type: str, entity_id: uuid.UUID) -> str:
    return f"{entity_type}:{entity_id}"


def vocabulary_words(fields: Iterable[Field]) -> list[str]:
    return sorted(
        {
            token.word
            for f in fields
            if f.match is Match.TEXT
            for token in tokens(f.value)
            if is_vocabulary_word(token.word)
        }
    )


def tsvector_literal(fields: Iterable[Field]) -> str:
    """The fields' words as a tsvector literal (``'ford':1A 'transit':2A``), built here so no
    text parser of PostgreSQL's decides what a word is. An identifier also counts whole
    ("abc123" for "ABC-123"), so typing it without its dash finds it by prefix too."""
    positions: dict[str, list[str]] = defaultdict(list)
    position = 1
    for f in fields:
        weight = "" if f.weight is Weight.D else f.weight.value
        words = [t.word for t in tokens(f.value)]
        if f.match is not Match.TEXT and len(words) > 1:
            words.append(compact(f.value))
        for word in words:
            if len(positions[word]) < _MAX_POSITIONS_PER_WORD:
                positions[word].append(f"{min(position, _MAX_POSITION)}{weight}")
            position += 1
        position += _FIELD_GAP
    return " ".join(
        f"{quote_lexeme(word)}:{','.join(places)}" for word, places in positions.items() if word
    )


def quote_lexeme(word: str) -> str:
    """A lexeme for a tsvector or tsquery literal: quoted, its quotes doubled and backslashes
    escaped, so nothing in it is ever read as an operator."""
    escaped = word[:MAX_WORD].replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def vocabulary_delta(
    before: Iterable[Iterable[str]], after: Iterable[Iterable[str]]
) -> Counter[str]:
    """Word → change in the number of documents holding it."""
    delta: Counter[str] = Counter()
    for words in after:
        delta.update(words)
    for words in before:
        delta.subtract(words)
    return Counter({word: n for word, n in delta.items() if n})
