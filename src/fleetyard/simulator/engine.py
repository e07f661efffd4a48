"""The engine and what its sensors read: rpm from speed and gear, load from acceleration,
coolant warming towards a load-dependent temperature (or an overheating one), fuel burnt by
load, engine hours, and the supply voltage the tracker sees. Pure arithmetic on the state.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

IDLE_RPM: Final = 800.0
MAX_RPM: Final = 6_000.0
RPM_PER_KMH: Final = (110.0, 62.0, 42.0, 32.0, 26.0, 22.0)  # per gear, 1st … 6th
LUGGING_RPM: Final = 1_300.0  # the highest gear that keeps rpm above this …
PULLING_RPM: Final = 2_000.0  # … or this while accelerating hard
HARD_ACCELERATION_MS2: Final = 1.2
AMBIENT_C: Final = 15.0
RUNNING_COOLANT_C: Final = 88.0  # thermostat regulated, plus a little per load
OVERHEATING_COOLANT_C: Final = 125.0
WARM_UP_S: Final = 240.0  # time constants of the coolant temperature
OVERHEAT_S: Final = 90.0
COOL_DOWN_S: Final = 1_800.0
IDLE_FUEL_LPH: Final = 0.8
FUEL_LPH_PER_LOAD_PCT: Final = 0.06
CHARGING_V: Final = 14.2
RESTING_V: Final = 12.6


@dataclass(slots=True)
class Engine:
    tank_l: float
    fuel_l: float
    running: bool = False
    rpm: float = 0.0
    load_pct: float = 0.0
    coolant_c: float = AMBIENT_C
    engine_hours: float = 0.0
    supply_v: float = RESTING_V

    @property
    def fuel_pct(self) -> float:
        return 100.0 * self.fuel_l / self.tank_l

    def step(
        self,
        dt: float,
        speed_ms: float,
        acceleration_ms2: float,
        rng: random.Random,
        *,
        overheating: bool = False,
        drain_pct_per_s: float = 0.0,
    ) -> None:
        if self.running:
            self.load_pct = engine_load_pct(speed_ms, acceleration_ms2)
            self.rpm = engine_rpm(speed_ms * 3.6, acceleration_ms2) + rng.uniform(-25, 25)
            burnt = (IDLE_FUEL_LPH + FUEL_LPH_PER_LOAD_PCT * self.load_pct) * dt / 3600
            self.engine_hours += dt / 3600
            self.supply_v = CHARGING_V + rng.uniform(-0.15, 0.15)
        else:
            self.load_pct = self.rpm = burnt = 0.0
            self.supply_v = RESTING_V + rng.uniform(-0.05, 0.05)
        drained = self.tank_l * drain_pct_per_s / 100 * dt
        self.fuel_l = max(0.0, self.fuel_l - burnt - drained)
        self.coolant_c = self._coolant_after(dt, overheating)

    def start(self) -> None:
        self.running, self.rpm, self.supply_v = True, IDLE_RPM, CHARGING_V

    def switch_off(self) -> None:
        self.running, self.rpm, self.load_pct, self.supply_v = False, 0.0, 0.0, RESTING_V

    def refuel(self, fraction: float) -> None:
        self.fuel_l = max(self.fuel_l, self.tank_l * fraction)

    def _coolant_after(self, dt: float, overheating: bool) -> float:
        if not self.running:
            target, tau = AMBIENT_C, COOL_DOWN_S
        elif overheating:
            target, tau = OVERHEATING_COOLANT_C, OVERHEAT_S
        else:
            target, tau = RUNNING_COOLANT_C + 0.08 * self.load_pct, WARM_UP_S
            if self.coolant_c > target:  # the fan pulls it back fast once the fault is gone
                tau = OVERHEAT_S / 2
        return target + (self.coolant_c - target) * math.exp(-dt / tau)


def engine_load_pct(speed_ms: float, acceleration_ms2: float) -> float:
    """Calculated load: rolling and air drag grow with speed, acceleration adds the most."""
    load = 12.0 + 0.35 * speed_ms * 3.6 + 30.0 * max(acceleration_ms2, 0.0)
    return min(100.0, load)


def engine_rpm(speed_kmh: float, acceleration_ms2: float) -> float:
    """The highest gear that keeps the engine above its floor (higher when pulling hard)."""
    if speed_kmh < 3.0:
        return IDLE_RPM
    floor = PULLING_RPM if acceleration_ms2 > HARD_ACCELERATION_MS2 else LUGGING_RPM
    for per_kmh in reversed(RPM_PER_KMH):
        if speed_kmh * per_kmh >= floor:
            return min(MAX_RPM, speed_kmh * per_kmh)
    return max(IDLE_RPM, speed_kmh * RPM_PER_KMH[0])
