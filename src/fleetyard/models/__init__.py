"""ORM models, one file per table."""

from fleetyard.models.alert import Alert, UnknownDevice
from fleetyard.models.alert_rule import AlertComment, AlertRule
from fleetyard.models.api_key import ApiKey
from fleetyard.models.base import Base
from fleetyard.models.device import Device, DeviceIdentity
from fleetyard.models.driver import Driver
from fleetyard.models.event import Event
from fleetyard.models.group import Group
from fleetyard.models.idempotency_key import IdempotencyKey
from fleetyard.models.inspection import Inspection
from fleetyard.models.inspection_defect import InspectionDefect
from fleetyard.models.inspection_photo import InspectionPhoto
from fleetyard.models.inspection_template import InspectionTemplate
from fleetyard.models.integration import Integration, IntegrationStatus
from fleetyard.models.membership import Membership
from fleetyard.models.notification import (
    Notification,
    NotificationChannelSettings,
    NotificationDelivery,
    NotificationPreference,
    PushSubscription,
)
from fleetyard.models.part import Part
from fleetyard.models.position import PositionRecord, VehicleState
from fleetyard.models.reservation import Reservation
from fleetyard.models.route_plan import RoutePlan
from fleetyard.models.service_schedule import ServiceSchedule
from fleetyard.models.service_schedule_vehicle import ServiceScheduleVehicle
from fleetyard.models.session import UserSession
from fleetyard.models.tenant import Tenant
from fleetyard.models.user import User
from fleetyard.models.vehicle import Vehicle
from fleetyard.models.webhook import Webhook
from fleetyard.models.webhook_delivery import WebhookDelivery
from fleetyard.models.work_order import WorkOrder
from fleetyard.models.work_order_line import WorkOrderLine

__all__ = [
    "Alert",
    "AlertComment",
    "AlertRule",
    "ApiKey",
    "Base",
    "Device",
    "DeviceIdentity",
    "Driver",
    "Event",
    "Group",
    "IdempotencyKey",
    "Inspection",
    "InspectionDefect",
    "InspectionPhoto",
    "InspectionTemplate",
    "Integration",
    "IntegrationStatus",
    "Membership",
    "Notification",
    "NotificationChannelSettings",
    "NotificationDelivery",
    "NotificationPreference",
    "Part",
    "PositionRecord",
    "PushSubscription",
    "Reservation",
    "RoutePlan",
    "ServiceSchedule",
    "ServiceScheduleVehicle",
    "Tenant",
    "UnknownDevice",
    "User",
    "UserSession",
    "Vehicle",
    "VehicleState",
    "Webhook",
    "WebhookDelivery",
    "WorkOrder",
    "WorkOrderLine",
]
