"""Which cached entries a committed event makes wrong: the record's own, its kind's lists,
the tenant's aggregates, and, for a delete that a foreign key cascades as ``SET NULL``, every
record of the kinds that pointed at it (they change with no event of their own)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from fleetyard.cache.keys import Tag
from fleetyard.kit.ids import TenantId
from fleetyard.models import Event

# deleted kind → kinds holding a reference to it that the database sets to null
_NULLED_BY_DELETE: Final = {
    "group": ("vehicle", "driver", "group"),
    "vehicle": ("driver", "device"),
    "driver": ("reservation",),
}


def tags_for_events(events: Iterable[Event]) -> set[Tag]:
    tags: set[Tag] = set()
    for event in events:
        tenant_id = TenantId(event.tenant_id)
        kind = event.entity_type
        tags.add(Tag.record(tenant_id, kind, event.entity_id))
        tags.add(Tag.lists(tenant_id, kind))
        tags.add(Tag.aggregates(tenant_id))
        if event.type == f"{kind}_deleted":
            tags.update(Tag.entity(tenant_id, other) for other in _NULLED_BY_DELETE.get(kind, ()))
    return tags
