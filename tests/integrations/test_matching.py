"""Matching vendor vehicles to ours, and the device ids their positions are stored under."""

from __future__ import annotations

import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from fleetyard.integrations.matching import Match, Matcher, OurVehicle, device_unique_id, match_all
from fleetyard.integrations.providers.base import VendorVehicle

VAN = OurVehicle(uuid.uuid4(), vin="1HGCM82633A004352", name="Van 7", plate="ABC-123")
TRUCK = OurVehicle(uuid.uuid4(), vin=None, name="Truck 2", plate="XYZ 9")
TWIN_A = OurVehicle(uuid.uuid4(), name="Spare")
TWIN_B = OurVehicle(uuid.uuid4(), name="spare ")
OURS = [VAN, TRUCK, TWIN_A, TWIN_B]


def test_vin_first_then_name_then_plate_then_serial() -> None:
    matcher = Matcher(OURS)
    assert matcher.match(VendorVehicle("1", vin=" 1hgcm82633a004352", name="Truck 2")) == Match(
        VAN.id, "vin"
    )
    assert matcher.match(VendorVehicle("2", name="  truck   2")) == Match(TRUCK.id, "name")
    assert matcher.match(VendorVehicle("3", plate="abc 123")) == Match(VAN.id, "plate")
    assert matcher.match(VendorVehicle("4", serial="Truck 2")) == Match(TRUCK.id, "serial")
    assert matcher.match(VendorVehicle("5", serial="XYZ9")) == Match(TRUCK.id, "serial")


def test_unknown_and_ambiguous_vehicles_match_nothing() -> None:
    matches = match_all(
        [VendorVehicle("a", name="Nobody"), VendorVehicle("b", name="SPARE", plate="XYZ 9")], OURS
    )
    assert matches == {"a": None, "b": None}  # two of ours are called "spare": a person decides


def test_device_ids_are_namespaced_per_connection() -> None:
    one, two = uuid.UUID(int=1), uuid.UUID(int=2)
    assert re.fullmatch(r"samsara-[0-9a-f]{10}-281474", device_unique_id("samsara", one, "281474"))
    assert device_unique_id("verizon_connect", one, "V-12").startswith("verizon-")
    assert device_unique_id("geotab", one, "b1") != device_unique_id("geotab", two, "b1")


@given(st.text(min_size=1, max_size=300), st.uuids(), st.sampled_from(["geotab", "mqtt"]))
def test_any_vendor_id_gives_a_valid_stable_device_id(
    vendor_id: str, integration_id: uuid.UUID, provider: str
) -> None:
    made = device_unique_id(provider, integration_id, vendor_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", made)
    assert made == device_unique_id(provider, integration_id, vendor_id)
