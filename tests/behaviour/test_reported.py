"""Harsh events the devices report, from the bytes they send: a Teltonika record with green
driving (IO 253 = 2, braking; IO 254 its force in g × 100) and a GT06 alarm 0x30 decode into
fixes that carry a reported harsh braking, and a detector records it once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fleetyard.behaviour import thresholds as t
from fleetyard.behaviour.detector import Detector
from fleetyard.behaviour.handler import to_fix
from fleetyard.behaviour.store import reported_g, reported_kinds
from fleetyard.simulator.devices import Gt06Wire, TeltonikaWire
from fleetyard.simulator.devices.ids import simulated_unique_id
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.teltonika import TeltonikaSession
from tests.simulator.test_encoders import FIX, decode, reading


def resolved(position: Position) -> Resolved:
    route = DeviceRoute.__new__(DeviceRoute)  # the route plays no part in a fix's content
    return Resolved(route, position, FIX)


def detect(positions: list[Position]) -> list[tuple[str, str, float | None]]:
    fixes = [to_fix(resolved(p)) for p in positions]
    found = Detector(t.CAR, ZoneInfo("UTC")).feed(fixes)
    return [(f.kind, f.source, f.peak_g) for f in found]


def test_teltonika_green_driving_is_a_reported_harsh_braking() -> None:
    wire = TeltonikaWire(simulated_unique_id("teltonika", 3))
    sources = [reading(), reading(fix_time=FIX.replace(second=16), harsh_braking=True, dtcs=())]
    positions, _ = decode(
        TeltonikaSession(), wire.hello(), wire.encode(sources), byte_by_byte=False
    )
    assert reported_kinds(positions[1].attributes) == ("harsh_braking",)
    assert reported_kinds(positions[0].attributes) == ()
    assert detect(positions) == [("harsh_braking", "device", None)]


def test_the_force_a_teltonika_device_measured_is_kept() -> None:
    position = Position("1", "teltonika", FIX, 60.17, 24.94, speed_kmh=30.0)
    position.attributes = {attr.HARSH_BRAKING: True, attr.IO: {"253": 2, "254": 52}}
    [(kind, source, g)] = detect([position])
    assert (kind, source, g) == ("harsh_braking", "device", 0.52)
    assert reported_g({"254": 0}) is None and reported_g({"254": 900}) is None
    assert reported_g({"254": True}) is None and reported_g(None) is None


def test_a_gt06_harsh_braking_alarm_is_a_reported_harsh_braking() -> None:
    wire = Gt06Wire(simulated_unique_id("gt06", 3))
    sources = [reading(), reading(fix_time=FIX.replace(second=16), harsh_braking=True)]
    positions, _ = decode(Gt06Session(), wire.hello(), wire.encode(sources), byte_by_byte=False)
    alarmed = [p for p in positions if p.attributes.get(attr.ALARM) == "harsh_braking"]
    assert alarmed, "the GT06 alarm 0x30 decodes as harsh_braking"
    assert reported_kinds(alarmed[0].attributes) == ("harsh_braking",)
    assert [k for k, _, _ in detect(positions)] == ["harsh_braking"]


def test_other_alarms_are_not_harsh_driving() -> None:
    assert reported_kinds({attr.ALARM: "sos"}) == ()
    assert reported_kinds({attr.ALARM: "harsh_cornering"}) == ("harsh_cornering",)
    assert reported_kinds({attr.HARSH_ACCELERATION: "yes"}) == ()
