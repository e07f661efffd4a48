"""The tenant's groups as a tree, for documents that name their group and depot."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

DEPOT = "depot"


@dataclass(frozen=True, slots=True)
class GroupNode:
    id: uuid.UUID
    name: str
    kind: str
    parent_id: uuid.UUID | None


class GroupTree:
    def __init__(self, nodes: Iterable[GroupNode]) -> None:
        self._nodes = {node.id: node for node in nodes}

    def get(self, group_id: uuid.UUID | None) -> GroupNode | None:
        return None if group_id is None else self._nodes.get(group_id)

    def chain(self, group_id: uuid.UUID | None) -> list[GroupNode]:
        """The group, then its parent, and so on up (a cycle is cut where it closes)."""
        chain: list[GroupNode] = []
        seen: set[uuid.UUID] = set()
        node = self.get(group_id)
        while node is not None and node.id not in seen:
            chain.append(node)
            seen.add(node.id)
            node = self.get(node.parent_id)
        return chain

    def depot(self, group_id: uuid.UUID | None) -> GroupNode | None:
        """The nearest depot: the group itself when it is one, else its closest ancestor."""
        return next((node for node in self.chain(group_id) if node.kind == DEPOT), None)
