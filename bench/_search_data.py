"""A believable Nordic fleet per tenant, generated in memory for the search benchmark.

Finnish and Swedish places, depots and people's names (with their å, ä, ö), Finnish and
Swedish plates, VINs with valid check digits, IMEIs with valid Luhn digits, the makes and
models Nordic fleets run (a skewed mix: many Transits and Sprinters, few Citaros), drivers,
trackers, bookings and alerts. Pure functions of a ``random.Random``: the same seed gives the
same fleet.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _fleet import make_vin, uuid7_at

# (make, model, type, fuels, WMI, weight): weights skew the fleet as real ones are skewed
MODELS: tuple[tuple[str, str, str, tuple[str, ...], str | None, int], ...] = (
    ("Ford", "Transit", "van", ("diesel", "diesel", "electric"), "WF0", 40),
    ("Ford", "Transit Custom", "van", ("diesel", "plugin_hybrid"), "WF0", 22),
    ("Ford", "Transit Connect", "van", ("diesel", "petrol"), "WF0", 12),
    ("Ford", "Focus", "car", ("petrol", "hybrid"), "WF0", 6),
    ("Mercedes-Benz", "Sprinter", "van", ("diesel", "electric"), "WD3", 30),
    ("Mercedes-Benz", "Vito", "van", ("diesel", "electric"), "WDF", 14),
    ("Mercedes-Benz", "Actros", "heavy_truck", ("diesel",), "WDB", 8),
    ("Mercedes-Benz", "Citaro", "bus", ("diesel", "hydrogen", "electric"), "WEB", 2),
    ("Volkswagen", "Crafter", "van", ("diesel",), "WV1", 20),
    ("Volkswagen", "Transporter", "van", ("diesel",), "WV2", 18),
    ("Volkswagen", "Caddy", "van", ("diesel", "petrol"), "WV2", 12),
    ("Volkswagen", "ID. Buzz Cargo", "van", ("electric",), "WV2", 4),
    ("Volkswagen", "Passat", "car", ("diesel", "plugin_hybrid"), "WVW", 6),
    ("Toyota", "Hiace", "van", ("diesel",), "JTF", 10),
    ("Toyota", "Proace", "van", ("diesel", "electric"), "VF7", 8),
    ("Toyota", "Corolla", "car", ("hybrid",), "SB1", 14),
    ("Toyota", "RAV4", "car", ("hybrid", "plugin_hybrid"), "JTM", 8),
    ("Toyota", "Hilux", "pickup", ("diesel",), "AHT", 7),
    ("Renault", "Master", "van", ("diesel", "electric"), "VF1", 9),
    ("Renault", "Trafic", "van", ("diesel",), "VF1", 8),
    ("Renault", "Kangoo", "van", ("diesel", "electric"), "VF1", 7),
    ("Peugeot", "Boxer", "van", ("diesel",), "VF3", 6),
    ("Peugeot", "Partner", "van", ("diesel", "electric"), "VF3", 6),
    ("Citroën", "Jumper", "van", ("diesel",), "VF7", 5),
    ("Citroën", "Berlingo", "van", ("diesel", "electric"), "VF7", 5),
    ("Fiat", "Ducato", "van", ("diesel",), "ZFA", 6),
    ("Iveco", "Daily", "van", ("diesel", "cng"), "ZCF", 7),
    ("Volvo", "FH", "heavy_truck", ("diesel", "lpg"), "YV2", 9),
    ("Volvo", "FM", "truck", ("diesel",), "YV2", 6),
    ("Volvo", "FL Electric", "truck", ("electric",), "YV2", 2),
    ("Volvo", "XC60", "car", ("plugin_hybrid", "diesel"), "YV1", 6),
    ("Volvo", "V60", "car", ("plugin_hybrid", "diesel"), "YV1", 5),
    ("Scania", "R 450", "heavy_truck", ("diesel", "lpg"), "YS2", 7),
    ("Scania", "P 280", "truck", ("diesel",), "YS2", 4),
    ("MAN", "TGL", "truck", ("diesel",), "WMA", 4),
    ("Skoda", "Octavia", "car", ("petrol", "diesel", "plugin_hybrid"), "TMB", 10),
    ("Skoda", "Enyaq", "car", ("electric",), "TMB", 5),
    ("Tesla", "Model Y", "car", ("electric",), "LRW", 4),
    ("Tesla", "Model 3", "car", ("electric",), "5YJ", 3),
    ("Kia", "Niro", "car", ("hybrid", "electric"), "KNA", 4),
    ("Hyundai", "Kona", "car", ("electric",), "KMH", 3),
    ("Nissan", "e-NV200", "van", ("electric",), "VSK", 2),
    ("Schmitz Cargobull", "S.KO Cool", "trailer", ("none",), "WSM", 3),
    ("Caterpillar", "320 excavator", "equipment", ("diesel",), None, 1),
)
_MODEL_WEIGHTS = [m[5] for m in MODELS]

# (city, region, districts): the depots of a tenant are drawn from these
PLACES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Helsinki",
        "Uusimaa",
        ("Pasila", "Kallio", "Vuosaari", "Herttoniemi", "Malmi", "Pitäjänmäki"),
    ),
    ("Espoo", "Uusimaa", ("Tapiola", "Leppävaara", "Otaniemi", "Kivenlahti", "Espoonlahti")),
    ("Vantaa", "Uusimaa", ("Tikkurila", "Aviapolis", "Myyrmäki", "Koivukylä", "Hakunila")),
    ("Tampere", "Pirkanmaa", ("Hervanta", "Lielahti", "Tesoma", "Kaleva")),
    ("Turku", "Varsinais-Suomi", ("Skanssi", "Artukainen", "Runosmäki", "Pansio")),
    ("Oulu", "Pohjois-Pohjanmaa", ("Limingantulli", "Ritaharju", "Kaakkuri")),
    ("Jyväskylä", "Keski-Suomi", ("Seppälä", "Kuokkala", "Vaajakoski")),
    ("Hämeenlinna", "Kanta-Häme", ("Hätilä", "Moreeni")),
    ("Lahti", "Päijät-Häme", ("Renkomäki", "Kujala")),
    ("Kuopio", "Pohjois-Savo", ("Petonen", "Saaristokaupunki")),
    ("Pori", "Satakunta", ("Tiilimäki", "Mäntyluoto")),
    ("Vaasa", "Pohjanmaa", ("Runsor", "Metsäkallio")),
    ("Porvoo", "Uusimaa", ("Tarmola", "Kevätkumpu")),
    ("Mariehamn", "Åland", ("Västernäs", "Österhamn")),
    ("Joensuu", "Pohjois-Karjala", ("Penttilä", "Niinivaara")),
    ("Rovaniemi", "Lappi", ("Ounasvaara", "Ylikylä")),
    ("Stockholm", "Stockholms län", ("Årsta", "Högdalen", "Kista", "Bromma", "Södermalm")),
    ("Göteborg", "Västra Götaland", ("Hisingen", "Högsbo", "Mölndal", "Torslanda")),
    ("Malmö", "Skåne", ("Fosie", "Hyllie", "Limhamn")),
    ("Uppsala", "Uppsala län", ("Boländerna", "Fyrislund")),
    ("Västerås", "Västmanland", ("Finnslätten", "Hälla")),
    ("Örebro", "Örebro län", ("Aspholmen", "Törsjö")),
    ("Linköping", "Östergötland", ("Tornby", "Mjärdevi")),
    ("Umeå", "Västerbotten", ("Västerslätt", "Ersboda")),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Matti Juha Mikko Timo Jukka Antti Jari Pekka Janne Markku Ville Eero Väinö Jyrki Sami "
    "Teemu Tuomas Heikki Kalle Olli Sari Tiina Päivi Anne Johanna Aino Minna Riikka Satu Hanna "
    "Kaisa Elina Sanna Maija Jenni Heli Mervi Pirjo Tuula Ritva Erik Lars Anders Johan Björn "
    "Mats Nils Magnus Per Håkan Karin Åsa Sofia Ingrid Annika Maria Linnéa Märta Ebba Göran"
)
LAST_NAMES = _words(
    "Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen "
    "Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo "
    "Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen Räsänen "
    "Pöllänen Kärkkäinen Ylönen Väisänen Lindholm Andersson Johansson Karlsson Nilsson Eriksson "
    "Larsson Lindström Åström Söderberg Björklund Strömberg Öberg Holmström Lindqvist Sjöberg "
    "Bergström Engström Wikström Forsberg Sundqvist Ekström"
)
TAGS = (
    "kylmä",
    "refrigerated",
    "leased",
    "pool",
    "adr",
    "night-shift",
    "nosturi",
    "4x4",
    "ev-charger",
    "tail-lift",
    "winter-tyres",
    "kaupunkijakelu",
)
SHOPS = (
    "Veho Huolto Vantaa",
    "K-Auto Espoo",
    "Rengasmaailma Tampere",
    "Kolarikorjaamo Oulu",
    "Bilia Göteborg",
    "Scania Service Årsta",
    "Volvo Truck Center Turku",
    "Euromaster Lahti",
)
REASONS = (
    "myyty",
    "sold",
    "kolari, lunastettu",
    "end of lease",
    "replaced by EV",
    "leasingsopimus päättyi",
)
PURPOSES = (
    "Asiakaskäynti {city}",
    "Customer visit {city}",
    "Tavarantoimitus {district}",
    "Leverans till {city}",
    "Huoltoajo {district}",
    "Airport pickup",
    "Lentokenttäkuljetus",
    "Varaosanouto {city}",
    "Materialtransport {district}",
    "Muutto {district}",
    "Koulutuspäivä {city}",
    "Inventering {city}",
)
DTC_CODES = (
    ("P0301", "Cylinder 1 misfire detected", "warning"),
    ("P0420", "Catalyst system efficiency below threshold (bank 1)", "warning"),
    ("P0171", "System too lean (bank 1)", "warning"),
    ("P0128", "Coolant thermostat below regulating temperature", "info"),
    ("P0500", "Vehicle speed sensor malfunction", "warning"),
    ("P0700", "Transmission control system malfunction", "critical"),
    ("P2463", "Diesel particulate filter: soot accumulation", "warning"),
    ("U0100", "Lost communication with ECM/PCM", "critical"),
    ("P0087", "Fuel rail/system pressure too low", "critical"),
)
# Tracker type approval codes (first 8 digits of an IMEI) and the protocol each speaks
TRACKERS: tuple[tuple[str, str, int], ...] = (
    ("35209311", "teltonika", 45),  # FMB920
    ("86431705", "teltonika", 20),  # FMC130
    ("86834705", "gt06", 15),
    ("35972510", "h02", 8),
    ("86010203", "osmand", 5),
    ("35456210", "teltonika", 7),
)
_TRACKER_WEIGHTS = [t[2] for t in TRACKERS]
_HARDWARE = {"teltonika": "FMB920", "gt06": "GT06N", "h02": "H02 tracker", "osmand": "Puhelin"}
_FI_LETTERS = "ABCDEFGHIJKLMNOPRSTUVXYZ"
_SE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"

GROUP_COLUMNS = ("tenant_id", "id", "name", "kind", "parent_id")
DRIVER_COLUMNS = (
    "tenant_id",
    "id",
    "name",
    "email",
    "phone",
    "licence_number",
    "licence_class",
    "status",
    "assigned_vehicle_id",
    "group_id",
)
DEVICE_COLUMNS = ("tenant_id", "id", "unique_id", "protocol", "name", "phone", "vehicle_id")
IDENTITY_COLUMNS = ("unique_id", "tenant_id", "device_id")
RESERVATION_COLUMNS = (
    "tenant_id",
    "id",
    "vehicle_id",
    "driver_id",
    "starts_at",
    "ends_at",
    "purpose",
    "status",
)
ALERT_COLUMNS = (
    "tenant_id",
    "id",
    "vehicle_id",
    "device_id",
    "kind",
    "code",
    "severity",
    "message",
    "opened_at",
    "last_seen_at",
    "cleared_at",
)


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return str((10 - total % 10) % 10)


def imei_of(number: int) -> tuple[str, str]:
    """The ``number``-th tracker across all tenants: (a unique IMEI, its protocol)."""
    tac, protocol, _ = TRACKERS[number % len(TRACKERS)]
    serial = (number // len(TRACKERS)) * 7919 % 1_000_000  # 7919 is prime to 10^6: a bijection
    body = f"{tac}{serial:06d}"
    return body + luhn_digit(body), protocol


def tracker_index(rng: random.Random, counter: int) -> int:
    """A global tracker number whose type approval code follows the skewed mix."""
    wanted = rng.choices(range(len(TRACKERS)), weights=_TRACKER_WEIGHTS)[0]
    return counter * len(TRACKERS) + wanted


def finnish_plate(rng: random.Random) -> str:
    letters = "".join(rng.choices(_FI_LETTERS, k=3))
    return f"{letters}-{rng.randint(1, 999)}"


def swedish_plate(rng: random.Random) -> str:
    letters = "".join(rng.choices(_SE_LETTERS, k=3))
    last = str(rng.randint(0, 9)) if rng.random() < 0.6 else rng.choice(_SE_LETTERS)
    return f"{letters} {rng.randint(0, 99):02d}{last}"


@dataclass
class Plan:
    """How many records of each kind a tenant of ``documents`` documents holds."""

    groups: int
    vehicles: int
    devices: int
    drivers: int
    reservations: int
    alerts: int

    @classmethod
    def of(cls, documents: int) -> Plan:
        groups = max(3, min(160, documents // 1200))
        rest = documents - groups
        vehicles = round(rest * 0.36)
        devices = round(rest * 0.36)
        drivers = round(rest * 0.19)
        reservations = round(rest * 0.05)
        alerts = rest - vehicles - devices - drivers - reservations
        return cls(groups, vehicles, devices, drivers, reservations, alerts)


@dataclass
class TenantFleet:
    """The rows of one tenant, in each table's column order."""

    groups: list[tuple[object, ...]] = field(default_factory=list)
    vehicles: list[tuple[object, ...]] = field(default_factory=list)
    drivers: list[tuple[object, ...]] = field(default_factory=list)
    devices: list[tuple[object, ...]] = field(default_factory=list)
    identities: list[tuple[object, ...]] = field(default_factory=list)
    reservations: list[tuple[object, ...]] = field(default_factory=list)
    alerts: list[tuple[object, ...]] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.groups,
                self.vehicles,
                self.drivers,
                self.devices,
                self.reservations,
                self.alerts,
            )
        )


