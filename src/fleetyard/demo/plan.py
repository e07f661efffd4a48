"""The demo tenants as data: what to create, drawn from a seed at the moment of seeding.

Pure (no database). Records name each other by natural keys — a group by its name, a
vehicle by its VIN, a driver by licence number, a member by email — which the seeding turns
into ids. Each kind of record draws from its own random stream, one record after another,
so a fleet of 30 starts with the same 20 vehicles and drivers as a fleet of 20.

The demo fleet's devices are the simulator's planned devices (``planned_devices``), one per
vehicle in order, so what the simulator drives is exactly what is registered.

The demo fleet also has contractors (``ContractorsPlan``): a firm's vans whose phones publish
OwnTracks positions to an MQTT broker, read by the tenant's MQTT integration. Two of the vans
are in the fleet's records (their group and vehicles are the contractors' own, apart from
the simulated fleet's), the third is not: it shows as a vendor vehicle waiting to be matched.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from fleetyard.demo.catalogue import (
    CONTRACTOR_FIRM,
    CONTRACTOR_RECORDED,
    CONTRACTOR_USER,
    CONTRACTOR_VANS,
    DEPOTS,
    FIRST_NAMES,
    HARBOUR_DEPOT,
    KINDS,
    LAST_NAMES,
    MOBILE_PREFIXES,
    MODEL_YEARS,
    PURPOSES,
    REGION,
    TRACKERS,
    Depot,
    VehicleKind,
    VehicleModel,
)
from fleetyard.demo.logins import (
    DEMO_DISPATCHER_EMAIL,
    DEMO_LOGINS,
    DEMO_NAME,
    DEMO_SLUG,
    HARBOUR_LOGINS,
    HARBOUR_NAME,
    HARBOUR_SLUG,
    DemoLogin,
)
from fleetyard.demo.vins import make_vin
from fleetyard.devices.schemas import DeviceProtocol
from fleetyard.drivers.schemas import DriverStatus
from fleetyard.groups.schemas import GroupKind
from fleetyard.reservations.schemas import ReservationStatus
from fleetyard.simulator.fleet import FleetConfig, planned_devices
from fleetyard.vehicles.schemas import FuelType, VehicleType

KIND_CYCLE: Final = 20  # every 20 vehicles hold each kind by its share, in a seeded order
POOL_EVERY: Final = 5  # every fifth vehicle is a pool vehicle: no driver of its own, booked
SPARE_DRIVERS: Final = 2  # drivers without a vehicle of their own (they take pool vehicles)
BOOKING_DAYS: Final = range(-7, 8)  # reservations fall within a week either side of today
BOOKINGS_PER_POOL_VEHICLE: Final = (4, 6)
SHIFTS_UTC: Final = ((time(5), time(9)), (time(10), time(14)))  # 08-12 and 13-17 in Helsinki
LICENCES: Final = {"B": {"B", "C", "CE"}, "C": {"C", "CE"}, "CE": {"CE"}}  # who may drive it
PLATE_LETTERS: Final = "ABCEFGHIJKLMNORSTUVXYZ"
CONTRACTOR_GROUP: Final = "Contractors"
CONTRACTORS_INTEGRATION: Final = "Contractor vans (MQTT)"


@dataclass(frozen=True, slots=True)
class GroupPlan:
    name: str
    kind: GroupKind
    parent: str | None = None
    place: Depot | None = None  # where a depot stands (its point and radius)


@dataclass(frozen=True, slots=True)
class VehiclePlan:
    vin: str
    plate: str
    name: str
    make: str
    model: str
    year: int
    type: VehicleType
    fuel_type: FuelType
    odometer_km: float
    group: str
    tags: tuple[str, ...]
    licence_class: str  # what its driver needs


@dataclass(frozen=True, slots=True)
class DriverPlan:
    name: str
    email: str
    phone: str
    licence_number: str
    licence_class: str
    licence_expiry: date
    group: str
    vehicle_vin: str | None
    status: DriverStatus = DriverStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class DevicePlan:
    unique_id: str
    protocol: DeviceProtocol
    name: str
    vehicle_vin: str


@dataclass(frozen=True, slots=True)
class ReservationPlan:
    vehicle_vin: str
    driver_licence: str | None
    booked_by: str  # a member's email
    starts_at: datetime
    ends_at: datetime
    purpose: str
    status: ReservationStatus


@dataclass(frozen=True, slots=True)
class Broker:
    """The MQTT broker the contractors' phones publish to (``FLEETYARD_DEMO_MQTT_*``)."""

    host: str = "127.0.0.1"
    port: int = 1883

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class ContractorVan:
    user: str  # OwnTracks' user and device: the topic's last two levels
    device: str
    vehicle_vin: str | None  # ours, named by its tracker; None: not in our records

    @property
    def tracker_id(self) -> str:
        """What the MQTT integration calls it (OwnTracks: ``<user>_<device>``)."""
        return f"{self.user}_{self.device}"


