"""What the demo fleets are made of: models a Helsinki service fleet drives (each with its
maker's real WMI), depots, people's names, trackers and trip purposes. Data only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fleetyard.vehicles.schemas import FuelType, VehicleType


@dataclass(frozen=True, slots=True)
class VehicleModel:
    make: str  # as a fleet manager writes it; the WMI's decoded maker contains its first word
    model: str
    wmi: str  # world manufacturer identifier: VIN positions 1-3
    descriptor: str  # VIN positions 4-8
    plant: str  # VIN position 11
    fuel_type: FuelType


@dataclass(frozen=True, slots=True)
class VehicleKind:
    type: VehicleType
    share: float  # of the demo fleet
    km_per_year: tuple[int, int]
    licence_class: str  # what its driver needs
    tag: str
    models: tuple[VehicleModel, ...]


M, F = VehicleModel, FuelType
KINDS: Final = (
    VehicleKind(
        VehicleType.VAN,
        0.5,
        (25_000, 45_000),
        "B",
        "delivery",
        (
            M("Ford", "Transit Custom", "WF0", "YXXTT", "C", F.DIESEL),
            M("Volkswagen", "Crafter", "WV1", "ZZZSY", "H", F.DIESEL),
            M("Mercedes-Benz", "eSprinter", "W1V", "90763", "P", F.ELECTRIC),
            M("Renault", "Master", "VF1", "MAF4E", "B", F.DIESEL),
            M("Citroën", "Berlingo Van", "VF7", "K9HNC", "L", F.DIESEL),
            M("Toyota", "Proace City", "YAR", "VEHJR", "L", F.DIESEL),
        ),
    ),
    VehicleKind(
        VehicleType.CAR,
        0.3,
        (15_000, 30_000),
        "B",
        "pool",
        (
            M("Toyota", "Corolla Touring Sports", "SB1", "Z93BE", "K", F.HYBRID),
            M("Škoda", "Octavia Combi", "TMB", "JJ7NX", "M", F.PETROL),
            M("Tesla", "Model Y", "XP7", "YGCEK", "B", F.ELECTRIC),
            M("Volvo", "V60 Recharge", "YV1", "ZW25T", "1", F.PLUGIN_HYBRID),
            M("Kia", "Niro EV", "KNA", "C381A", "5", F.ELECTRIC),
        ),
    ),
    VehicleKind(
        VehicleType.PICKUP,
        0.05,
        (20_000, 35_000),
        "B",
        "service",
        (M("Toyota", "Hilux", "MR0", "HA3CD", "3", F.DIESEL),),
    ),
    VehicleKind(
        VehicleType.TRUCK,
        0.1,
        (40_000, 70_000),
        "C",
        "distribution",
        (
            M("MAN", "TGM 18.290", "WMA", "13XZZ", "Y", F.DIESEL),
            M("Mercedes-Benz", "Atego 1224", "W1T", "96700", "L", F.DIESEL),
        ),
    ),
    VehicleKind(
        VehicleType.HEAVY_TRUCK,
        0.05,
        (90_000, 130_000),
        "CE",
        "long-haul",
        (
            M("Volvo", "FH 460", "YV2", "RT0D0", "A", F.DIESEL),
            M("Scania", "R 450", "YS2", "R4X20", "2", F.DIESEL),
        ),
    ),
)
MODEL_YEARS: Final = (2019, 2024)


@dataclass(frozen=True, slots=True)
class Depot:
    name: str
    code: str  # starts the unit names of its vehicles: HKI-03
    # On a street inside the demo map's drawn area (the Helsinki extract the basemap and the
    # simulator share, central Helsinki only), at least 150 m from its edge: Pasila,
    # Herttoniemi and Vuosaari proper lie outside it, so their depots stand where the map
    # has streets, in the direction of the real place, and keep the names.
    latitude: float
    longitude: float
    radius_m: int


REGION: Final = "Uusimaa"
DEPOTS: Final = (
    Depot("Helsinki Central", "HKI", 60.170553, 24.943870, 120),  # Kaivokatu, the station
    Depot("Pasila", "PSL", 60.176050, 24.938268, 100),  # Alvar Aallon katu, to the north-west
    Depot("Herttoniemi", "HTN", 60.175808, 24.949053, 100),  # Kaisaniemenranta, to the east
)
HARBOUR_DEPOT: Final = Depot(
    "Vuosaari Harbour", "VSA", 60.165678, 24.950626, 150
)  # Pohjoinen Makasiinikatu, by the South Harbour

FIRST_NAMES: Final = (
    "Aino", "Eero", "Helmi", "Juha", "Katja", "Lauri", "Maria", "Mikko", "Noora", "Oskari",
    "Pia", "Sami", "Tiina", "Timo", "Venla", "Ville", "Elina", "Jari", "Sanna", "Antti",
)  # fmt: skip
LAST_NAMES: Final = (
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen",
    "Niemi", "Kinnunen", "Salonen", "Turunen", "Salo",
)  # fmt: skip
# Finnish mobile prefixes
MOBILE_PREFIXES: Final = ("40", "41", "44", "45", "50")

# The tracker model that speaks each simulated protocol, for device names.
TRACKERS: Final = {
    "teltonika": "Teltonika FMC130",
    "gt06": "Concox GT06N",
    "h02": "Sinotrack ST-901",
    "osmand": "Traccar Client",
}

PURPOSES: Final = (
    "Deliveries, Kallio and Sörnäinen",
    "Customer visit, Espoo",
    "Airport run, Helsinki-Vantaa",
    "Parts pickup, Vuosaari harbour",
    "Event equipment, Messukeskus",
    "Warehouse transfer, Vantaa",
    "Service call, Kamppi",
    "Site inspection, Jätkäsaari",
)

# A plumbing contractor the demo fleet works with: its drivers' phones run OwnTracks with the
# firm's own MQTT broker, published as owntracks/<user>/<device> (the user is the firm).
CONTRACTOR_FIRM: Final = "Helsingin Putki Oy"
CONTRACTOR_USER: Final = "putki"  # the OwnTracks user of the firm's phones
# Each van's OwnTracks device name and model; the first two are in the demo fleet's records
# (named by their tracker, as the MQTT integration matches them), the third is not (yet).
CONTRACTOR_VANS: Final = (("van1", "Transit Custom"), ("van2", "Crafter"), ("van3", "Master"))
CONTRACTOR_RECORDED: Final = 2
