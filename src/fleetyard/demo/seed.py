"""Puts a demo plan into the database through the real services, so every record writes its
event and row-level security applies (run it on the app role). Idempotent: what a tenant
already has (by natural key) is kept as it is and only what is missing is created; a vehicle
that has any reservation gets no more. The contractors' MQTT integration is made through the
integrations service (its credentials sealed, so the seeding needs the keyring); one that
exists is kept, but follows the demo's broker if that changed. The caller owns the
transaction."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.db import set_tenant
from fleetyard.demo.alert_rules import seed_alert_rules
from fleetyard.demo.catalogue import Depot
from fleetyard.demo.dispatch import seed_dispatch
from fleetyard.demo.geofences import seed_geofences
from fleetyard.demo.inspections import seed_inspections
from fleetyard.demo.logins import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, DEMO_SLUG, DemoLogin
from fleetyard.demo.maintenance import seed_maintenance
from fleetyard.demo.plan import ContractorsPlan, GroupPlan, TenantPlan, VehiclePlan
from fleetyard.demo.predictions import seed_predictions
from fleetyard.demo.reports import seed_report_schedules
from fleetyard.demo.repository import ExistingRecords
from fleetyard.demo.routeplans import seed_route_plans
from fleetyard.devices.schemas import DeviceCreate, DeviceUpdate
from fleetyard.devices.service import DeviceService
from fleetyard.drivers.schemas import DriverCreate
from fleetyard.drivers.service import DriverService
from fleetyard.errors import NotFound
from fleetyard.groups.schemas import GroupCreate, GroupUpdate
from fleetyard.groups.service import GroupService
from fleetyard.integrations.providers.registry import ProviderName
from fleetyard.integrations.schemas import IntegrationCreate, IntegrationUpdate
from fleetyard.integrations.service import IntegrationService
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring
from fleetyard.members.repository import MemberRepository
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.models import Tenant
from fleetyard.reservations.schemas import (
    FINAL_STATUSES,
    InitialStatus,
    ReservationCreate,
    ReservationStatus,
    ReservationUpdate,
)
from fleetyard.reservations.service import ReservationService
from fleetyard.tenants.schemas import TenantCreate
from fleetyard.tenants.service import TenantService
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService

KINDS = (
    "vehicles",
    "drivers",
    "devices",
    "reservations",
    "groups",
    "geofences",
    "alert rules",
    "logins",
    "integrations",
)


@dataclass
class SeedReport:
    """How many records of each kind the plan holds, and how many this run created or
    changed."""

    tenant: str
    planned: Counter[str] = field(default_factory=Counter)
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        counts = ", ".join(
            f"{self.planned[kind]} {kind if self.planned[kind] > 1 else kind[:-1]}"
            for kind in KINDS
            if self.planned[kind]
        )
        added, changed = sum(self.created.values()), sum(self.changed.values())
        if added == changed == 0:
            return f"{counts} (reused)"
        if added == sum(self.planned.values()):
            return counts
        news = [f"{added} added"] * bool(added) + [f"{changed} changed"] * bool(changed)
        return f"{counts} ({', '.join(news)})"


async def ensure_tenant(session: AsyncSession, slug: str, name: str) -> Tenant:
    tenants = TenantService(session)
    try:
        return await tenants.get_by_slug(slug)
    except NotFound:
        return await tenants.create(TenantCreate(slug=slug, name=name))


async def ensure_member(session: AsyncSession, actor: Principal, login: DemoLogin) -> bool:
    """Make ``login`` a member of the actor's tenant (its user too, if new); True if added."""
    repo = MemberRepository(session, actor.tenant_id)
    user = await repo.get_user_by_email(login.email)
    if user is not None and await repo.get(user.id) is not None:
        return False
    password = login.password if user is None else None
    data = MemberCreate(
        email=login.email, role=login.role, password=password, display_name=login.display_name
    )
    await MemberService(session, actor).add(data)
    return True


async def ensure_demo_tenant(session: AsyncSession) -> DemoLogin:
    """The demo tenant and its owner login only (``fleetyard serve --demo``)."""
    tenant = await ensure_tenant(session, DEMO_SLUG, DEMO_NAME)
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    login = DemoLogin(DEMO_SLUG, DEMO_EMAIL, DEMO_PASSWORD)
    await ensure_member(session, Principal.system(tenant_id), login)
    return login


async def seed_tenant(
    session: AsyncSession, plan: TenantPlan, keyring: Keyring | None = None
) -> SeedReport:
    """The whole plan for one tenant; scopes the transaction to that tenant. ``keyring``
    seals the credentials of the plan's integration (a plan with contractors needs it)."""
    if plan.contractors is not None and keyring is None:
        raise ValueError("seeding the contractors' integration needs the keyring")
    tenant = await ensure_tenant(session, plan.slug, plan.name)
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    seeder = TenantSeeder(session, Principal.system(tenant_id), SeedReport(plan.name), keyring)
    await seeder.seed(plan)
    return seeder.report


