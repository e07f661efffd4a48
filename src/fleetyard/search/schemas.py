"""What the search API takes and answers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from pydantic import BaseModel, Field

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
DEFAULT_SUGGESTIONS: Final = 8
MAX_SUGGESTIONS: Final = 20

# Filters (query parameters, each repeatable) → the facet value they compare. ``group_id``
# is the group itself or any group above it (a region finds its depots' records).
FILTERS: Final = {
    "status": "status",
    "make": "make",
    "model": "model",
    "type": "type",
    "fuel_type": "fuel_type",
    "group_id": "group",
    "depot": "depot",
    "protocol": "protocol",
    "severity": "severity",
    "kind": "kind",
    "provider": "provider",
}
# Facets that can be counted; ``types`` counts documents per type, ``group`` and ``depot``
# are group ids (answered with their names as labels).
FACETS: Final = (
    "types",
    "status",
    "make",
    "model",
    "type",
    "fuel_type",
    "group",
    "depot",
    "protocol",
    "severity",
    "kind",
    "provider",
)
LABELLED_FACETS: Final = frozenset({"group", "depot"})
SEARCH_PARAMETERS: Final = frozenset({"q", "types", "facets", "limit", "cursor", *FILTERS})
SUGGEST_PARAMETERS: Final = frozenset({"q", "types", "limit"})


@dataclass(frozen=True, slots=True)
class SearchRequest:
    q: str = ""
    types: tuple[str, ...] = ()  # empty: every type the caller may read
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class Highlight(BaseModel):
    start: int = Field(description="Offset of the first highlighted character in value")
    end: int = Field(description="Offset just past the last one")


class MatchedField(BaseModel):
    field: str = Field(description="plate, vin, name, make, model, group, depot, …")
    value: str
    highlights: list[Highlight]


class SearchHit(BaseModel):
    type: str = Field(description="vehicle, driver, device, reservation, alert, group, …")
    id: uuid.UUID
    title: str
    subtitle: str
    score: float = Field(description="Higher is better; an identifier match is ≥ 1")
    matches: list[MatchedField]


class FacetValue(BaseModel):
    value: str
    label: str | None = Field(None, description="The group's name, for group and depot")
    count: int


class SearchResults(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None = None
    total: int = Field(description="Documents matching, over every page")
    facets: dict[str, list[FacetValue]] = Field(
        default_factory=dict, description="Facet → counts per value over the whole result"
    )
    types: list[str] = Field(description="The types searched: those asked for that you may read")
    corrections: dict[str, list[str]] = Field(
        default_factory=dict, description="A typed word → the words it was also matched as"
    )
    mode: Literal["all", "any"] = Field(
        "all", description="any: no document held every word, so these hold some"
    )


class Suggestion(BaseModel):
    type: str
    id: uuid.UUID
    title: str
    subtitle: str


class Suggestions(BaseModel):
    items: list[Suggestion]
    completions: list[str] = Field(
        default_factory=list, description="The query with its last word completed"
    )
