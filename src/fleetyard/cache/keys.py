"""Cache keys and tags that cannot be built without a tenant.

Every key and tag is made by a constructor that takes a :class:`TenantId` first and checks it
is a UUID, so no call site writes a raw key string and no entry can be shared between two
tenants by a forgotten prefix. The rendered forms (``fy:<tenant>:…``) are what the memory and
Redis tiers store; nothing parses them back.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from fleetyard.kit.ids import TenantId

PREFIX: Final = "fy"
_VERSION: Final = "1"  # bump when a cached shape changes, so old entries are never read


def _checked(tenant_id: TenantId) -> str:
    if not isinstance(tenant_id, uuid.UUID):  # a NewType is only a hint: check at runtime
        raise TypeError("a cache key needs the tenant's UUID")
    return str(tenant_id)


def fingerprint(parts: Iterable[tuple[str, str]]) -> str:
    """A short, stable digest of a request's normalised parameters (sorted name/value pairs)."""
    digest = hashlib.blake2b(digest_size=12)
    for name, value in sorted(parts):
        digest.update(name.encode())
        digest.update(b"\x1f")
        digest.update(value.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Tag:
    """A group of entries dropped together: one record, one entity's lists, or the tenant's
    aggregates."""

    tenant_id: TenantId
    name: str

    def __post_init__(self) -> None:
        _checked(self.tenant_id)

    def __str__(self) -> str:
        return f"{PREFIX}:{self.tenant_id}:tag:{self.name}"

    @classmethod
    def record(cls, tenant_id: TenantId, entity: str, record_id: uuid.UUID) -> Tag:
        return cls(tenant_id, f"{entity}:{record_id}")

    @classmethod
    def lists(cls, tenant_id: TenantId, entity: str) -> Tag:
        return cls(tenant_id, f"{entity}:lists")

    @classmethod
    def entity(cls, tenant_id: TenantId, entity: str) -> Tag:
        """Every record and list of one entity kind (a deleted group nulls its vehicles'
        group_id through a foreign key, with no event of theirs)."""
        return cls(tenant_id, f"{entity}:*")

    @classmethod
    def aggregates(cls, tenant_id: TenantId) -> Tag:
        return cls(tenant_id, "aggregates")


@dataclass(frozen=True, slots=True)
class CacheKey:
    """One cached value. Build it with :meth:`record`, :meth:`listing` or :meth:`aggregate`."""

    tenant_id: TenantId
    path: str

    def __post_init__(self) -> None:
        _checked(self.tenant_id)

    def __str__(self) -> str:
        return f"{PREFIX}:{self.tenant_id}:v{_VERSION}:{self.path}"

    @classmethod
    def record(cls, tenant_id: TenantId, entity: str, record_id: uuid.UUID) -> CacheKey:
        return cls(tenant_id, f"{entity}:{record_id}")

    @classmethod
    def listing(
        cls, tenant_id: TenantId, entity: str, params: Iterable[tuple[str, str]]
    ) -> CacheKey:
        return cls(tenant_id, f"{entity}:list:{fingerprint(params)}")

    @classmethod
    def aggregate(cls, tenant_id: TenantId, name: str) -> CacheKey:
        return cls(tenant_id, f"aggregate:{name}")
