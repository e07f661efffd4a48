from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from fleetyard.auth.roles import Permission, Role, has_permission
from fleetyard.kit.ids import TenantId, UserId


class ActorType(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class VehicleLimit:
    """The tenant's vehicle limit, read with the principal: a create needs no look-up of its
    own (``at_most`` None: no limit)."""

    at_most: int | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting, in which tenant, with which role. Every service call receives one."""

    tenant_id: TenantId
    role: Role
    actor_type: ActorType
    actor_id: uuid.UUID | None
    user_id: UserId | None = None
    api_requests_per_minute: int = 600
    # None: not read with the principal (system actors, tests); the service asks the database
    vehicle_limit: VehicleLimit | None = None

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    @classmethod
    def system(cls, tenant_id: TenantId) -> Principal:
        return cls(tenant_id, Role.OWNER, ActorType.SYSTEM, None)
