"""ORM models, one file per table."""

from fleetyard.models.alert import Alert, UnknownDevice
from fleetyard.models.api_key import ApiKey
from fleetyard.models.base import Base
from fleetyard.models.device import Device, DeviceIdentity
from fleetyard.models.driver import Driver
from fleetyard.models.event import Event
from fleetyard.models.group import Group
from fleetyard.models.idempotency_key import IdempotencyKey
from fleetyard.models.integration import Integration, IntegrationStatus
from fleetyard.models.membership import Membership
from fleetyard.models.position import PositionRecord, VehicleState
from fleetyard.models.reservation import Reservation
from fleetyard.models.session import UserSession
from fleetyard.models.tenant import Tenant
from fleetyard.models.user import User
from fleetyard.models.vehicle import Vehicle
from fleetyard.models.webhook import Webhook
from fleetyard.models.webhook_delivery import WebhookDelivery

__all__ = [
    "Alert",
    "ApiKey",
    "Base",
    "Device",
    "DeviceIdentity",
    "Driver",
    "Event",
    "Group",
    "IdempotencyKey",
    "Integration",
    "IntegrationStatus",
    "Membership",
    "PositionRecord",
    "Reservation",
    "Tenant",
    "UnknownDevice",
    "User",
    "UserSession",
    "Vehicle",
    "VehicleState",
    "Webhook",
    "WebhookDelivery",
]