@dataclass(frozen=True, slots=True)
class ContractorsPlan:
    """The contractors' vans, their group and vehicles in our records, and the MQTT
    integration that reads their phones' positions from the broker."""

    integration: str  # its name
    firm: str
    broker: Broker
    topic_base: str  # each van publishes to <topic_base>/<user>/<device>
    group: GroupPlan
    vehicles: tuple[VehiclePlan, ...]
    vans: tuple[ContractorVan, ...]

    @property
    def topic_filter(self) -> str:
        return f"{self.topic_base}/+/+"

    @property
    def client_id(self) -> str:
        """The integration's: the broker keeps its session (what arrives while it is away)."""
        return self.topic_base.replace("/", "-")[:64]

    def topic(self, van: ContractorVan) -> str:
        return f"{self.topic_base}/{van.user}/{van.device}"

    def settings(self) -> dict[str, str | int]:
        """The MQTT integration's settings (``MqttSettings``)."""
        return {
            "host": self.broker.host,
            "port": self.broker.port,
            "topic_filter": self.topic_filter,
            "payload_format": "owntracks",
            "client_id": self.client_id,
            "qos": 1,
        }


@dataclass(frozen=True)
class TenantPlan:
    slug: str
    name: str
    logins: tuple[DemoLogin, ...]
    groups: tuple[GroupPlan, ...]
    vehicles: tuple[VehiclePlan, ...]
    drivers: tuple[DriverPlan, ...]
    devices: tuple[DevicePlan, ...]
    reservations: tuple[ReservationPlan, ...]
    contractors: ContractorsPlan | None = None


def demo_fleet_plan(fleet: FleetConfig, now: datetime, broker: Broker | None = None) -> TenantPlan:
    """Demo Fleet: a region with three depots, the fleet the simulator drives, a driver for
    most vehicles, pool vehicles booked in the past and the coming days, three logins; and
    its contractors' vans, read from ``broker`` by an MQTT integration."""
    seed = fleet.seed
    groups = (
        GroupPlan(REGION, GroupKind.REGION),
        *(GroupPlan(depot.name, GroupKind.DEPOT, REGION, depot) for depot in DEPOTS),
    )
    kinds = kind_cycle(random.Random(f"{seed}:kinds"))
    draw = random.Random(f"{seed}:vehicles")
    taken: set[str] = set()
    vehicles: list[VehiclePlan] = []
    for n in range(fleet.vehicles):
        kind = kinds[n % len(kinds)]
        model = draw.choice(kind.models)
        depot = DEPOTS[n % len(DEPOTS)]
        vehicles.append(draw_vehicle(draw, kind, model, depot, n, now, taken))
    pool = [v for n, v in enumerate(vehicles) if n % POOL_EVERY == POOL_EVERY - 1]
    assigned = [v for n, v in enumerate(vehicles) if n % POOL_EVERY != POOL_EVERY - 1]
    drivers = draw_drivers(random.Random(f"{seed}:drivers"), assigned, "demo", now)
    devices = tuple(
        DevicePlan(
            device.unique_id,
            DeviceProtocol(device.protocol),
            f"{TRACKERS[device.protocol]} · {vehicle.plate}",
            vehicle.vin,
        )
        for device, vehicle in zip(planned_devices(fleet), vehicles, strict=True)
    )
    reservations = draw_reservations(
        random.Random(f"{seed}:reservations"), pool, drivers, DEMO_DISPATCHER_EMAIL, now
    )
    contractors = contractors_plan(
        random.Random(f"{seed}:contractors"), broker or Broker(), vehicles, now
    )
    return TenantPlan(
        DEMO_SLUG,
        DEMO_NAME,
        DEMO_LOGINS,
        groups,
        tuple(vehicles),
        drivers,
        devices,
        reservations,
        contractors,
    )


