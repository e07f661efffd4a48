"""Diagnostic trouble codes (SAE J2012 layout) and what they mean, in our own words.

A DTC is five characters: the system (``P`` powertrain, ``C`` chassis, ``B`` body, ``U``
network), a digit 0–3 that says who defines the code, and three hex digits. The third
character names the subsystem for powertrain and network codes.

Who defines the code (second character):

* ``P0``, ``P2``: SAE generic; ``P1``: manufacturer; ``P3``: ``P30``–``P33`` manufacturer,
  ``P34``–``P3F`` SAE (``P34xx`` is cylinder deactivation).
* ``B0``, ``C0``, ``U0``: SAE generic; ``B1``/``B2``, ``C1``/``C2``, ``U1``/``U2``:
  manufacturer; ``B3``, ``C3``, ``U3``: reserved by SAE.

``GENERIC_CODES`` holds descriptions of common generic powertrain and network codes, written
for this project (no third-party table was copied). Any other well-formed code still gets a
description from its family: :func:`describe` never comes back empty for a well-formed code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

DTC_PATTERN: Final = re.compile(r"^[PCBU][0-3][0-9A-F]{3}$")

SYSTEMS: Final = {"P": "powertrain", "C": "chassis", "B": "body", "U": "network"}


class Scope(StrEnum):
    GENERIC = "generic"  # defined by SAE, same meaning on every vehicle
    MANUFACTURER = "manufacturer"  # each manufacturer defines its own meaning
    RESERVED = "reserved"  # held back by SAE for future use


@dataclass(frozen=True, slots=True)
class DtcInfo:
    code: str
    system: str  # powertrain / chassis / body / network
    scope: Scope
    subsystem: str | None  # from the third character, where J2012 names one
    description: str
    known: bool  # True when the code itself is in our table, not only its family


# -- the subsystem named by the third character ---------------------------------------------

_POWERTRAIN_GROUPS: Final = {
    "0": "fuel and air metering, auxiliary emission controls",
    "1": "fuel and air metering",
    "2": "fuel and air metering (injector circuits)",
    "3": "ignition system or misfire",
    "4": "auxiliary emission controls",
    "5": "vehicle speed, idle control and auxiliary inputs",
    "6": "control module and output circuits",
    "7": "transmission",
    "8": "transmission",
    "9": "transmission",
    "A": "hybrid propulsion",
    "B": "hybrid propulsion",
    "C": "hybrid propulsion",
    "D": "hybrid and electric vehicle charging",
    "E": "hybrid propulsion",
    "F": "hybrid propulsion",
}
_P2_GROUPS: Final = {
    "0": "fuel and air metering, auxiliary emission controls",
    "1": "fuel and air metering, auxiliary emission controls",
    "2": "fuel and air metering, auxiliary emission controls",
    "3": "ignition system or misfire",
    "4": "auxiliary emission controls",
    "5": "auxiliary inputs",
    "6": "control module and output circuits",
    "7": "transmission",
    "A": "fuel and air metering, auxiliary emission controls",
}
_NETWORK_GROUPS: Final = {
    "0": "network wiring and bus electrical",
    "1": "network communication (a module stopped answering)",
    "2": "network communication (a module stopped answering)",
    "3": "network software (configuration or compatibility)",
    "4": "network data (implausible data received)",
}


def _scope(system: str, digit: str, third: str) -> Scope:
    if system == "P":
        if digit in "02":
            return Scope.GENERIC
        if digit == "1" or third in "0123":
            return Scope.MANUFACTURER
        return Scope.GENERIC
    return {"0": Scope.GENERIC, "3": Scope.RESERVED}.get(digit, Scope.MANUFACTURER)


def _subsystem(system: str, digit: str, third: str) -> str | None:
    if system == "P":
        if digit in "01":
            return _POWERTRAIN_GROUPS[third]
        if digit == "2":
            return _P2_GROUPS.get(third)
        return "cylinder deactivation" if third == "4" else None
    if system == "U" and digit == "0":
        return _NETWORK_GROUPS.get(third)
    return None


# -- specific generic codes ----------------------------------------------------------------


def _numbered(first: int, count: int, text: str) -> dict[str, str]:
    """P0301 … P0312 style runs (numbered in decimal): ``text`` with ``{n}`` for 1, 2, …"""
    return {f"P{first + n - 1:04d}": text.format(n=n) for n in range(1, count + 1)}


def _oxygen_sensors() -> dict[str, str]:
    """P0130–P0167: six faults per sensor, three sensors per bank, two banks."""
    faults = (
        "circuit fault",
        "signal voltage low",
        "signal voltage high",
        "slow to respond",
        "no activity detected",
        "heater circuit fault",
    )
    table: dict[str, str] = {}
    for bank, start in ((1, 130), (2, 150)):
        for sensor in (1, 2, 3):
            for offset, fault in enumerate(faults):
                code = f"P{start + (sensor - 1) * 6 + offset:04d}"
                where = "upstream" if sensor == 1 else "downstream"
                table[code] = f"Oxygen sensor, bank {bank} sensor {sensor} ({where}): {fault}"
    return table


_SENSOR_FAULTS: Final = (
    "circuit fault",
    "reading out of the expected range or performance problem",
    "signal low",
    "signal high",
    "signal intermittent",
)


def _sensor(first: int, name: str) -> dict[str, str]:
    """Five-code sensor runs: circuit, range/performance, low, high, intermittent."""
    return {f"P{first + i:04d}": f"{name}: {fault}" for i, fault in enumerate(_SENSOR_FAULTS)}


_FIXED: Final = {
    # fuel and air metering
    "P0125": "Coolant too cold for closed-loop fuel control (engine warms up too slowly)",
    "P0126": "Coolant temperature too low for stable engine operation",
    "P0127": "Intake air temperature too high",
    "P0128": "Coolant stays below the thermostat's regulating temperature "
    "(thermostat likely stuck open)",
    "P0170": "Fuel trim fault, bank 1",
    "P0171": "Engine running too lean, bank 1 (too much air or too little fuel)",
    "P0172": "Engine running too rich, bank 1 (too much fuel or too little air)",
    "P0173": "Fuel trim fault, bank 2",
    "P0174": "Engine running too lean, bank 2 (too much air or too little fuel)",
    "P0175": "Engine running too rich, bank 2 (too much fuel or too little air)",
    "P0190": "Fuel rail pressure sensor circuit fault",
    "P0191": "Fuel rail pressure sensor reading out of the expected range",
    "P0192": "Fuel rail pressure sensor signal low",
    "P0193": "Fuel rail pressure sensor signal high",
    # injectors and engine protection
    "P0200": "Fuel injector circuit fault",
    "P0217": "Engine overheating detected by the engine controller",
    "P0218": "Transmission fluid overheating",
    "P0219": "Engine overspeed (revs beyond the allowed maximum)",
    "P0230": "Fuel pump primary circuit fault",
    "P0234": "Turbocharger or supercharger boost too high (overboost)",
    "P0299": "Turbocharger or supercharger boost too low (underboost)",
    # ignition and misfire
    "P0300": "Random or multiple-cylinder misfire detected",
    "P0325": "Knock sensor 1 (bank 1 or single sensor): circuit fault",
    "P0326": "Knock sensor 1 (bank 1 or single sensor): reading out of the expected range",
    "P0327": "Knock sensor 1 (bank 1 or single sensor): signal low",
    "P0328": "Knock sensor 1 (bank 1 or single sensor): signal high",
    "P0329": "Knock sensor 1 (bank 1 or single sensor): signal intermittent",
    "P0330": "Knock sensor 2 (bank 2): circuit fault",
    "P0331": "Knock sensor 2 (bank 2): reading out of the expected range",
    "P0332": "Knock sensor 2 (bank 2): signal low",
    "P0333": "Knock sensor 2 (bank 2): signal high",
    "P0334": "Knock sensor 2 (bank 2): signal intermittent",
    "P0335": "Crankshaft position sensor A: circuit fault",
    "P0336": "Crankshaft position sensor A: reading out of the expected range",
    "P0340": "Camshaft position sensor A (bank 1 or single sensor): circuit fault",
    "P0341": "Camshaft position sensor A (bank 1 or single sensor): "
    "reading out of the expected range",
    # exhaust gas recirculation and secondary air
    "P0400": "Exhaust gas recirculation (EGR): flow fault",
    "P0401": "Exhaust gas recirculation (EGR): too little flow",
    "P0402": "Exhaust gas recirculation (EGR): too much flow",
    "P0403": "Exhaust gas recirculation (EGR): control circuit fault",
    "P0404": "Exhaust gas recirculation (EGR): control out of the expected range",
    "P0405": "Exhaust gas recirculation (EGR) sensor A: signal low",
    "P0406": "Exhaust gas recirculation (EGR) sensor A: signal high",
    "P0407": "Exhaust gas recirculation (EGR) sensor B: signal low",
    "P0408": "Exhaust gas recirculation (EGR) sensor B: signal high",
    "P0409": "Exhaust gas recirculation (EGR) sensor A: circuit fault",
    "P0410": "Secondary air injection system fault",
    "P0411": "Secondary air injection: flow not as expected",
    # catalysts
    "P0420": "Catalytic converter efficiency below threshold, bank 1",
    "P0421": "Warm-up catalytic converter efficiency below threshold, bank 1",
    "P0430": "Catalytic converter efficiency below threshold, bank 2",
    "P0431": "Warm-up catalytic converter efficiency below threshold, bank 2",
    # evaporative emissions
    "P0440": "Fuel vapour (EVAP) system fault",
    "P0441": "Fuel vapour (EVAP) system: purge flow not as expected",
    "P0442": "Fuel vapour (EVAP) system: small leak found",
    "P0443": "Fuel vapour (EVAP) purge valve: control circuit fault",
    "P0444": "Fuel vapour (EVAP) purge valve: control circuit open",
    "P0445": "Fuel vapour (EVAP) purge valve: control circuit shorted",
    "P0446": "Fuel vapour (EVAP) vent valve: control circuit fault",
    "P0447": "Fuel vapour (EVAP) vent valve: control circuit open",
    "P0448": "Fuel vapour (EVAP) vent valve: control circuit shorted",
    "P0449": "Fuel vapour (EVAP) vent valve or solenoid: circuit fault",
    "P0450": "Fuel vapour (EVAP) pressure sensor: circuit fault",
    "P0451": "Fuel vapour (EVAP) pressure sensor: reading out of the expected range",
    "P0452": "Fuel vapour (EVAP) pressure sensor: signal low",
    "P0453": "Fuel vapour (EVAP) pressure sensor: signal high",
    "P0454": "Fuel vapour (EVAP) pressure sensor: signal intermittent",
    "P0455": "Fuel vapour (EVAP) system: large leak found (check the fuel cap first)",
    "P0456": "Fuel vapour (EVAP) system: very small leak found",
    "P0457": "Fuel vapour (EVAP) system: leak found, fuel cap loose or missing",
    "P0460": "Fuel level sensor: circuit fault",
    "P0461": "Fuel level sensor: reading out of the expected range",
    "P0462": "Fuel level sensor: signal low",
    "P0463": "Fuel level sensor: signal high",
    # speed, idle, auxiliary inputs
    "P0500": "Vehicle speed sensor A: fault",
    "P0501": "Vehicle speed sensor A: reading out of the expected range",
    "P0502": "Vehicle speed sensor A: signal low",
    "P0503": "Vehicle speed sensor A: signal erratic, intermittent or high",
    "P0505": "Idle air control system fault",
    "P0506": "Idle speed lower than expected",
    "P0507": "Idle speed higher than expected",
    "P0520": "Engine oil pressure sensor or switch: circuit fault",
    "P0521": "Engine oil pressure sensor or switch: reading out of the expected range",
    "P0522": "Engine oil pressure sensor or switch: signal low",
    "P0523": "Engine oil pressure sensor or switch: signal high",
    "P0524": "Engine oil pressure too low",
    "P0560": "System (battery) voltage fault",
    "P0562": "System (battery) voltage low",
    "P0563": "System (battery) voltage high",
    # control modules
    "P0600": "Serial link between control modules: fault",
    "P0601": "Control module: memory checksum error",
    "P0602": "Control module: not programmed or programming error",
    "P0603": "Control module: keep-alive memory error",
    "P0604": "Control module: working memory (RAM) error",
    "P0605": "Control module: program memory (ROM) error",
    "P0606": "Control module: processor fault",
    # transmission
    "P0700": "Transmission control system fault (the transmission module stored its own code)",
    "P0705": "Transmission range (gear selector) sensor: circuit fault",
    "P0710": "Transmission fluid temperature sensor: circuit fault",
    "P0715": "Transmission input or turbine speed sensor: circuit fault",
    "P0720": "Transmission output speed sensor: circuit fault",
    "P0725": "Engine speed input to the transmission: circuit fault",
    "P0730": "Transmission: wrong gear ratio",
    "P0736": "Transmission: wrong ratio in reverse",
    "P0740": "Torque converter clutch: circuit fault",
    "P0741": "Torque converter clutch: performance problem or stuck off",
    "P0750": "Transmission shift solenoid A: fault",
    "P0755": "Transmission shift solenoid B: fault",
    "P0760": "Transmission shift solenoid C: fault",
    "P0765": "Transmission shift solenoid D: fault",
    # P2xxx
    "P2002": "Diesel particulate filter efficiency below threshold, bank 1",
    "P2096": "Fuel trim after the catalyst too lean, bank 1",
    "P2097": "Fuel trim after the catalyst too rich, bank 1",
    "P2135": "Throttle or pedal position sensors A and B disagree",
    "P2195": "Oxygen sensor signal stuck lean, bank 1 sensor 1",
    "P2196": "Oxygen sensor signal stuck rich, bank 1 sensor 1",
    "P2263": "Turbocharger or supercharger boost system: performance problem",
    "P2463": "Diesel particulate filter: soot build-up too high",
    # network
    "U0001": "High-speed CAN communication bus fault",
    "U0073": "Control module communication bus off",
    "U0100": "Lost communication with the engine control module",
    "U0101": "Lost communication with the transmission control module",
    "U0121": "Lost communication with the anti-lock brake (ABS) module",
    "U0140": "Lost communication with the body control module",
    "U0155": "Lost communication with the instrument cluster",
}


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {}
    table |= _sensor(100, "Mass air flow (MAF) sensor")
    table |= _sensor(105, "Manifold absolute / barometric pressure (MAP) sensor")
    table |= _sensor(110, "Intake air temperature sensor")
    table |= _sensor(115, "Engine coolant temperature sensor")
    table |= _sensor(120, "Throttle or pedal position sensor A")
    table |= _oxygen_sensors()
    table |= _numbered(201, 8, "Fuel injector circuit fault, cylinder {n}")
    table |= _numbered(301, 12, "Misfire detected in cylinder {n}")
    table |= _numbered(351, 8, "Ignition coil {n}: primary or secondary circuit fault")
    table |= _numbered(731, 5, "Transmission: wrong ratio in gear {n}")
    table |= _FIXED
    return table


GENERIC_CODES: Final[dict[str, str]] = _build_table()


# -- reading codes -------------------------------------------------------------------------


def normalize(raw: object) -> str | None:
    """``" p0301 "`` → ``"P0301"``; anything that isn't a well-formed DTC → None."""
    if not isinstance(raw, str):
        return None
    code = raw.strip().upper()
    return code if DTC_PATTERN.fullmatch(code) else None


def _family_description(code: str, scope: Scope, subsystem: str | None) -> str:
    system = SYSTEMS[code[0]]
    area = f"{system} code — {subsystem}" if subsystem else f"{system} code"
    if scope is Scope.MANUFACTURER:
        return (
            f"Manufacturer-specific {area}; the manufacturer's service information "
            "gives its exact meaning"
        )
    if scope is Scope.RESERVED:
        return f"{system.capitalize()} code from a range SAE reserves for future use"
    return f"Generic (SAE) {area} (no description of this exact code on file)"


def describe(code: str) -> DtcInfo:
    """What a well-formed code means; raises ValueError for anything else."""
    normal = normalize(code)
    if normal is None:
        raise ValueError(f"not a diagnostic trouble code: {code!r}")
    system, digit, third = normal[0], normal[1], normal[2]
    scope = _scope(system, digit, third)
    subsystem = _subsystem(system, digit, third)
    known = GENERIC_CODES.get(normal)
    description = known or _family_description(normal, scope, subsystem)
    return DtcInfo(normal, SYSTEMS[system], scope, subsystem, description, known is not None)
