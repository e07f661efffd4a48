"""Recent search answers, kept per process under the tenant's documents version.

A list screen driven by search (vehicles by make and status with their facet counts) asks the
same question again and again, and in a large fleet counting its 10,000 matches and their
facets is most of a search's cost. An answer is kept under (tenant, documents version, what
was matched, the page, the facets): the version is bumped in the same transaction as any
write of the tenant's documents, so a kept answer is used only while no document of the
tenant has changed since — never staler than what the database would say. Suggestions are
kept the same way (the first keystrokes of a word repeat most). The least recently used
answers go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Final

from fleetyard.search.repository import Found

MAX_ANSWERS: Final = 512  # per process; an answer is a page of rows and its counts (~10 KB)


class FoundCache:
    def __init__(self, max_entries: int = MAX_ANSWERS) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Found] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Found | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, key: Hashable, found: Found) -> None:
        self._entries[key] = found
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