def _groups(
    tenant_id: uuid.UUID, count: int, rng: random.Random
) -> tuple[list[tuple[object, ...]], list[tuple[uuid.UUID, str, str]]]:
    """Regions, and depots under them; returns the rows and (depot id, city, district)."""
    home = rng.randrange(len(PLACES))
    # a tenant works around a home city, and the bigger ones spread further
    cities = sorted(range(len(PLACES)), key=lambda i: (i != home, rng.random()))
    regions: dict[str, uuid.UUID] = {}
    rows: list[tuple[object, ...]] = []
    depots: list[tuple[uuid.UUID, str, str]] = []
    used: set[str] = set()
    for city_index in cities * 4:
        if len(rows) >= count:
            break
        city, region, districts = PLACES[city_index]
        if region not in regions:
            regions[region] = uuid.uuid4()
            rows.append((tenant_id, regions[region], f"{region} region", "region", None))
            used.add(f"{region} region")
        choices = [f"{city} depot", *(f"{city} {d} depot" for d in districts)]
        for name in choices:
            if name not in used and len(rows) < count:
                used.add(name)
                depot = uuid.uuid4()
                rows.append((tenant_id, depot, name, "depot", regions[region]))
                district = name.removeprefix(city).removesuffix("depot").strip() or city
                depots.append((depot, city, district))
                break
    return rows, depots


