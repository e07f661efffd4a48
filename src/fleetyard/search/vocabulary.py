"""A tenant's vocabulary (the words of its documents) and the typo corrections it allows.

Core PostgreSQL has no trigram or edit-distance functions in the embedded build, so typos are
corrected here, against the words the tenant's documents actually hold, with ``rapidfuzz``'s
optimal-string-alignment distance (a swapped pair of letters is one edit). Each API process
keeps the vocabularies it has used, reloaded when the indexer bumps the tenant's version.
"""

from __future__ import annotations

import bisect
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from fleetyard.search.repository import SearchQueries

MAX_CORRECTIONS: Final = 3
_MAX_TENANTS: Final = 256  # vocabularies kept per process (least recently used go)


def edit_budget(word: str) -> int:
    """One edit for words of 5 letters or more, two from 9; none for shorter words or
    anything with a digit (identifiers are matched exactly, never corrected)."""
    if not word.isalpha() or len(word) < 5:
        return 0
    return 2 if len(word) >= 9 else 1


class Vocabulary:
    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        self.counts = dict(words)
        self._sorted = sorted(self.counts)
        self._by_length: dict[int, list[str]] = {}
        for word in self._sorted:
            self._by_length.setdefault(len(word), []).append(word)
        self._prefixes: dict[int, list[str]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def starting_with(self, prefix: str, limit: int = 200) -> list[str]:
        """Words that start with ``prefix`` (at most ``limit``, in alphabetical order)."""
        found: list[str] = []
        at = bisect.bisect_left(self._sorted, prefix)
        while at < len(self._sorted) and len(found) < limit:
            word = self._sorted[at]
            if not word.startswith(prefix):
                break
            found.append(word)
            at += 1
        return found

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The most frequent words that complete ``prefix`` (not the prefix itself)."""
        words = [w for w in self.starting_with(prefix) if w != prefix]
        words.sort(key=lambda w: (-self.counts[w], w))
        return words[:limit]

    def corrections(self, word: str) -> list[str]:
        """Whole words within the word's edit budget, closest (then most frequent) first."""
        budget = edit_budget(word)
        if not budget or word in self.counts:
            return []
        candidates = [
            w
            for n in range(len(word) - budget, len(word) + budget + 1)
            for w in self._by_length.get(n, ())
        ]
        return self._closest(word, candidates, budget)

    def prefix_corrections(self, prefix: str) -> list[str]:
        """For a word still being typed: beginnings of words within its edit budget
        ("trnsi" → "transi"), to be matched as prefixes."""
        budget = edit_budget(prefix)
        if not budget or self.starting_with(prefix, limit=1):
            return []
        candidates = [
            p
            for n in range(len(prefix) - budget, len(prefix) + budget + 1)
            for p in self._prefixes_of_length(n)
        ]
        return self._closest(prefix, candidates, budget)

    def _prefixes_of_length(self, n: int) -> list[str]:
        if n not in self._prefixes:
            self._prefixes[n] = sorted({w[:n] for w in self._sorted if len(w) >= n})
        return self._prefixes[n]

    def _closest(self, word: str, candidates: list[str], budget: int) -> list[str]:
        if not candidates:
            return []
        found = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=None
        )
        found.sort(key=lambda hit: (hit[1], -self.counts.get(hit[0], 0), hit[0]))
        return [choice for choice, _, _ in found[:MAX_CORRECTIONS]]


@dataclass
class _Entry:
    version: int
    vocabulary: Vocabulary


class VocabularyCache:
    """Each tenant's vocabulary, kept per process and checked against the tenant's version
    on every use (one primary-key read), so a new word corrects at once."""

    def __init__(self, max_tenants: int = _MAX_TENANTS) -> None:
        self.max_tenants = max_tenants
        self._entries: OrderedDict[uuid.UUID, _Entry] = OrderedDict()

    async def get(self, queries: SearchQueries) -> Vocabulary:
        tenant_id = queries.tenant_id
        version = await queries.vocabulary_version()
        entry = self._entries.get(tenant_id)
        if entry is None or entry.version != version:
            entry = _Entry(version, Vocabulary(await queries.vocabulary()))
            self._entries[tenant_id] = entry
        self._entries.move_to_end(tenant_id)
        while len(self._entries) > self.max_tenants:
            self._entries.popitem(last=False)
        return entry.vocabulary
