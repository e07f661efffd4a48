"""Every event type the product writes, with the words people read for it (webhook settings,
integrators' docs), and which change fields hold ids of other records.

One list: the API publishes it (``GET /events/types``), the web app reads its labels from
there, and a test checks that every service's writes are in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal


@dataclass(frozen=True, slots=True)
class EventKind:
    type: str
    domain: str
    label: str


# domain → how settings head its group of event types
DOMAINS: Final = {
    "vehicle": "Vehicles",
    "driver": "Drivers",
    "device": "Devices",
    "reservation": "Reservations",
    "group": "Groups",
    "alert": "Alerts",
    "member": "Members",
    "api_key": "API keys",
    "webhook": "Webhooks",
    "integration": "Integrations",
    "tenant": "Organisation",
}

EventTypeName = Literal[
    "vehicle_created",
    "vehicle_updated",
    "vehicle_deleted",
    "driver_created",
    "driver_updated",
    "driver_deleted",
    "device_created",
    "device_updated",
    "device_deleted",
    "device_command_sent",
    "reservation_created",
    "reservation_updated",
    "reservation_deleted",
    "group_created",
    "group_updated",
    "group_deleted",
    "alert_opened",
    "alert_cleared",
    "alert_acknowledged",
    "member_created",
    "member_updated",
    "member_deleted",
    "api_key_created",
    "api_key_revoked",
    "webhook_created",
    "webhook_updated",
    "webhook_deleted",
    "webhook_secret_rotated",
    "integration_created",
    "integration_updated",
    "integration_deleted",
    "tenant_updated",
]

EVENT_KINDS: Final = (
    EventKind("vehicle_created", "vehicle", "Vehicle created"),
    EventKind("vehicle_updated", "vehicle", "Vehicle updated"),
    EventKind("vehicle_deleted", "vehicle", "Vehicle deleted"),
    EventKind("driver_created", "driver", "Driver created"),
    EventKind("driver_updated", "driver", "Driver updated"),
    EventKind("driver_deleted", "driver", "Driver deleted"),
    EventKind("device_created", "device", "Device created"),
    EventKind("device_updated", "device", "Device updated"),
    EventKind("device_deleted", "device", "Device deleted"),
    EventKind("device_command_sent", "device", "Command sent to a device"),
    EventKind("reservation_created", "reservation", "Reservation created"),
    EventKind("reservation_updated", "reservation", "Reservation updated"),
    EventKind("reservation_deleted", "reservation", "Reservation deleted"),
    EventKind("group_created", "group", "Group created"),
    EventKind("group_updated", "group", "Group updated"),
    EventKind("group_deleted", "group", "Group deleted"),
    EventKind("alert_opened", "alert", "Alert opened"),
    EventKind("alert_cleared", "alert", "Alert cleared"),
    EventKind("alert_acknowledged", "alert", "Alert acknowledged"),
    EventKind("member_created", "member", "Member added"),
    EventKind("member_updated", "member", "Member's role changed"),
    EventKind("member_deleted", "member", "Member removed"),
    EventKind("api_key_created", "api_key", "API key created"),
    EventKind("api_key_revoked", "api_key", "API key revoked"),
    EventKind("webhook_created", "webhook", "Webhook created"),
    EventKind("webhook_updated", "webhook", "Webhook updated"),
    EventKind("webhook_deleted", "webhook", "Webhook deleted"),
    EventKind("webhook_secret_rotated", "webhook", "Webhook secret rotated"),
    EventKind("integration_created", "integration", "Integration added"),
    EventKind("integration_updated", "integration", "Integration changed"),
    EventKind("integration_deleted", "integration", "Integration removed"),
    EventKind("tenant_updated", "tenant", "Organisation settings changed"),
)

# A change field whose values are ids → the kind of record they name. ``actor`` ids are a
# member's user id or an API key's id (who acknowledged an alert).
REFERENCE_FIELDS: Final = {
    "group_id": "group",
    "parent_id": "group",
    "vehicle_id": "vehicle",
    "assigned_vehicle_id": "vehicle",
    "driver_id": "driver",
    "device_id": "device",
    "user_id": "member",
    "acknowledged_by": "actor",
}
