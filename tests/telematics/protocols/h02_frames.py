"""H02 binary records for tests: real ones (Traccar's H02 test suites) with the values their
documented layout gives, and binary twins of text sentences built from that layout."""

from __future__ import annotations

from dataclasses import dataclass

from fleetyard.telematics.protocols.h02.binary import CORE_LENGTH

RECORD_END = bytes.fromhex("ff0001")  # alarm flag, reserved, record number (10-digit ids)


@dataclass(frozen=True)
class RealRecord:
    """A record copied from traccar/traccar's H02 tests and what its bytes say."""

    hex: str
    device_id: str
    fix_time: str
    latitude: float
    longitude: float
    valid: bool
    speed_knots: int
    course: int
    status: int

    @property
    def data(self) -> bytes:
        return bytes.fromhex(self.hex)


def _deg(degrees: int, minutes: float) -> float:
    return degrees + minutes / 60


REAL_RECORDS = [
    # 32 bytes, 10-digit id: the documented record.
    RealRecord(
        "2441060116601245431311165035313006004318210e000000fffffbffff0024",
        "4106011660",
        "2016-11-13T12:45:43Z",
        _deg(50, 35.3130),
        _deg(4, 31.8210),
        True,
        0,
        0,
        0xFFFFFBFF,
    ),
    RealRecord(
        "2427051711092133391406135002584900014337822e000000ffffffffff0000",
        "2705171109",
        "2013-06-14T21:33:39Z",
        _deg(50, 2.5849),
        _deg(14, 33.7822),
        True,
        0,
        0,
        0xFFFFFFFF,
    ),
    RealRecord(
        "2410307310010503162209022212874500113466574C014028fffffbffff0000",
        "1030731001",
        "2002-09-22T05:03:16Z",
        _deg(22, 12.8745),
        _deg(113, 46.6574),
        False,
        14,
        28,
        0xFFFFFBFF,
    ),
    RealRecord(  # São Paulo: south and west
        "24270517030820321418041423307879000463213792000056fffff9ffff0000",
        "2705170308",
        "2014-04-18T20:32:14Z",
        -_deg(23, 30.7879),
        -_deg(46, 32.1379),
        True,
        0,
        56,
        0xFFFFF9FF,
    ),
    # 45 bytes, 10-digit id: a 13-byte tail (satellites, odometer, MCC/MNC/LAC/CID).
    RealRecord(
        "2441090013450831250401145047888000008554650e000000fffff9ffff001006000000000106020299109c01",
        "4109001345",
        "2014-01-04T08:31:25Z",
        _deg(50, 47.8880),
        _deg(8, 55.4650),
        True,
        0,
        0,
        0xFFFFF9FF,
    ),
    RealRecord(
        "2442061191301024031101175540227006012321670c000095fffffbffff001f00000001f800ee010000000032",
        "4206119130",
        "2017-01-11T10:24:03Z",
        _deg(55, 40.2270),
        _deg(12, 32.1670),
        False,
        0,
        95,
        0xFFFFFBFF,
    ),
    RealRecord(  # Trinidad: north and west
        "24702802061601234020031910125482600612695044000000ffffbbff000000000000000001760d04e2c9934d",
        "7028020616",
        "2019-03-20T01:23:40Z",
        _deg(10, 12.5482),
        -_deg(61, 26.9504),
        False,
        0,
        0,
        0xFFFFBBFF,
    ),
    # 46 and 48 bytes, 10-digit ids: other tails.
    RealRecord(
        "2421305109380127171003170520046500100286297e003085ffffdfffff03440069129344006400001151415a20",
        "2130510938",
        "2017-03-10T01:27:17Z",
        _deg(5, 20.0465),
        _deg(100, 28.6297),
        True,
        3,
        85,
        0xFFFFDFFF,
    ),
    RealRecord(
        "24971305007205201916101533335008000073206976000000effffbffff000252776566060000000000000000000049",
        "9713050072",
        "2015-10-16T05:20:19Z",
        _deg(33, 33.5008),
        -_deg(7, 32.0697),
        True,
        0,
        0,
        0xEFFFFBFF,
    ),
    # 42 bytes: a 15-digit IMEI in 8 bytes shifts every field by 3; a 10-byte tail.
    RealRecord(
        "2435248308419329301047591808172627335900074412294E024138FEFFFFFFFF01120064BA73005ECC",
        "352483084193293",
        "2017-08-18T10:47:59Z",
        _deg(26, 27.3359),
        _deg(74, 41.2294),
        True,
        24,
        138,
        0xFEFFFFFF,
    ),
]


def binary_twin(sentence: str, *, tail: bytes = b"", battery: int = 0x06) -> bytes:
    """The ``$`` record a device sends for the same fix as ``*HQ,<id>,V1,…#`` (plain
    ``DDMM.mmmm`` coordinates, a whole number of knots, no battery field before the date)."""
    fields = sentence.strip().removeprefix("*").removesuffix("#").split(",")
    _, device_id, _, clock, validity, lat, north_south, lon, east_west, speed, course = fields[:11]
    date, status = fields[11:13]
    assert float(speed) == int(float(speed)), "binary records carry whole knots"
    flags = (validity == "A") << 1 | (north_south == "N") << 2 | (east_west == "E") << 3
    packed_id = device_id if len(device_id) == 10 else device_id + "0"
    record = bytes.fromhex(
        packed_id
        + clock
        + date
        + lat.replace(".", "")
        + f"{battery:02x}"
        + lon.replace(".", "")
        + f"{flags:x}"
        + f"{int(float(speed)):03d}{int(float(course)):03d}"
        + status
    )
    record = b"$" + record
    if len(device_id) == 10:
        record += RECORD_END
    assert len(record) == CORE_LENGTH
    return record + tail
