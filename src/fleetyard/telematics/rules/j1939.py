"""SAE J1939 diagnostic trouble codes, as heavy-duty vehicles report them (through Geotab,
Samsara and other clouds): a Suspect Parameter Number (SPN, what is wrong) and a Failure Mode
Identifier (FMI, how it is wrong). We write them ``SPN 110 FMI 0`` — the form the provider
adapters produce — and describe them from the SPN table below and the FMI list of J1939-73.

SPNs 520192–524287 are the proprietary range: each manufacturer defines them.
"""

from __future__ import annotations

import re
from typing import Final

from fleetyard.telematics.rules.j2012 import DtcInfo, Scope

SYSTEM: Final = "heavy-duty (J1939)"
MAX_SPN: Final = 524_287  # 19 bits
PROPRIETARY_SPNS: Final = range(520_192, MAX_SPN + 1)
MOST_SEVERE_FMIS: Final = frozenset({0, 1})  # data valid but out of range, most severe level

# Our spelling, for SQL that counts codes already stored.
NORMAL_PATTERN: Final = re.compile(r"^SPN [0-9]{1,6}( FMI [0-9]{1,2})?$")
# "SPN 110 FMI 0", "spn:110 fmi:0", "SPN110/FMI0", "spn 110" (no FMI: the parameter alone)
_READABLE: Final = re.compile(r"^SPN\s*:?\s*(\d{1,6})(?:\s*[/,;-]?\s*FMI\s*:?\s*(\d{1,2}))?$")

FAILURE_MODES: Final = {
    0: "value above the normal operating range (most severe)",
    1: "value below the normal operating range (most severe)",
    2: "data erratic, intermittent or incorrect",
    3: "voltage above normal, or shorted to a high source",
    4: "voltage below normal, or shorted to a low source",
    5: "current below normal, or open circuit",
    6: "current above normal, or grounded circuit",
    7: "mechanical system not responding or out of adjustment",
    8: "abnormal frequency, pulse width or period",
    9: "abnormal update rate",
    10: "abnormal rate of change",
    11: "root cause not known",
    12: "bad intelligent device or component",
    13: "out of calibration",
    14: "special instructions (see the manufacturer's service information)",
    15: "value above normal (least severe)",
    16: "value above normal (moderately severe)",
    17: "value below normal (least severe)",
    18: "value below normal (moderately severe)",
    19: "data received over the network is in error",
    20: "data drifted high",
    21: "data drifted low",
    31: "condition exists",
}

# The parameters a fleet sees most in practice; others are described by number.
PARAMETERS: Final = {
    51: "Throttle position",
    84: "Wheel-based vehicle speed",
    91: "Accelerator pedal position",
    94: "Fuel delivery pressure",
    97: "Water in fuel indicator",
    98: "Engine oil level",
    100: "Engine oil pressure",
    102: "Boost (intake manifold) pressure",
    105: "Intake manifold temperature",
    108: "Barometric pressure",
    110: "Engine coolant temperature",
    111: "Engine coolant level",
    157: "Injector metering rail pressure",
    158: "Battery potential (switched)",
    167: "Charging system potential (alternator)",
    168: "Battery potential",
    171: "Ambient air temperature",
    174: "Fuel temperature",
    175: "Engine oil temperature",
    190: "Engine speed",
    247: "Engine total hours of operation",
    411: "EGR differential pressure",
    412: "EGR temperature",
    520: "Retarder torque",
    597: "Brake switch",
    629: "Controller",
    636: "Camshaft position sensor",
    637: "Crankshaft position sensor",
    639: "J1939 network",
    641: "Variable geometry turbocharger actuator",
    651: "Injector cylinder 1",
    652: "Injector cylinder 2",
    653: "Injector cylinder 3",
    654: "Injector cylinder 4",
    655: "Injector cylinder 5",
    656: "Injector cylinder 6",
    1569: "Engine protection torque derate",
    1761: "Diesel exhaust fluid (AdBlue) tank level",
    2659: "EGR mass flow rate",
    3216: "Aftertreatment NOx sensor (intake)",
    3226: "Aftertreatment NOx sensor (outlet)",
    3251: "Diesel particulate filter differential pressure",
    3364: "Diesel exhaust fluid quality",
    3719: "Diesel particulate filter soot load",
    4364: "SCR catalyst conversion efficiency",
    5246: "SCR operator inducement severity",
}


def normalize(raw: object) -> str | None:
    """``" spn:110 fmi:0 "`` → ``"SPN 110 FMI 0"``; anything that isn't a J1939 code → None."""
    if not isinstance(raw, str):
        return None
    found = _READABLE.fullmatch(raw.strip().upper())
    if found is None:
        return None
    spn = int(found[1])
    if spn > MAX_SPN:
        return None
    if found[2] is None:
        return f"SPN {spn}"
    fmi = int(found[2])
    return f"SPN {spn} FMI {fmi}" if fmi <= 31 else None


def split(code: str) -> tuple[int, int | None]:
    """A normalised code's SPN and FMI."""
    parts = code.split()
    return int(parts[1]), int(parts[3]) if len(parts) == 4 else None


def describe(code: str) -> DtcInfo:
    """What a normalised J1939 code means; raises ValueError for anything else."""
    normal = normalize(code)
    if normal is None:
        raise ValueError(f"not a J1939 trouble code: {code!r}")
    spn, fmi = split(normal)
    proprietary = spn in PROPRIETARY_SPNS
    parameter = PARAMETERS.get(spn)
    if parameter is None:
        parameter = (
            f"Manufacturer-specific parameter {spn} (the manufacturer's service information "
            "gives its meaning)"
            if proprietary
            else f"Parameter {spn}"
        )
    mode = None if fmi is None else FAILURE_MODES.get(fmi, f"failure mode {fmi}")
    description = parameter if mode is None else f"{parameter}: {mode}"
    return DtcInfo(
        normal,
        SYSTEM,
        Scope.MANUFACTURER if proprietary else Scope.GENERIC,
        None,
        description,
        spn in PARAMETERS and (fmi is None or fmi in FAILURE_MODES),
    )


def most_severe(code: str) -> bool:
    """FMI 0 and 1: the value is valid but beyond the range the engine may run in."""
    _, fmi = split(code)
    return fmi in MOST_SEVERE_FMIS
