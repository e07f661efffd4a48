"""Realistic fleet rows, generated in memory: plates, VINs, makes and models, statuses, tags.

Pure functions of a ``random.Random`` so a run can be repeated with the same seed.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fleetyard.kit.vin import check_digit


@dataclass(frozen=True, slots=True)
class Model:
    make: str
    model: str
    type: str
    fuels: tuple[str, ...]
    wmi: str | None  # None: equipment without a road VIN
    weight: int


CATALOG: tuple[Model, ...] = (
    Model("Ford", "Transit", "van", ("diesel", "diesel", "electric"), "WF0", 14),
    Model("Ford", "F-150", "pickup", ("petrol", "hybrid", "electric"), "1FT", 6),
    Model("Volkswagen", "Crafter", "van", ("diesel",), "WV1", 9),
    Model("Volkswagen", "ID.4", "car", ("electric",), "WVG", 5),
    Model("Toyota", "Corolla", "car", ("hybrid", "petrol"), "JTD", 8),
    Model("Toyota", "Hilux", "pickup", ("diesel",), "JTF", 5),
    Model("Mercedes-Benz", "Sprinter", "van", ("diesel", "electric"), "WD3", 12),
    Model("Mercedes-Benz", "Actros", "heavy_truck", ("diesel",), "WDB", 4),
    Model("Renault", "Kangoo", "van", ("diesel", "electric"), "VF1", 6),
    Model("Iveco", "Daily", "van", ("diesel", "cng"), "ZCF", 4),
    Model("Volvo", "FH", "heavy_truck", ("diesel",), "YV2", 4),
    Model("Scania", "R 450", "heavy_truck", ("diesel", "lpg"), "YS2", 3),
    Model("MAN", "TGL", "truck", ("diesel",), "WMA", 4),
    Model("Isuzu", "N-Series", "truck", ("diesel",), "JAL", 3),
    Model("Tesla", "Model 3", "car", ("electric",), "5YJ", 3),
    Model("Skoda", "Octavia", "car", ("petrol", "diesel", "plugin_hybrid"), "TMB", 6),
    Model("Nissan", "Leaf", "car", ("electric",), "SJN", 2),
    Model("Mercedes-Benz", "Citaro", "bus", ("diesel", "hydrogen"), "WEB", 1),
    Model("Yamaha", "MT-07", "motorcycle", ("petrol",), "JYA", 1),
    Model("Schmitz Cargobull", "S.KO", "trailer", ("none",), "WSM", 3),
    Model("Caterpillar", "320 excavator", "equipment", ("diesel",), None, 1),
)
_WEIGHTS = [m.weight for m in CATALOG]

TAGS = ("refrigerated", "leased", "pool", "hazmat", "night-shift", "tail-lift", "4x4", "ev-charger")
SHOPS = ("Main St Garage", "North Depot Workshop", "QuickFit Tyres", "Dealer service", "Body shop")
RETIRE_REASONS = ("sold", "written off after accident", "end of lease", "replaced by EV")
GROUP_NAMES = (
    "North depot",
    "South depot",
    "East depot",
    "West depot",
    "City centre",
    "Airport",
    "Harbour",
    "Regional",
)

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_YEAR_CODES = dict(zip(range(2010, 2027), "ABCDEFGHJKLMNPRST", strict=True))
_PLATE_SPACE = 26**4 * 1000
VEHICLE_COLUMNS = (
    "tenant_id",
    "id",
    "version",
    "vin",
    "plate",
    "name",
    "make",
    "model",
    "year",
    "type",
    "fuel_type",
    "odometer_km",
    "status",
    "status_detail",
    "group_id",
    "tags",
    "created_at",
    "updated_at",
)
VehicleRecord = tuple[object, ...]


def uuid7_at(moment: datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 for a past instant (same layout as fleetyard.kit.ids.uuid7)."""
    millis = int(moment.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 62) << 64
    value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def make_vin(wmi: str, year: int, plant: str, serial: int, rng: random.Random) -> str:
    """A VIN with a valid check digit; ``plant`` + ``serial`` keep it unique in a tenant."""
    vds = "".join(rng.choices(_VIN_CHARS, k=5))
    body = f"{wmi}{vds}0{_YEAR_CODES[year]}{plant}{serial % 1_000_000:06d}"
    return body[:8] + check_digit(body) + body[9:]


