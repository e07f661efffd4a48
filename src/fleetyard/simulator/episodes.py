"""The faults and events that make a demo fleet worth watching, at configurable rates.

Each kind starts as a Poisson process in time (a seed repeats every episode); one that comes
due while the engine is off waits for it to start, a harsh brake for a useful speed:

- a DTC: one real SAE J2012 generic code, reported until it clears some minutes later;
- overheating: the coolant climbs past 110 °C for a few minutes, then recovers below 105 °C;
- low fuel: the level falls to 5–8.5 % within two minutes (faster than driving burns it:
  demo time is short; a leak, if you like); the driver refuels at the end of the next stop;
- harsh braking: one firm stop (4.5–6 m/s²) from a useful speed.

``DEMO_RATES`` is tuned so that ten vehicles that report engine data see every alert kind
within an hour; tests raise the rates further. ``bring_forward`` starts a vehicle's next
episodes within seconds, for a demo that should show its alerts at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

# Common generic powertrain codes (SAE J2012, P0xxx): misfires, lean/rich, catalyst, EVAP,
# thermostat, idle control, sensors.
GENERIC_DTCS: Final = (
    "P0301",
    "P0302",
    "P0300",
    "P0420",
    "P0171",
    "P0172",
    "P0128",
    "P0442",
    "P0455",
    "P0506",
    "P0113",
    "P0133",
)
DTC_MINUTES: Final = (8.0, 25.0)
OVERHEATING_MINUTES: Final = (3.0, 6.0)
LOW_FUEL_TARGET_PCT: Final = (5.0, 8.5)
LOW_FUEL_DRAIN_S: Final = 120.0
HARSH_BRAKING_MS2: Final = (4.5, 6.0)
HARSH_BRAKING_MIN_KMH: Final = 20.0


@dataclass(frozen=True, slots=True)
class EpisodeRates:
    """Expected starts per vehicle per hour."""

    dtc: float = 0.5
    overheating: float = 0.5
    low_fuel: float = 0.5
    harsh_braking: float = 3.0

    def scaled(self, factor: float) -> EpisodeRates:
        return EpisodeRates(
            self.dtc * factor,
            self.overheating * factor,
            self.low_fuel * factor,
            self.harsh_braking * factor,
        )


DEMO_RATES: Final = EpisodeRates()
NO_EPISODES: Final = EpisodeRates(0.0, 0.0, 0.0, 0.0)


def _wait_s(rate_per_hour: float, rng: random.Random) -> float:
    return rng.expovariate(rate_per_hour) * 3600 if rate_per_hour > 0 else float("inf")


@dataclass(slots=True)
class Episodes:
    """One vehicle's episodes: the countdowns to the next start of each kind, and what is on."""

    rates: EpisodeRates
    rng: random.Random
    dtcs: dict[str, float] = field(default_factory=dict)  # code → running seconds left
    overheating_s: float = 0.0  # running seconds of overheating left
    draining_to_pct: float | None = None  # a low-fuel episode drains to this level …
    drain_pct_per_s: float = 0.0  # … at this rate
    harsh_brake_pending: bool = False
    _next_dtc_s: float = 0.0
    _next_overheating_s: float = 0.0
    _next_low_fuel_s: float = 0.0
    _next_harsh_s: float = 0.0

    def __post_init__(self) -> None:
        self._next_dtc_s = _wait_s(self.rates.dtc, self.rng)
        self._next_overheating_s = _wait_s(self.rates.overheating, self.rng)
        self._next_low_fuel_s = _wait_s(self.rates.low_fuel, self.rng)
        self._next_harsh_s = _wait_s(self.rates.harsh_braking, self.rng)

    @property
    def overheating(self) -> bool:
        return self.overheating_s > 0

    @property
    def active_dtcs(self) -> tuple[str, ...]:
        return tuple(sorted(self.dtcs))

    def step(self, dt: float, *, running: bool, fuel_pct: float) -> None:
        """Count down to the next starts; an episode due while the engine is off (or, for a
        harsh brake, while slow) waits for it to run."""
        rates, rng = self.rates, self.rng
        self._next_dtc_s -= dt
        self._next_overheating_s -= dt
        self._next_low_fuel_s -= dt
        self._next_harsh_s -= dt
        if self._next_harsh_s <= 0:
            self.harsh_brake_pending = True
            self._next_harsh_s = _wait_s(rates.harsh_braking, rng)
        if self._next_low_fuel_s <= 0:  # a leak drains a parked tank too
            if self.draining_to_pct is None:
                self.draining_to_pct = rng.uniform(*LOW_FUEL_TARGET_PCT)
                self.drain_pct_per_s = max(0.0, fuel_pct - self.draining_to_pct) / LOW_FUEL_DRAIN_S
            self._next_low_fuel_s = _wait_s(rates.low_fuel, rng)
        if self.draining_to_pct is not None and fuel_pct <= self.draining_to_pct:
            self.draining_to_pct, self.drain_pct_per_s = None, 0.0
        if not running:
            return
        self._count_down_dtcs(dt)
        self.overheating_s = max(0.0, self.overheating_s - dt)
        if self._next_dtc_s <= 0:
            self.dtcs.setdefault(rng.choice(GENERIC_DTCS), self._minutes(DTC_MINUTES))
            self._next_dtc_s = _wait_s(rates.dtc, rng)
        if self._next_overheating_s <= 0:
            self.overheating_s = max(self.overheating_s, self._minutes(OVERHEATING_MINUTES))
            self._next_overheating_s = _wait_s(rates.overheating, rng)

    def bring_forward(
        self,
        *,
        dtc_s: float | None = None,
        overheating_s: float | None = None,
        low_fuel_s: float | None = None,
    ) -> None:
        """Start the next episode of each kind named within that many seconds (or when it was
        due anyway, if sooner); later ones follow the rates. A demo shows its alerts at once."""
        if dtc_s is not None:
            self._next_dtc_s = min(self._next_dtc_s, dtc_s)
        if overheating_s is not None:
            self._next_overheating_s = min(self._next_overheating_s, overheating_s)
        if low_fuel_s is not None:
            self._next_low_fuel_s = min(self._next_low_fuel_s, low_fuel_s)

    def take_harsh_brake(self, speed_kmh: float) -> float:
        """The deceleration of a pending harsh brake, once the vehicle is fast enough; else 0."""
        if not self.harsh_brake_pending or speed_kmh < HARSH_BRAKING_MIN_KMH:
            return 0.0
        self.harsh_brake_pending = False
        return self.rng.uniform(*HARSH_BRAKING_MS2)

    def _count_down_dtcs(self, dt: float) -> None:
        for code in list(self.dtcs):
            self.dtcs[code] -= dt
            if self.dtcs[code] <= 0:
                del self.dtcs[code]

    def _minutes(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(*bounds) * 60