def _groups(plan: TenantPlan) -> tuple[GroupPlan, ...]:
    """The plan's groups, the contractors' last."""
    contractors = plan.contractors
    return plan.groups if contractors is None else (*plan.groups, contractors.group)


def _vehicles(plan: TenantPlan) -> tuple[VehiclePlan, ...]:
    contractors = plan.contractors
    return plan.vehicles if contractors is None else (*plan.vehicles, *contractors.vehicles)


def _located(place: Depot) -> GroupUpdate:
    return GroupUpdate(latitude=place.latitude, longitude=place.longitude, radius_m=place.radius_m)


class TenantSeeder:
    """Creates a plan's missing records in dependency order, remembering every id by its
    natural key for the records that refer to it."""

    def __init__(
        self,
        session: AsyncSession,
        actor: Principal,
        report: SeedReport,
        keyring: Keyring | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.report = report
        self.keyring = keyring
        self.existing = ExistingRecords(session, actor.tenant_id)
        self.members: dict[str, uuid.UUID] = {}
        self.groups: dict[str, uuid.UUID] = {}
        self.vehicles: dict[str, uuid.UUID] = {}
        self.drivers: dict[str, uuid.UUID] = {}

    async def seed(self, plan: TenantPlan) -> None:
        report = self.report
        for kind in ("drivers", "devices", "reservations", "logins"):
            report.planned[kind] = len(getattr(plan, kind))
        report.planned["groups"] = len(_groups(plan))
        report.planned["vehicles"] = len(_vehicles(plan))
        report.planned["integrations"] = int(plan.contractors is not None)
        await self.seed_logins(plan)
        await self.seed_groups(plan)
        await self.seed_vehicles(plan)
        await self.seed_drivers(plan)
        await self.seed_devices(plan)
        await self.seed_reservations(plan)
        planned, created = await seed_geofences(self.session, self.actor, plan.slug)
        report.planned["geofences"], report.created["geofences"] = planned, created
        planned, created = await seed_alert_rules(self.session, self.actor, plan.slug)
        report.planned["alert rules"], report.created["alert rules"] = planned, created
        planned, created = await seed_report_schedules(self.session, self.actor, plan.slug)
        report.planned["report schedules"], report.created["report schedules"] = planned, created
        planned, created = await seed_inspections(self.session, self.actor, plan.slug)
        report.planned["inspections"], report.created["inspections"] = planned, created
        planned, created = await seed_maintenance(self.session, self.actor, plan.slug)
        report.planned["maintenance"], report.created["maintenance"] = planned, created
        planned, created = await seed_predictions(self.session, self.actor)
        report.planned["predictions"], report.created["predictions"] = planned, created
        planned, created = await seed_dispatch(self.session, self.actor, plan.slug)
        report.planned["dispatches"], report.created["dispatches"] = planned, created
        planned, created = await seed_route_plans(self.session, self.actor, plan.slug)
        report.planned["route plans"], report.created["route plans"] = planned, created
        if plan.contractors is not None:
            await self.seed_contractors_integration(plan.contractors)

    async def seed_logins(self, plan: TenantPlan) -> None:
        for login in plan.logins:
            self.report.created["logins"] += await ensure_member(self.session, self.actor, login)
        repo = MemberRepository(self.session, self.actor.tenant_id)
        self.members = {user.email: user.id for _, user in await repo.list()}

    async def seed_groups(self, plan: TenantPlan) -> None:
        """Missing groups are created (a depot with its place); a depot seeded before groups
        had places gets its place once, and one that has a place keeps it (someone may
        have moved it)."""
        self.groups = await self.existing.group_ids_by_name()
        service = GroupService(self.session, self.actor)
        for group in _groups(plan):  # parents come first in a plan
            place = group.place
            existing = self.groups.get(group.name.lower())
            if existing is not None:
                if place is not None and (await service.get(existing)).latitude is None:
                    await service.update(existing, _located(place), None)
                    self.report.changed["groups"] += 1
                continue
            parent_id = self.groups[group.parent.lower()] if group.parent else None
            created = await service.create(
                GroupCreate(
                    name=group.name,
                    kind=group.kind,
                    parent_id=parent_id,
                    latitude=place.latitude if place else None,
                    longitude=place.longitude if place else None,
                    radius_m=place.radius_m if place else None,
                )
            )
            self.groups[group.name.lower()] = created.id
            self.report.created["groups"] += 1

    async def seed_vehicles(self, plan: TenantPlan) -> None:
        self.vehicles = await self.existing.vehicle_ids_by_vin()
        service = VehicleService(self.session, self.actor)
        for vehicle in _vehicles(plan):
            if vehicle.vin in self.vehicles:
                continue
            created = await service.create(
                VehicleCreate(
                    vin=vehicle.vin,
                    plate=vehicle.plate,
                    name=vehicle.name,
                    make=vehicle.make,
                    model=vehicle.model,
                    year=vehicle.year,
                    type=vehicle.type,
                    fuel_type=vehicle.fuel_type,
                    odometer_km=vehicle.odometer_km,
                    group_id=self.groups[vehicle.group.lower()],
                    tags=list(vehicle.tags),
                )
            )
            self.vehicles[vehicle.vin] = created.id
            self.report.created["vehicles"] += 1

    async def seed_drivers(self, plan: TenantPlan) -> None:
        self.drivers = await self.existing.driver_ids_by_licence()
        service = DriverService(self.session, self.actor)
        for driver in plan.drivers:
            if driver.licence_number in self.drivers:
                continue
            vehicle_id = self.vehicles[driver.vehicle_vin] if driver.vehicle_vin else None
            created = await service.create(
                DriverCreate(
                    name=driver.name,
                    email=driver.email,
                    phone=driver.phone,
                    licence_number=driver.licence_number,
                    licence_class=driver.licence_class,
                    licence_expiry=driver.licence_expiry,
                    status=driver.status,
                    assigned_vehicle_id=vehicle_id,
                    group_id=self.groups[driver.group.lower()],
                )
            )
            self.drivers[driver.licence_number] = created.id
            self.report.created["drivers"] += 1

    async def seed_devices(self, plan: TenantPlan) -> None:
        """One tracker per vehicle, with the planned hardware id. A vehicle whose tracker
        has another id (a fleet of another size or seed planned it) keeps its device with
        the id changed, as when a tracker is swapped, rather than getting a second one."""
        registered = await self.existing.devices_by_unique_id()
        planned = {device.unique_id for device in plan.devices}
        swappable = {
            vehicle_id: device_id
            for unique_id, (device_id, vehicle_id) in registered.items()
            if unique_id not in planned and vehicle_id is not None
        }
        service = DeviceService(self.session, self.actor)
        for device in plan.devices:
            if device.unique_id in registered:
                continue
            vehicle_id = self.vehicles[device.vehicle_vin]
            swapped = swappable.pop(vehicle_id, None)
            if swapped is not None:
                swap = DeviceUpdate(
                    unique_id=device.unique_id, protocol=device.protocol, name=device.name
                )
                await service.update(swapped, swap, None)
                self.report.changed["devices"] += 1
                continue
            new = DeviceCreate(
                unique_id=device.unique_id,
                protocol=device.protocol,
                name=device.name,
                vehicle_id=vehicle_id,
            )
            await service.create(new)
            self.report.created["devices"] += 1

    async def seed_reservations(self, plan: TenantPlan) -> None:
        """Created as requested or confirmed (what a booking starts as), then moved on to
        completed or cancelled when the plan says so, as a dispatcher would."""
        booked = await self.existing.reserved_vehicle_ids()
        service = ReservationService(self.session, self.actor)
        for booking in plan.reservations:
            vehicle_id = self.vehicles[booking.vehicle_vin]
            if vehicle_id in booked:
                continue
            final = booking.status in FINAL_STATUSES
            initial: InitialStatus = (
                "requested" if booking.status is ReservationStatus.REQUESTED else "confirmed"
            )
            driver_id = self.drivers[booking.driver_licence] if booking.driver_licence else None
            created = await service.create(
                ReservationCreate(
                    vehicle_id=vehicle_id,
                    driver_id=driver_id,
                    user_id=self.members[booking.booked_by],
                    starts_at=booking.starts_at,
                    ends_at=booking.ends_at,
                    purpose=booking.purpose,
                    status=initial,
                )
            )
            if final:
                await service.update(created.id, ReservationUpdate(status=booking.status), None)
            self.report.created["reservations"] += 1

    async def seed_contractors_integration(self, contractors: ContractorsPlan) -> None:
        """The MQTT integration reading the contractors' phones (no credentials: the demo's
        broker takes anonymous clients). One that exists keeps its name and pause; its
        settings follow the demo's broker."""
        assert self.keyring is not None  # seed_tenant checked
        service = IntegrationService(self.session, self.actor, self.keyring)
        settings = contractors.settings()
        existing = (await self.existing.integrations_by_name()).get(contractors.integration.lower())
        if existing is None:
            await service.create(
                IntegrationCreate(
                    provider=ProviderName.MQTT,
                    name=contractors.integration,
                    settings=dict(settings),
                    credentials={},
                )
            )
            self.report.created["integrations"] += 1
        elif any(existing.settings.get(key) != value for key, value in settings.items()):
            await service.update(
                existing.id, IntegrationUpdate(settings={**existing.settings, **settings}), None
            )
            self.report.changed["integrations"] += 1
