"""Failure prediction for one tenant: its history from the database, retraining (a failed
retrain is recorded and the active model stays), refreshing the stored predictions and their
``predicted_failure`` alerts, and the reads the API answers."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.errors import NotFound
from fleetyard.kit.ids import TenantId
from fleetyard.predictions.history import (
    COMPONENTS,
    FleetHistory,
    WorkOrderEvent,
    component_of_dtc,
    empty_history,
)
from fleetyard.predictions.model import SurvivalModel
from fleetyard.predictions.predict import HIGH, VehiclePrediction, predict_fleet
from fleetyard.predictions.prior import prior_models
from fleetyard.predictions.repository import FleetFilters, PredictionRepository

log = logging.getLogger(__name__)

HISTORY_DAYS: Final = 730
ALERT_KIND: Final = "predicted_failure"
Trainer = Callable[[FleetHistory], dict[str, SurvivalModel]]


@dataclass(frozen=True, slots=True)
class RetrainResult:
    version: int
    status: str  # active | failed
    metrics: dict[str, Any]
    error: str | None


@dataclass(frozen=True, slots=True)
class ActiveModels:
    models: dict[str, SurvivalModel]
    version: int | None  # None: the population prior, never retrained for this tenant


def _default_trainer(history: FleetHistory) -> dict[str, SurvivalModel]:
    from fleetyard.predictions.tenant_training import train_tenant

    return train_tenant(history)


class PredictionService:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.repo = PredictionRepository(session, tenant_id)

    # history ------------------------------------------------------------------------------
    async def history(
        self, today: date, vehicle_id: uuid.UUID | None = None, days: int = HISTORY_DAYS
    ) -> tuple[FleetHistory, list[uuid.UUID], dict[int, list[str]]]:
        """The tenant's last ``days`` days (to yesterday) as arrays, its vehicles in order,
        and their active DTC codes."""
        vehicles = await self.repo.vehicles(vehicle_id)
        ids = [row.id for row in vehicles]
        index = {vid: i for i, vid in enumerate(ids)}
        start = today - timedelta(days=days)
        history = empty_history(start, len(ids), days)
        history.vehicle_age_years = np.array(
            [(start.year - row.year + 0.5) if row.year else np.nan for row in vehicles],
            dtype=float,
        )
        odometer = np.full((len(ids), days), np.nan)
        for row in await self.repo.telemetry(start, today, vehicle_id):
            v, d = index.get(row.vehicle_id), (row.day - start).days
            if v is None:
                continue
            history.distance_km[v, d] = row.distance_km
            odometer[v, d] = row.odometer_km if row.odometer_km is not None else np.nan
            history.crank_voltage_v[v, d] = _or_nan(row.crank_voltage_v)
            history.coolant_max_c[v, d] = _or_nan(row.coolant_max_c)
            history.coolant_excursions[v, d] = row.coolant_excursions
            history.harsh_brakes[v, d] = row.harsh_brakes
            for code in row.dtc_codes or ():
                component = component_of_dtc(code)
                if component in history.dtc_days:
                    history.dtc_days[component][v, d] = 1.0
        history.odometer_km = _fill_odometer(
            odometer, np.array([float(r.odometer_km or 0) or np.nan for r in vehicles])
        )
        for row in await self.repo.work_orders(vehicle_id):
            v = index.get(row.vehicle_id)
            if v is None:
                continue
            d = (row.day - start).days
            odo = row.odometer_km
            if odo is None and 0 <= d < days:
                odo = history.odometer_km[v, d]
            history.events.append(
                WorkOrderEvent(v, d, row.component, row.kind, float(odo) if odo else np.nan)
            )
        dtcs: dict[int, list[str]] = {}
        for row in await self.repo.active_dtcs(vehicle_id):
            if row.vehicle_id in index:
                dtcs.setdefault(index[row.vehicle_id], []).append(row.code)
        return history, ids, dtcs

    # models -------------------------------------------------------------------------------
    async def active_models(self) -> ActiveModels:
        row = await self.repo.active_model()
        if row is None:
            return ActiveModels(dict(prior_models()), None)
        models: dict[str, SurvivalModel] = {
            c: SurvivalModel.from_json(row.params[c]) for c in COMPONENTS
        }
        return ActiveModels(models, int(row.version))

    async def retrain(self, now: datetime, trainer: Trainer | None = None) -> RetrainResult:
        """Fit on the tenant's history; on success the new version is active, on failure it
        is stored as failed with its error and the active model stays."""
        history, _, _ = await self.history(now.date())
        trainer = trainer or _default_trainer
        try:
            models = await asyncio.to_thread(trainer, history)
            _check(models)
        except Exception as exc:
            log.warning("prediction retrain failed", extra={"tenant_id": str(self.tenant_id)})
            message = f"{type(exc).__name__}: {exc}"[:2000]
            _, version = await self.repo.add_model("failed", {}, {}, message, now)
            return RetrainResult(version, "failed", {}, message)
        params = {c: m.to_json() for c, m in models.items()}
        metrics = {c: {"source": m.source, **m.metrics} for c, m in models.items()}
        _, version = await self.repo.add_model("active", params, metrics, None, now)
        return RetrainResult(version, "active", metrics, None)

    async def models(self, limit: int) -> Sequence[Any]:
        return await self.repo.models(limit)

    # predictions --------------------------------------------------------------------------
    async def compute(
        self, now: datetime, vehicle_id: uuid.UUID | None = None
    ) -> tuple[list[VehiclePrediction], list[uuid.UUID], ActiveModels]:
        active = await self.active_models()
        history, ids, dtcs = await self.history(now.date(), vehicle_id)
        if not ids:
            return [], ids, active
        return predict_fleet(history, active.models, history.days, dtcs), ids, active

    async def refresh(self, now: datetime) -> int:
        """Compute and store every vehicle's predictions; open ``predicted_failure`` alerts
        where the 30-day probability reaches HIGH and clear those that fell below."""
        predictions, ids, active = await self.compute(now)
        rows = [_stored(p, ids, active.version) for p in predictions]
        await self.repo.store_predictions(rows, now)
        await self._alerts(predictions, ids, now)
        return len(rows)

    async def _alerts(
        self, predictions: list[VehiclePrediction], ids: list[uuid.UUID], now: datetime
    ) -> None:
        from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
        from fleetyard.telematics.rules.store import AlertStore

        connection = await self.session.connection()
        conn = (await connection.get_raw_connection()).driver_connection
        store = AlertStore(conn, self.tenant_id)
        open_keys = await store.open_keys(ids)
        for p in predictions:
            vehicle_id = ids[p.vehicle]
            key = AlertKey(ALERT_KIND, p.component)
            if p.probability_30d >= HIGH and p.source != "dtc":
                severity = Severity.CRITICAL if p.probability_30d >= 0.6 else Severity.WARNING
                message = (
                    f"{p.component.replace('_', ' ').capitalize()}: "
                    f"{p.probability_30d:.0%} chance of failure within 30 days. "
                    f"{p.recommended_action}"
                )
                details = {
                    "component": p.component,
                    "probability_30d": p.probability_30d,
                    "days_to_failure": p.days_to_failure,
                    "confidence": p.confidence,
                }
                await store.raise_alert(
                    vehicle_id, None, Condition(key, severity, message, details), now, now
                )
            elif key in open_keys.get(vehicle_id, set()):
                await store.clear(vehicle_id, key, now)

    async def of_vehicle(self, vehicle_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
        """The stored predictions, or — for a vehicle not refreshed yet — computed now."""
        vehicles = await self.repo.vehicles(vehicle_id)
        if not vehicles:
            raise NotFound(
                "No such vehicle.", details={"entity_type": "vehicle", "id": str(vehicle_id)}
            )
        stored = await self.repo.of_vehicle(vehicle_id)
        if stored:
            return [dict(row._mapping) for row in stored]
        predictions, ids, active = await self.compute(now, vehicle_id)
        label = vehicles[0].label
        out = []
        for p in sorted(predictions, key=lambda p: -p.probability_30d):
            row = _stored(p, ids, active.version)
            out.append({**row, "id": None, "vehicle_label": label, "computed_at": now})
        return out

    async def fleet(
        self, filters: FleetFilters, after: tuple[float, uuid.UUID] | None, limit: int
    ) -> Sequence[Any]:
        return await self.repo.fleet(filters, after, limit)


def _stored(p: VehiclePrediction, ids: list[uuid.UUID], version: int | None) -> dict[str, Any]:
    return {
        "vehicle_id": ids[p.vehicle],
        "component": p.component,
        "model_version": version,
        "source": p.source,
        "probability_30d": p.probability_30d,
        "days_to_failure": p.days_to_failure,
        "days_low": p.days_low,
        "days_high": p.days_high,
        "recommended_action": p.recommended_action,
        "confidence": p.confidence,
        "drivers": p.drivers,
        "dtc_code": p.dtc_code,
    }


def _check(models: dict[str, SurvivalModel]) -> None:
    for component in COMPONENTS:
        model = models[component]
        values = np.asarray([*model.coefs, *model.means, *model.baseline])
        if not np.isfinite(values).all():
            raise ValueError(f"{component}: the model has non-finite parameters")


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _fill_odometer(odometer: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Carry each reading forward (and the first one back); a vehicle with none keeps its
    registered odometer."""
    out = odometer.copy()
    for v in range(out.shape[0]):
        row = out[v]
        known = np.flatnonzero(~np.isnan(row))
        if known.size == 0:
            row[:] = fallback[v]
            continue
        idx = np.maximum.accumulate(np.where(~np.isnan(row), np.arange(row.size), 0))
        filled = row[idx]
        filled[: known[0]] = row[known[0]]
        out[v] = filled
    return out


def utc_now() -> datetime:
    return datetime.now(UTC)
