"""Roles per tenant membership and the permission table every route is checked against."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FLEET_MANAGER = "fleet_manager"
    DISPATCHER = "dispatcher"
    MECHANIC = "mechanic"
    DRIVER = "driver"
    VIEWER = "viewer"


class Permission(StrEnum):
    TENANT_READ = "tenant:read"
    TENANT_MANAGE = "tenant:manage"
    MEMBERS_READ = "members:read"
    MEMBERS_MANAGE = "members:manage"
    API_KEYS_MANAGE = "api_keys:manage"
    EVENTS_READ = "events:read"
    GROUPS_READ = "groups:read"
    GROUPS_WRITE = "groups:write"
    VEHICLES_READ = "vehicles:read"
    VEHICLES_CREATE = "vehicles:create"
    VEHICLES_UPDATE = "vehicles:update"
    VEHICLES_DELETE = "vehicles:delete"
    DRIVERS_READ = "drivers:read"
    DRIVERS_WRITE = "drivers:write"
    DEVICES_READ = "devices:read"
    DEVICES_WRITE = "devices:write"
    RESERVATIONS_READ = "reservations:read"
    RESERVATIONS_WRITE = "reservations:write"
    ALERTS_ACKNOWLEDGE = "alerts:acknowledge"
    WEBHOOKS_MANAGE = "webhooks:manage"
    INTEGRATIONS_MANAGE = "integrations:manage"
    GEOFENCES_READ = "geofences:read"
    GEOFENCES_MANAGE = "geofences:manage"
    MAINTENANCE_READ = "maintenance:read"
    MAINTENANCE_WRITE = "maintenance:write"
    INSPECTIONS_READ = "inspections:read"
    INSPECTIONS_SUBMIT = "inspections:submit"
    INSPECTIONS_MANAGE = "inspections:manage"
    DISPATCH_READ = "dispatch:read"
    DISPATCH_MANAGE = "dispatch:manage"
    DISPATCH_DRIVE = "dispatch:drive"  # a stop's progress (a driver: on their own routes)
    ROUTE_PLANS_READ = "route_plans:read"
    ROUTE_PLANS_WRITE = "route_plans:write"


P = Permission
_READ_FLEET = {
    P.TENANT_READ,
    P.GROUPS_READ,
    P.VEHICLES_READ,
    P.DRIVERS_READ,
    P.DEVICES_READ,
    P.RESERVATIONS_READ,
    P.GEOFENCES_READ,
    P.MAINTENANCE_READ,
    P.INSPECTIONS_READ,
    P.ROUTE_PLANS_READ,
    P.DISPATCH_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission),
    Role.FLEET_MANAGER: frozenset(
        _READ_FLEET
        | {
            P.MEMBERS_READ,
            P.EVENTS_READ,
            P.GROUPS_WRITE,
            P.VEHICLES_CREATE,
            P.VEHICLES_UPDATE,
            P.VEHICLES_DELETE,
            P.DRIVERS_WRITE,
            P.DEVICES_WRITE,
            P.MAINTENANCE_WRITE,
            P.RESERVATIONS_WRITE,
            P.ALERTS_ACKNOWLEDGE,
            P.GEOFENCES_MANAGE,
            P.INSPECTIONS_SUBMIT,
            P.INSPECTIONS_MANAGE,
            P.ROUTE_PLANS_WRITE,
            P.DISPATCH_MANAGE,
            P.DISPATCH_DRIVE,
        }
    ),
    Role.DISPATCHER: frozenset(
        _READ_FLEET
        | {
            P.EVENTS_READ,
            P.DRIVERS_WRITE,
            P.RESERVATIONS_WRITE,
            P.ALERTS_ACKNOWLEDGE,
            P.GEOFENCES_MANAGE,
            P.ROUTE_PLANS_WRITE,
            P.DISPATCH_MANAGE,
            P.DISPATCH_DRIVE,
        }
    ),
    Role.MECHANIC: frozenset(
        _READ_FLEET
        | {
            P.EVENTS_READ,
            P.VEHICLES_UPDATE,
            P.ALERTS_ACKNOWLEDGE,
            P.MAINTENANCE_WRITE,
            P.INSPECTIONS_SUBMIT,
            P.INSPECTIONS_MANAGE,
        }
    ),
    Role.DRIVER: frozenset(
        {
            P.TENANT_READ,
            P.GROUPS_READ,
            P.VEHICLES_READ,
            P.RESERVATIONS_READ,
            P.RESERVATIONS_WRITE,
            P.INSPECTIONS_READ,
            P.INSPECTIONS_SUBMIT,
            P.DISPATCH_READ,  # their own routes only (the service scopes them)
            P.DISPATCH_DRIVE,
        }
    ),
    Role.VIEWER: frozenset(_READ_FLEET | {P.EVENTS_READ}),
}

# Who may hand out which role (to a member or an API key): never above one's own.
ROLE_RANK = {
    Role.OWNER: 7,
    Role.ADMIN: 6,
    Role.FLEET_MANAGER: 5,
    Role.DISPATCHER: 4,
    Role.MECHANIC: 3,
    Role.DRIVER: 2,
    Role.VIEWER: 1,
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def can_grant(granter: Role, role: Role) -> bool:
    return ROLE_RANK[granter] >= ROLE_RANK[role]
