"""Which of our vehicles a vendor's vehicle is, and the device id its positions are stored
under. Pure: the repository brings the rows.

A vendor vehicle matches ours by VIN first (the one id both sides agree on), else by the
vendor's name, plate or serial (or, last, its id: an MQTT device has nothing else) against
our vehicle's name or plate. A key that fits two of our
vehicles matches neither: a wrong match would put one truck's positions on another's map, so
an ambiguous vehicle waits for a person (``integration_vehicles``) instead.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from fleetyard.integrations.providers.base import VendorVehicle

UNIQUE_ID_MAX: Final = 64  # devices.unique_id and device_identities.unique_id
_SAFE_VENDOR_ID: Final = re.compile(r"^[A-Za-z0-9_-]+$")  # what devices.unique_id allows
_NOT_PLATE: Final = re.compile(r"[\s\-.·]+")
_PREFIX: Final = {"verizon_connect": "verizon"}


@dataclass(frozen=True, slots=True)
class OurVehicle:
    id: uuid.UUID
    vin: str | None = None
    name: str | None = None
    plate: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    vehicle_id: uuid.UUID
    by: str  # "vin", "name", "plate" or "serial": said to the person who looks


def _vin(value: str | None) -> str | None:
    cleaned = (value or "").strip().upper()
    return cleaned if len(cleaned) == 17 else None


def _name(value: str | None) -> str | None:
    cleaned = " ".join((value or "").split()).casefold()
    return cleaned or None


def _plate(value: str | None) -> str | None:
    cleaned = _NOT_PLATE.sub("", value or "").upper()
    return cleaned or None


class Matcher:
    """Our tenant's vehicles indexed once per vehicle-list refresh."""

    def __init__(self, ours: Iterable[OurVehicle]) -> None:
        self._by_vin: dict[str, set[uuid.UUID]] = defaultdict(set)
        self._by_name: dict[str, set[uuid.UUID]] = defaultdict(set)
        self._by_plate: dict[str, set[uuid.UUID]] = defaultdict(set)
        for vehicle in ours:
            if (vin := _vin(vehicle.vin)) is not None:
                self._by_vin[vin].add(vehicle.id)
            if (name := _name(vehicle.name)) is not None:
                self._by_name[name].add(vehicle.id)
            if (plate := _plate(vehicle.plate)) is not None:
                self._by_plate[plate].add(vehicle.id)

    def match(self, vendor: VendorVehicle) -> Match | None:
        candidates = (
            ("vin", self._by_vin.get(_vin(vendor.vin) or "")),
            ("name", self._by_name.get(_name(vendor.name) or "")),
            ("plate", self._by_plate.get(_plate(vendor.plate) or "")),
            ("serial", self._by_name.get(_name(vendor.serial) or "")),
            ("serial", self._by_plate.get(_plate(vendor.serial) or "")),
            # A tracker known only by its id (MQTT's device id): ours may be named by it.
            ("serial", self._by_name.get(_name(vendor.vendor_id) or "")),
            ("serial", self._by_plate.get(_plate(vendor.vendor_id) or "")),
        )
        for by, found in candidates:
            if found is not None and len(found) == 1:
                return Match(next(iter(found)), by)
            if found:  # two of ours share this key: ask a person, do not guess
                return None
        return None


def match_all(
    vendor: Sequence[VendorVehicle], ours: Iterable[OurVehicle]
) -> dict[str, Match | None]:
    matcher = Matcher(ours)
    return {vehicle.vendor_id: matcher.match(vehicle) for vehicle in vendor}


def device_unique_id(provider: str, integration_id: uuid.UUID, vendor_id: str) -> str:
    """``<provider>-<integration, 10 hex>-<vendor id>``: unique platform-wide (two tenants'
    accounts, or two accounts of one tenant, never collide), within the 64 characters and the
    letters, digits, ``_`` and ``-`` a device id may hold. A vendor id that does not fit is
    replaced by a digest of it (stable, so the same vehicle keeps its device)."""
    # A digest of the whole id: our ids are time-ordered, so their first digits are shared.
    connection = hashlib.sha256(integration_id.bytes).hexdigest()[:10]
    prefix = f"{_PREFIX.get(provider, provider)}-{connection}-"
    room = UNIQUE_ID_MAX - len(prefix)
    if _SAFE_VENDOR_ID.match(vendor_id) and len(vendor_id) <= room:
        return prefix + vendor_id
    return prefix + "h" + hashlib.sha256(vendor_id.encode()).hexdigest()[: room - 1]