def plate_of(number: int) -> str:
    """``AB-123-CD`` for a number below 26⁴·1000 (one number, one plate)."""
    letters, digits = divmod(number, 1000)
    chars = []
    for _ in range(4):
        letters, index = divmod(letters, 26)
        chars.append(string.ascii_uppercase[index])
    return f"{chars[0]}{chars[1]}-{digits:03d}-{chars[2]}{chars[3]}"


def pick_model(rng: random.Random) -> Model:
    return rng.choices(CATALOG, weights=_WEIGHTS)[0]


def pick_tags(rng: random.Random) -> list[str]:
    return rng.sample(TAGS, rng.choices((0, 1, 2, 3), weights=(40, 35, 18, 7))[0])


def status_of(rng: random.Random, today: date) -> tuple[str, dict[str, str]]:
    """85 % active, 10 % in maintenance, 5 % retired, with the detail each state carries."""
    roll = rng.random()
    if roll < 0.85:
        return "active", {}
    if roll < 0.95:
        back = today + timedelta(days=rng.randint(1, 30))
        return "in_maintenance", {"shop": rng.choice(SHOPS), "expected_return": back.isoformat()}
    retired = today - timedelta(days=rng.randint(1, 700))
    return "retired", {"retired_on": retired.isoformat(), "reason": rng.choice(RETIRE_REASONS)}


def vehicle_records(
    tenant_id: uuid.UUID, group_ids: Sequence[uuid.UUID], count: int, rng: random.Random
) -> Iterator[VehicleRecord]:
    """``count`` rows in VEHICLE_COLUMNS order, created over the last three years."""
    now = datetime.now(UTC)
    plates = rng.sample(range(_PLATE_SPACE), count)
    for index, plate_number in enumerate(plates):
        model = pick_model(rng)
        year = rng.randint(2010, 2025)
        created = now - timedelta(seconds=rng.uniform(3600, 3 * 365 * 86400))
        updated = created + timedelta(seconds=rng.uniform(0, (now - created).total_seconds()))
        has_vin = model.wmi is not None and rng.random() < 0.8
        vin = make_vin(model.wmi, year, "A", index, rng) if has_vin and model.wmi else None
        state, detail = status_of(rng, now.date())
        group = rng.choice(group_ids) if group_ids and rng.random() < 0.9 else None
        yield (
            tenant_id,
            uuid7_at(created, rng),
            1,
            vin,
            plate_of(plate_number),
            f"{model.model} {index:05d}",
            model.make,
            model.model,
            year,
            model.type,
            rng.choice(model.fuels),
            Decimal(rng.randint(0, 4_000_000)) / 10,
            state,
            json.dumps(detail),
            group,
            pick_tags(rng),
            created,
            updated,
        )


def new_vehicle_body(number: int, rng: random.Random, group_ids: Sequence[uuid.UUID]) -> str:
    """A POST /vehicles body (JSON text) with a plate no seeded row has; half carry a VIN."""
    model = pick_model(rng)
    year = rng.randint(2018, 2025)
    body: dict[str, object] = {
        "plate": f"NEW {number:07d}",
        "name": f"{model.model} new {number}",
        "type": model.type,
        "fuel_type": rng.choice(model.fuels),
        "odometer_km": rng.randint(0, 500),
        "tags": pick_tags(rng),
    }
    if model.wmi and number % 2 == 0:
        body["vin"] = make_vin(model.wmi, year, "Z", number, rng)  # make/year decoded from it
    else:
        body.update(make=model.make, model=model.model, year=year)
    if group_ids and rng.random() < 0.7:
        body["group_id"] = str(rng.choice(group_ids))
    return json.dumps(body)
