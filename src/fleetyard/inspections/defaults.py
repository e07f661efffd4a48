"""The checklists every tenant starts with: pre- and post-trip for cars, vans and trucks, and
one pair for any other type. Drawn from the walk-around checks in the US DVIR rules
(49 CFR 396.11/396.13) and the UK DVSA daily walkaround check; items whose failure makes
the vehicle unsafe to drive (brakes, steering, tyres, lights, leaks) are critical."""

from __future__ import annotations

from typing import Final

from fleetyard.inspections.schemas import InspectionKind, TemplateCreate, TemplateItemIn

Item = tuple[str, str, str, bool]  # id, section, label, critical

_CAB: Final[tuple[Item, ...]] = (
    ("horn", "Cab", "Horn works", False),
    ("wipers", "Cab", "Wipers and washers work", False),
    ("mirrors", "Cab", "Mirrors clean, adjusted, not cracked", False),
    ("windscreen", "Cab", "Windscreen free of cracks in the driver's view", False),
    ("seatbelts", "Cab", "Seat belts work", True),
    ("warning-lights", "Cab", "No warning lights on the dashboard", False),
    ("brakes-service", "Brakes", "Service brake stops the vehicle", True),
    ("brakes-parking", "Brakes", "Parking brake holds", True),
    ("steering", "Steering", "Steering has no excess play", True),
)
_OUTSIDE: Final[tuple[Item, ...]] = (
    ("lights-head", "Lights", "Headlights and indicators work", True),
    ("lights-brake", "Lights", "Brake lights work", True),
    ("tyres", "Tyres and wheels", "Tyres inflated, tread ≥ legal minimum, no cuts", True),
    ("wheel-nuts", "Tyres and wheels", "Wheel nuts present and tight", True),
    ("leaks", "Engine", "No fuel, oil or coolant leaks", True),
    ("fluids", "Engine", "Oil and coolant levels", False),
    ("body", "Body", "Body, doors and latches undamaged", False),
    ("plates", "Body", "Number plates clean and readable", False),
)
_VAN: Final[tuple[Item, ...]] = (
    ("load-secure", "Load", "Load secured, doors lock", False),
    ("first-aid", "Safety kit", "First-aid kit and warning triangle aboard", False),
)
_TRUCK: Final[tuple[Item, ...]] = (
    ("air-leaks", "Brakes", "No air leaks, pressure builds normally", True),
    ("coupling", "Coupling", "Fifth wheel / coupling locked and secure", True),
    ("load-secure", "Load", "Load secured, straps and sheets sound", True),
    ("reflectors", "Lights", "Reflectors and markers clean", False),
    ("extinguisher", "Safety kit", "Fire extinguisher charged", False),
)
_POST_TRIP: Final[tuple[Item, ...]] = (
    ("new-damage", "Body", "No new damage since the trip started", False),
    ("warning-lights", "Cab", "No warning lights came on during the trip", False),
    ("brakes-service", "Brakes", "Brakes behaved normally", True),
    ("tyres", "Tyres and wheels", "Tyres undamaged after the trip", True),
    ("leaks", "Engine", "No leaks under the vehicle", True),
    ("cab-clean", "Cab", "Cab left clean, nothing left behind", False),
)

_TYPES: Final = {
    "car": ("Car", ()),
    "van": ("Van", _VAN),
    "truck": ("Truck", _TRUCK),
    None: ("Any vehicle", ()),
}


def _items(items: tuple[Item, ...]) -> list[TemplateItemIn]:
    seen: dict[str, Item] = {}
    for item in items:
        seen.setdefault(item[0], item)
    return [
        TemplateItemIn(id=i, section=section, label=label, critical=critical)
        for i, section, label, critical in seen.values()
    ]


def default_templates() -> list[TemplateCreate]:
    templates = []
    for vehicle_type, (name, extra) in _TYPES.items():
        templates.append(
            TemplateCreate(
                name=f"{name}: pre-trip",
                kind=InspectionKind.PRE_TRIP,
                vehicle_type=vehicle_type,
                items=_items(_CAB + _OUTSIDE + extra),
            )
        )
        templates.append(
            TemplateCreate(
                name=f"{name}: post-trip",
                kind=InspectionKind.POST_TRIP,
                vehicle_type=vehicle_type,
                items=_items(_POST_TRIP + (extra[-1:] if extra else ())),
            )
        )
    return templates