def _vehicle_name(rng: random.Random, model: str, number: int) -> str:
    pattern = rng.random()
    if pattern < 0.35:
        return f"{model} {number}"
    if pattern < 0.6:
        return f"{rng.choice(('Paku', 'Auto', 'Yksikkö', 'Bil', 'Unit'))} {number:03d}"
    if pattern < 0.75:
        return f"{rng.choice(('Kylmäauto', 'Jakeluauto', 'Huoltoauto', 'Skåpbil'))} {number}"
    return ""


def fleet(
    tenant_id: uuid.UUID, slug: str, plan: Plan, rng: random.Random, trackers: list[int]
) -> TenantFleet:
    """Every row of one tenant; ``trackers`` is the global tracker counter (a list of one,
    advanced here) so IMEIs stay unique across tenants."""
    now = datetime.now(UTC)
    out = TenantFleet()
    out.groups, depots = _groups(tenant_id, plan.groups, rng)
    swedish = depots[0][1] in {p[0] for p in PLACES[16:]}
    plates: set[str] = set()
    vehicle_ids: list[uuid.UUID] = []
    vehicle_depot: list[tuple[uuid.UUID, str, str]] = []
    for number in range(plan.vehicles):
        make, model, vtype, fuels, wmi, _ = rng.choices(MODELS, weights=_MODEL_WEIGHTS)[0]
        year = rng.choices(range(2012, 2026), weights=[1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 6])[0]
        plate = swedish_plate(rng) if swedish or rng.random() < 0.1 else finnish_plate(rng)
        while plate in plates:
            plate = finnish_plate(rng)
        plates.add(plate)
        vin = make_vin(wmi, year, "F", number, rng) if wmi and rng.random() < 0.85 else None
        depot = rng.choice(depots) if rng.random() < 0.93 else None
        roll = rng.random()
        if roll < 0.86:
            status, detail = "active", {}
        elif roll < 0.96:
            back = now.date() + timedelta(days=rng.randint(1, 20))
            status = "in_maintenance"
            detail = {"shop": rng.choice(SHOPS), "expected_return": back.isoformat()}
        else:
            retired = now.date() - timedelta(days=rng.randint(1, 600))
            detail = {"retired_on": retired.isoformat(), "reason": rng.choice(REASONS)}
            status = "retired"
        created = now - timedelta(seconds=rng.uniform(3600, 4 * 365 * 86400))
        vehicle_id = uuid7_at(created, rng)
        vehicle_ids.append(vehicle_id)
        vehicle_depot.append(depot or depots[0])
        tags = rng.sample(TAGS, rng.choices((0, 1, 2), weights=(55, 35, 10))[0])
        out.vehicles.append(
            (
                tenant_id,
                vehicle_id,
                1,
                vin,
                plate,
                _vehicle_name(rng, model, number + 1) or None,
                make,
                model,
                year,
                vtype,
                rng.choice(fuels),
                Decimal(rng.randint(0, 600_000)),
                status,
                json.dumps(detail),
                depot[0] if depot else None,
                tags,
                created,
                created,
            )
        )
    # trackers: most vehicles carry one, a few spares wait on a shelf
    fitted = rng.sample(range(plan.vehicles), min(plan.vehicles, round(plan.devices * 0.94)))
    for index in range(plan.devices):
        imei, protocol = imei_of(tracker_index(rng, trackers[0]))
        trackers[0] += 1
        device_id = uuid.uuid4()
        vehicle = vehicle_ids[fitted[index]] if index < len(fitted) else None
        name = None
        if rng.random() < 0.3:
            name = f"{_HARDWARE[protocol]} {index + 1}"
        phone = f"+358 4{rng.randint(0, 9)} {rng.randint(1_000_000, 9_999_999)}"
        out.devices.append(
            (
                tenant_id,
                device_id,
                imei,
                protocol,
                name,
                phone if rng.random() < 0.5 else None,
                vehicle,
            )
        )
        out.identities.append((imei, tenant_id, device_id))
    licences: set[str] = set()
    driver_ids: list[uuid.UUID] = []
    domain = slug.split("-")[0]
    for _ in range(plan.drivers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        licence = f"{rng.choice('FKS')}{rng.randint(1_000_000, 99_999_999)}"
        while licence in licences:
            licence = f"{rng.choice('FKS')}{rng.randint(1_000_000, 99_999_999)}"
        licences.add(licence)
        mail_name = f"{first}.{last}".lower().translate(str.maketrans("åäöé", "aaoe"))
        driver_id = uuid.uuid4()
        driver_ids.append(driver_id)
        roll = rng.random()
        status = "active" if roll < 0.9 else ("inactive" if roll < 0.97 else "suspended")
        out.drivers.append(
            (
                tenant_id,
                driver_id,
                f"{first} {last}",
                f"{mail_name}@{domain}.example",
                f"+358 50 {rng.randint(1_000_000, 9_999_999)}",
                licence,
                rng.choice(("B", "C", "CE", "C1", "D", "BE")),
                status,
                rng.choice(vehicle_ids) if vehicle_ids and rng.random() < 0.6 else None,
                rng.choice(depots)[0] if rng.random() < 0.8 else None,
            )
        )
    for _ in range(plan.reservations):
        vehicle_index = rng.randrange(plan.vehicles)
        _, city, district = vehicle_depot[vehicle_index]
        starts = now + timedelta(hours=rng.randint(-24 * 60, 24 * 30))
        starts = starts.replace(minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0)
        ends = starts + timedelta(hours=rng.choice((1, 2, 3, 4, 8, 24, 48)))
        status = "completed" if ends < now else rng.choice(("confirmed", "confirmed", "requested"))
        if rng.random() < 0.05:
            status = "cancelled"
        purpose = rng.choice(PURPOSES).format(city=city, district=district)
        out.reservations.append(
            (
                tenant_id,
                uuid.uuid4(),
                vehicle_ids[vehicle_index],
                rng.choice(driver_ids) if driver_ids and rng.random() < 0.8 else None,
                starts,
                ends,
                purpose,
                status,
            )
        )
    open_keys: set[tuple[uuid.UUID, str, str]] = set()
    for _ in range(plan.alerts):
        vehicle_id = rng.choice(vehicle_ids)
        roll = rng.random()
        if roll < 0.6:
            code, description, severity = rng.choice(DTC_CODES)
            kind, message = "dtc", f"{code}: {description}"
        elif roll < 0.8:
            kind, code, severity = "fuel_low", "", "warning"
            message = f"Fuel low: {rng.randint(3, 12)} %"
        else:
            kind, code, severity = "coolant_high", "", "critical"
            message = f"Coolant temperature high: {rng.randint(104, 118)} °C"
        opened = now - timedelta(minutes=rng.randint(5, 60 * 24 * 120))
        cleared = opened + timedelta(minutes=rng.randint(5, 600))
        key = (vehicle_id, kind, code)
        if rng.random() < 0.15 and key not in open_keys:
            open_keys.add(key)
            cleared_at = None
        else:
            cleared_at = cleared
        out.alerts.append(
            (
                tenant_id,
                uuid7_at(opened, rng),
                vehicle_id,
                None,
                kind,
                code,
                severity,
                message,
                opened,
                cleared_at or now,
                cleared_at,
            )
        )
    return out


def tenant_sizes(tenants: int, total: int, largest: int) -> list[int]:
    """A power law (the k-th tenant ∝ k^-a) with ``a`` chosen so the sizes add up to
    ``total`` and the first is ``largest``: a few big fleets and a long tail of small ones."""
    low, high = 0.0, 4.0
    for _ in range(60):
        a = (low + high) / 2
        if sum(largest / k**a for k in range(1, tenants + 1)) > total:
            low = a
        else:
            high = a
    sizes = [max(50, round(largest / k**a)) for k in range(1, tenants + 1)]
    sizes[-1] += total - sum(sizes)
    return sizes


def size_class(documents: int) -> str:
    if documents >= 150_000:
        return "largest"
    if documents >= 20_000:
        return "large (20k-150k)"
    if documents >= 6_000:
        return "medium (6k-20k)"
    return "small (<6k)"


CLASSES: Sequence[str] = ("small (<6k)", "medium (6k-20k)", "large (20k-150k)", "largest")
