"""The demo plans as data: real-looking VINs that decode to their maker and year, devices that
are exactly the simulator's, bookings that never collide, and stable for a seed."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, datetime

import aiomqtt
import pytest

from fleetyard.demo.plan import (
    KIND_CYCLE,
    LICENCES,
    ReservationPlan,
    TenantPlan,
    demo_fleet_plan,
    harbour_plan,
)
from fleetyard.demo.vins import make_vin, model_year_code
from fleetyard.drivers.schemas import DriverStatus
from fleetyard.groups.schemas import GroupKind
from fleetyard.integrations.providers.mqtt import MqttSettings
from fleetyard.kit.vin import decode_vin, validate_vin
from fleetyard.reservations.schemas import ReservationStatus
from fleetyard.simulator.devices import ENGINE_DATA_PROTOCOLS
from fleetyard.simulator.fleet import FleetConfig, planned_devices

NOW = datetime(2025, 6, 4, 10, 30, tzinfo=UTC)
FLEET = FleetConfig(vehicles=20, seed=1)


@pytest.fixture(scope="module")
def plan() -> TenantPlan:
    return demo_fleet_plan(FLEET, NOW)


def test_model_year_codes_and_the_check_digit() -> None:
    assert [model_year_code(y) for y in (1980, 2001, 2009, 2010, 2019, 2024)] == list("A19AKR")
    vin = make_vin("WF0", "YXXTT", 2021, "C", 12345)
    assert vin == validate_vin(vin) and vin[9] == "M" and vin.endswith("012345")
    with pytest.raises(ValueError, match="descriptor"):
        make_vin("WF0", "YXXTO", 2021, "C", 1)  # no O in a VIN


PLANS = {"demo": lambda: demo_fleet_plan(FLEET, NOW), "harbour": lambda: harbour_plan(NOW)}


@pytest.mark.parametrize("tenant", sorted(PLANS))
def test_vins_are_valid_and_decode_to_the_recorded_maker_and_year(tenant: str) -> None:
    plan = PLANS[tenant]()
    for vehicle in plan.vehicles:
        assert validate_vin(vehicle.vin) == vehicle.vin  # shape and check digit
        decoded = decode_vin(vehicle.vin, max_year=NOW.year + 1)
        assert decoded.year == vehicle.year, vehicle
        assert decoded.make and vehicle.make.split()[0] in decoded.make, (vehicle, decoded)
    for key in ("vin", "plate", "name"):
        values = [getattr(v, key) for v in plan.vehicles]
        assert len(set(values)) == len(values), key


def test_the_fleet_mixes_kinds_and_depots(plan: TenantPlan) -> None:
    assert len(plan.vehicles) == 20 == KIND_CYCLE
    kinds = Counter(v.type.value for v in plan.vehicles)
    assert kinds == {"van": 10, "car": 6, "truck": 2, "pickup": 1, "heavy_truck": 1}
    region, *depots = plan.groups
    assert region.kind is GroupKind.REGION and region.parent is None
    assert [d.name for d in depots] == ["Helsinki Central", "Pasila", "Herttoniemi"]
    assert all(d.kind is GroupKind.DEPOT and d.parent == region.name for d in depots)
    assert {v.group for v in plan.vehicles} == {d.name for d in depots}


def test_devices_are_the_simulated_ones_one_per_vehicle(plan: TenantPlan) -> None:
    simulated = planned_devices(FLEET)
    assert [(d.unique_id, d.protocol.value) for d in plan.devices] == [
        (d.unique_id, d.protocol) for d in simulated
    ]
    assert [d.vehicle_vin for d in plan.devices] == [v.vin for v in plan.vehicles]
    protocols = Counter(d.protocol.value for d in plan.devices)
    assert set(protocols) == {"teltonika", "gt06", "h02", "osmand"}
    assert sum(protocols[p] for p in ENGINE_DATA_PROTOCOLS) >= 3  # room for the early alerts


def test_drivers_hold_the_licence_their_vehicle_needs(plan: TenantPlan) -> None:
    vehicles = {v.vin: v for v in plan.vehicles}
    assigned = [d for d in plan.drivers if d.vehicle_vin is not None]
    assert len(assigned) == 16  # every fifth vehicle is a pool vehicle
    assert len({d.vehicle_vin for d in assigned}) == len(assigned)
    assert all(d.licence_class == vehicles[d.vehicle_vin or ""].licence_class for d in assigned)
    numbers = [d.licence_number for d in plan.drivers]
    assert len(set(numbers)) == len(numbers)
    assert len({d.name for d in plan.drivers}) == len(plan.drivers)
    assert all(d.phone.startswith("+358 ") and d.licence_expiry > NOW.date() for d in plan.drivers)
    assert any(d.status is DriverStatus.INACTIVE for d in plan.drivers)


def overlapping(bookings: list[ReservationPlan]) -> list[tuple[ReservationPlan, ReservationPlan]]:
    ordered = sorted(bookings, key=lambda b: b.starts_at)
    return [(a, b) for a, b in itertools.pairwise(ordered) if b.starts_at < a.ends_at]


def test_bookings_never_overlap_and_fit_their_driver(plan: TenantPlan) -> None:
    by_vehicle: dict[str, list[ReservationPlan]] = defaultdict(list)
    by_driver: dict[str, list[ReservationPlan]] = defaultdict(list)
    for booking in plan.reservations:
        by_vehicle[booking.vehicle_vin].append(booking)
        if booking.driver_licence is not None:
            by_driver[booking.driver_licence].append(booking)
    assert len(by_vehicle) == 4 and all(overlapping(b) == [] for b in by_vehicle.values())
    assert all(overlapping(b) == [] for b in by_driver.values())
    drivers = {d.licence_number: d for d in plan.drivers}
    vehicles = {v.vin: v for v in plan.vehicles}
    for booking in plan.reservations:
        assert booking.driver_licence is not None
        driver = drivers[booking.driver_licence]
        assert driver.status is DriverStatus.ACTIVE
        assert driver.licence_class in LICENCES[vehicles[booking.vehicle_vin].licence_class]


def test_past_bookings_are_done_and_upcoming_ones_open(plan: TenantPlan) -> None:
    past = [b for b in plan.reservations if b.ends_at <= NOW]
    upcoming = [b for b in plan.reservations if b.starts_at > NOW]
    assert past and upcoming
    done = {ReservationStatus.COMPLETED, ReservationStatus.CANCELLED}
    assert all(b.status in done for b in past)
    assert all(
        b.status in {ReservationStatus.CONFIRMED, ReservationStatus.REQUESTED} for b in upcoming
    )


def test_a_bigger_fleet_keeps_the_smaller_ones_records(plan: TenantPlan) -> None:
    bigger = demo_fleet_plan(FleetConfig(vehicles=30, seed=1), NOW)
    assert bigger.vehicles[:20] == plan.vehicles
    assert set(plan.drivers) <= set(bigger.drivers)
    assert demo_fleet_plan(FLEET, NOW) == plan
    assert demo_fleet_plan(FleetConfig(vehicles=20, seed=2), NOW).vehicles != plan.vehicles


def test_the_contractors_vans_two_recorded_one_to_match(plan: TenantPlan) -> None:
    contractors = plan.contractors
    assert contractors is not None and harbour_plan(NOW).contractors is None
    assert [van.tracker_id for van in contractors.vans] == [
        "putki_van1",
        "putki_van2",
        "putki_van3",
    ]
    recorded = {v.vin: v for v in contractors.vehicles}
    assert [van.vehicle_vin is not None for van in contractors.vans] == [True, True, False]
    for van in contractors.vans[:2]:
        vehicle = recorded[van.vehicle_vin or ""]
        assert vehicle.name == van.tracker_id  # what the MQTT integration matches by
        assert vehicle.group == contractors.group.name == "Contractors"
        assert validate_vin(vehicle.vin) == vehicle.vin and vehicle.type.value == "van"
    fleet = {v.vin for v in plan.vehicles} | {v.plate for v in plan.vehicles}
    assert fleet.isdisjoint(recorded) and fleet.isdisjoint(v.plate for v in recorded.values())
    for van in contractors.vans:  # each publishes where the integration subscribes
        assert aiomqtt.Topic(contractors.topic(van)).matches(contractors.topic_filter)
    settings = MqttSettings.model_validate(contractors.settings())
    assert settings.payload_format.value == "owntracks" and settings.qos == 1
    bigger = demo_fleet_plan(FleetConfig(vehicles=30, seed=1), NOW)
    assert bigger.contractors == contractors  # the same vans whatever the fleet's size
