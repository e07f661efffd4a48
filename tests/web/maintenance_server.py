"""A seeded ``fleetyard serve`` for the maintenance screens' browser test
(``web/e2e/maintenance.e2e.mjs``).

One tenant with a fleet manager and six vehicles (odometers 1,000 … 6,000 km) in one depot: a
group oil change every 5,000 km or 12 months (all fine: it counts from today's meters); a
brake-fluid change every 5,000 km that vehicle 5 is due soon on and vehicle 6 overdue on; a
vehicle tyre check every 90 days last done 85 days ago (due soon, dated this month or next); a
parts stock, one part below its reorder level; two work orders made through the service
(one open with labour and a part from stock, one from the oil change, completed); and every
vehicle's predictions computed and stored by the predictions service. Prints one JSON line
describing them and runs until its standard input closes (or SIGTERM), then drops the database.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.kit.ids import TenantId
from fleetyard.maintenance.parts import PartService
from fleetyard.maintenance.schemas import (
    LabourLine,
    LastDone,
    PartCreate,
    PartLine,
    ServiceScheduleCreate,
    WorkOrderCreate,
    WorkOrderStatus,
    WorkOrderUpdate,
)
from fleetyard.maintenance.service import ScheduleService
from fleetyard.maintenance.work_orders import WorkOrderService
from fleetyard.predictions.service import PredictionService
from fleetyard.tenants.schemas import Branding
from fleetyard.vehicles.schemas import VehicleUpdate
from fleetyard.vehicles.service import VehicleService
from tests.processes import ServeProcess, free_port
from tests.web.e2e_server import (
    PASSWORD,
    REPO,
    _group,
    _member,
    _tenant,
    _vehicles,
    _wait_for_stdin_eof_or_sigterm,
    create_database,
    drop_database,
)


async def _schedules(
    db: Database, tenant: TenantId, group: uuid.UUID, vehicles: list[dict[str, str]]
) -> dict[str, str]:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        service = ScheduleService(session, Principal.system(tenant))
        oil = await service.create(
            ServiceScheduleCreate(
                name="Oil change",
                component="engine",
                group_id=group,
                interval_km=Decimal(5000),
                interval_months=12,
                soon_km=Decimal(1000),
                soon_days=14,
            )
        )
        for index, done_km in ((4, 500), (5, 0)):  # vehicle 5 due soon, vehicle 6 overdue
            await service.create(
                ServiceScheduleCreate(
                    name="Brake fluid",
                    component="brakes",
                    vehicle_id=uuid.UUID(vehicles[index]["id"]),
                    interval_km=Decimal(5000),
                    soon_km=Decimal(1000),
                    last_done=LastDone(odometer_km=Decimal(done_km)),
                )
            )
        tyres = await service.create(
            ServiceScheduleCreate(
                name="Tyre check",
                component="tyres",
                vehicle_id=uuid.UUID(vehicles[0]["id"]),
                interval_days=90,
                soon_days=14,
                last_done=LastDone(on=(datetime.now(UTC) - timedelta(days=85)).date()),
            )
        )
        await session.commit()
        return {"oil": str(oil.id), "tyres": str(tyres.id)}


async def _parts_and_orders(
    db: Database, tenant: TenantId, vehicles: list[dict[str, str]], schedule_id: str
) -> dict[str, Any]:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        actor = Principal.system(tenant)
        parts = PartService(session, actor)
        pads = await parts.create(
            PartCreate(
                part_number="BP-100",
                name="Brake pad set",
                quantity_on_hand=Decimal(12),
                unit_cost=Decimal("39.90"),
                reorder_level=Decimal(4),
            )
        )
        await parts.create(
            PartCreate(
                part_number="OF-7",
                name="Oil filter",
                quantity_on_hand=Decimal(2),
                unit_cost=Decimal("8.50"),
                reorder_level=Decimal(5),
            )
        )
        orders = WorkOrderService(session, actor)
        brakes = await orders.create(
            WorkOrderCreate(
                vehicle_id=uuid.UUID(vehicles[1]["id"]),
                title="Replace front brake pads",
                component="brakes",
                kind="corrective",
                priority="high",
                vendor="Harbour Garage",
                lines=[
                    LabourLine(description="Fit pads", hours=Decimal("1.5"), rate=Decimal(80)),
                    PartLine(part_id=pads.id, quantity=Decimal(1)),
                ],
            )
        )
        oil = await orders.create(
            WorkOrderCreate(
                vehicle_id=uuid.UUID(vehicles[0]["id"]),
                source={"kind": "schedule", "id": schedule_id},
                lines=[LabourLine(description="Check", hours=Decimal("0.5"), rate=Decimal(60))],
            )
        )
        await orders.update(oil.id, WorkOrderUpdate(status=WorkOrderStatus.IN_PROGRESS), None)
        await orders.update(oil.id, WorkOrderUpdate(status=WorkOrderStatus.COMPLETED), None)
        await session.commit()
        return {
            "open": {"id": str(brakes.id), "number": brakes.number, "title": brakes.title},
            "completed": {"id": str(oil.id), "number": oil.number},
        }


async def _predictions(db: Database, tenant: TenantId) -> int:
    """Every vehicle's predictions, computed and stored by the service (the population prior:
    the fleet has no failure history)."""
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        stored = await PredictionService(session, tenant).refresh(datetime.now(UTC))
        await session.commit()
        return stored


async def seed(url: str) -> dict[str, Any]:
    db = Database.connect(with_user(url, "fleetyard_app"), pool_size=2)
    suffix = uuid.uuid4().hex[:6]
    try:
        tenant = await _tenant(db, f"shop-{suffix}", "Harbour Logistics", Branding())
        email = f"ops-shop-{suffix}@example.com"
        await _member(db, tenant, email, "Mia Mechanic")
        group = await _group(db, tenant, "Harbour depot")
        vehicles = await _vehicles(db, tenant, "HL", 6, None)
        async with db.sessionmaker() as session:  # all six in the depot the oil change covers
            await set_tenant(session, tenant)
            service = VehicleService(session, Principal.system(tenant))
            for vehicle in vehicles:
                await service.update(uuid.UUID(vehicle["id"]), VehicleUpdate(group_id=group), None)
            await session.commit()
        schedules = await _schedules(db, tenant, group, vehicles)
        orders = await _parts_and_orders(db, tenant, vehicles, schedules["oil"])
        predictions = await _predictions(db, tenant)
    finally:
        await db.dispose()
    return {
        "password": PASSWORD,
        "email": email,
        "vehicles": vehicles,
        "schedules": schedules,
        "work_orders": orders,
        "predictions": predictions,
    }


async def serve_until_stdin_closes() -> None:
    url = create_database()
    server: ServeProcess | None = None
    try:
        http_port = free_port()
        described = await seed(url)
        web_dir = Path(os.environ.get("FLEETYARD_WEB_DIR", REPO / "web" / "dist"))
        server = ServeProcess(
            role="all",
            database_url=url,
            http_port=http_port,
            log_dir=Path(tempfile.mkdtemp(prefix="fy-web-maintenance-")),
            settings={"web_dir": str(web_dir), "login_attempts_per_minute": "1000"},
        )
        await server.start()
        described["base_url"] = f"http://127.0.0.1:{http_port}"
        described["log"] = str(server.log_path)
        print(json.dumps(described), flush=True)
        await _wait_for_stdin_eof_or_sigterm()
    finally:
        if server is not None:
            await server.stop()
        drop_database(url)


if __name__ == "__main__":
    asyncio.run(serve_until_stdin_closes())