def contractors_plan(
    draw: random.Random, broker: Broker, fleet: Sequence[VehiclePlan], now: datetime
) -> ContractorsPlan:
    """The contractor's three vans; the first ``CONTRACTOR_RECORDED`` are in our records,
    named by their tracker (VINs and plates apart from the fleet's)."""
    by_model = {model.model: model for kind in KINDS for model in kind.models}
    taken = {v.vin for v in fleet} | {v.plate for v in fleet}
    group = GroupPlan(CONTRACTOR_GROUP, GroupKind.OTHER)
    vehicles: list[VehiclePlan] = []
    vans: list[ContractorVan] = []
    for number, (device, model_name) in enumerate(CONTRACTOR_VANS):
        kind, model = _kind_of(by_model[model_name])
        drawn = draw_vehicle(draw, kind, model, DEPOTS[0], number, now, taken)
        van = ContractorVan(CONTRACTOR_USER, device, None)
        if number < CONTRACTOR_RECORDED:
            vehicle = replace(
                drawn, name=van.tracker_id, group=group.name, tags=(kind.tag, "contractor")
            )
            vehicles.append(vehicle)
            van = replace(van, vehicle_vin=vehicle.vin)
        vans.append(van)
    return ContractorsPlan(
        CONTRACTORS_INTEGRATION,
        CONTRACTOR_FIRM,
        broker,
        f"fleetyard-demo/{DEMO_SLUG}/owntracks",
        group,
        tuple(vehicles),
        tuple(vans),
    )


def harbour_plan(now: datetime) -> TenantPlan:
    """Harbour Logistics: another organisation on the same platform, to show isolation — one
    depot, two trucks and a van (no trackers), two drivers, one booking, its own owner."""
    by_model = {model.model: model for kind in KINDS for model in kind.models}
    draw = random.Random("harbour:vehicles")
    taken: set[str] = set()
    vehicles = tuple(
        draw_vehicle(draw, *_kind_of(by_model[name]), HARBOUR_DEPOT, n, now, taken)
        for n, name in enumerate(("FH 460", "R 450", "Transit Custom"))
    )
    drivers = draw_drivers(random.Random("harbour:drivers"), vehicles[:2], "harbour", now, 0)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), SHIFTS_UTC[0][0], UTC)
    booking = ReservationPlan(
        vehicles[2].vin,
        drivers[0].licence_number,
        HARBOUR_LOGINS[0].email,
        tomorrow,
        tomorrow + timedelta(hours=4),
        "Customs papers, Vuosaari terminal",
        ReservationStatus.CONFIRMED,
    )
    return TenantPlan(
        HARBOUR_SLUG,
        HARBOUR_NAME,
        HARBOUR_LOGINS,
        (GroupPlan(HARBOUR_DEPOT.name, GroupKind.DEPOT, place=HARBOUR_DEPOT),),
        vehicles,
        drivers,
        (),
        (booking,),
    )


# vehicles --------------------------------------------------------------------------------
def kind_cycle(draw: random.Random) -> list[VehicleKind]:
    """``KIND_CYCLE`` vehicle kinds, each as often as its share says, shuffled."""
    cycle = [kind for kind in KINDS for _ in range(round(kind.share * KIND_CYCLE))]
    draw.shuffle(cycle)
    return cycle


def _kind_of(model: VehicleModel) -> tuple[VehicleKind, VehicleModel]:
    return next(kind for kind in KINDS if model in kind.models), model


def draw_vehicle(
    draw: random.Random,
    kind: VehicleKind,
    model: VehicleModel,
    depot: Depot,
    number: int,
    now: datetime,
    taken: set[str],
) -> VehiclePlan:
    """Vehicle ``number`` of a fleet; ``taken`` holds the VINs and plates drawn so far."""
    year = draw.randint(*MODEL_YEARS)
    serial = draw.randrange  # VIN serials: six digits
    vin = _unique(
        taken, lambda: make_vin(model.wmi, model.descriptor, year, model.plant, serial(10**6))
    )
    plate = _unique(taken, lambda: _plate(draw))
    age_years = max(0.3, now.year - year + draw.random())
    tags = (kind.tag, "ev") if model.fuel_type is FuelType.ELECTRIC else (kind.tag,)
    return VehiclePlan(
        vin=vin,
        plate=plate,
        name=f"{depot.code}-{number + 1:02d}",
        make=model.make,
        model=model.model,
        year=year,
        type=kind.type,
        fuel_type=model.fuel_type,
        odometer_km=round(age_years * draw.randint(*kind.km_per_year)),
        group=depot.name,
        tags=tags,
        licence_class=kind.licence_class,
    )


def _plate(draw: random.Random) -> str:
    """Finnish style: ABC-123."""
    letters = "".join(draw.choice(PLATE_LETTERS) for _ in range(3))
    return f"{letters}-{draw.randint(1, 999)}"


# drivers ---------------------------------------------------------------------------------
def draw_drivers(
    draw: random.Random,
    vehicles: Sequence[VehiclePlan],
    domain: str,
    now: datetime,
    spares: int = SPARE_DRIVERS,
) -> tuple[DriverPlan, ...]:
    """``spares`` drivers without a vehicle (drawn first, so more vehicles never change
    them), then one driver per vehicle in order, in the vehicle's depot; names are unique."""
    names: set[str] = set()
    drivers = []
    for number in range(spares):
        status = DriverStatus.INACTIVE if number == 1 else DriverStatus.ACTIVE
        drivers.append(_driver(draw, names, domain, "B", DEPOTS[0].name, None, now, status))
    for vehicle in vehicles:
        drivers.append(
            _driver(draw, names, domain, vehicle.licence_class, vehicle.group, vehicle.vin, now)
        )
    return tuple(drivers)


def _driver(
    draw: random.Random,
    names: set[str],
    domain: str,
    licence_class: str,
    group: str,
    vehicle_vin: str | None,
    now: datetime,
    status: DriverStatus = DriverStatus.ACTIVE,
) -> DriverPlan:
    name = _unique(names, lambda: f"{draw.choice(FIRST_NAMES)} {draw.choice(LAST_NAMES)}")
    # one licence in eight runs out within six weeks: something for a fleet manager to see
    days = draw.randint(10, 42) if draw.random() < 0.125 else draw.randint(120, 1800)
    number = len(names)
    return DriverPlan(
        name=name,
        email=f"{_ascii(name).lower().replace(' ', '.')}@{domain}.fleetyard.dev",
        phone=_mobile(draw),
        licence_number=f"FI{draw.randrange(100_000):05d}{number:04d}",  # unique: the number
        licence_class=licence_class,
        licence_expiry=now.date() + timedelta(days=days),
        group=group,
        vehicle_vin=vehicle_vin,
        status=status,
    )


def _mobile(draw: random.Random) -> str:
    return (
        f"+358 {draw.choice(MOBILE_PREFIXES)} {draw.randint(100, 999)} {draw.randint(1000, 9999)}"
    )


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("äöåÄÖÅ", "aoaAOA"))


# reservations ----------------------------------------------------------------------------
def draw_reservations(
    draw: random.Random,
    vehicles: Sequence[VehiclePlan],
    drivers: Sequence[DriverPlan],
    booked_by: str,
    now: datetime,
) -> tuple[ReservationPlan, ...]:
    """Bookings of each vehicle on different days (so never overlapping), each by an active
    driver licensed for it and free that day. Past ones are completed (one in four was
    cancelled instead), upcoming ones confirmed (one in three still requested)."""
    active = [d for d in drivers if d.status is DriverStatus.ACTIVE]
    busy: set[tuple[str, int]] = set()  # (licence number, day)
    bookings = []
    for vehicle in vehicles:
        days = sorted(draw.sample(BOOKING_DAYS, draw.randint(*BOOKINGS_PER_POOL_VEHICLE)))
        for day in days:
            start, end = draw.choice(SHIFTS_UTC)
            on = now.date() + timedelta(days=day)
            starts_at = datetime.combine(on, start, UTC)
            ends_at = datetime.combine(on, end, UTC)
            allowed = LICENCES[vehicle.licence_class]
            free = [
                d
                for d in active
                if d.licence_class in allowed and (d.licence_number, day) not in busy
            ]
            driver = draw.choice(free) if free else None
            if driver is not None:
                busy.add((driver.licence_number, day))
            bookings.append(
                ReservationPlan(
                    vehicle.vin,
                    driver.licence_number if driver else None,
                    booked_by,
                    starts_at,
                    ends_at,
                    draw.choice(PURPOSES),
                    _status(draw, starts_at, ends_at, now),
                )
            )
    return tuple(bookings)


def _status(
    draw: random.Random, starts_at: datetime, ends_at: datetime, now: datetime
) -> ReservationStatus:
    if ends_at <= now:
        return ReservationStatus.CANCELLED if draw.random() < 0.25 else ReservationStatus.COMPLETED
    if starts_at > now and draw.random() < 1 / 3:
        return ReservationStatus.REQUESTED
    return ReservationStatus.CONFIRMED


def _unique(taken: set[str], draw: Callable[[], str]) -> str:
    """Draw until the value is not yet ``taken``; then it is."""
    while (value := draw()) in taken:
        pass
    taken.add(value)
    return value
