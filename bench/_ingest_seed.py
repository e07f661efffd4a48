"""Trackers for the ingest benchmark: one tenant (through the services), then its vehicles,
devices and device identities by COPY as the owner (a superuser: COPY FROM refuses tables whose
row-level security applies to the caller)."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass

import asyncpg

from _fleet import VEHICLE_COLUMNS, vehicle_records
from _seed import BenchTenant, create_tenants, plain_url

DEVICE_COLUMNS = ("tenant_id", "id", "unique_id", "protocol", "vehicle_id")
IDENTITY_COLUMNS = ("unique_id", "tenant_id", "device_id")


@dataclass(frozen=True, slots=True)
class Trackers:
    tenant: BenchTenant
    streaming: list[str]  # IMEIs of devices fitted to a vehicle
    idle: list[str]  # IMEIs of spare devices (no vehicle) that only hold a connection


def imei_of(number: int) -> str:
    return f"35{number:013d}"


async def register_trackers(
    url: str,
    streaming: int,
    idle: int,
    seed: int,
    devices: list[tuple[str, str]] | None = None,
) -> Trackers:
    """``streaming`` vehicles each with a Teltonika device, plus ``idle`` spare devices;
    or, with ``devices`` ((unique id, protocol) each), one vehicle per given device."""
    started = time.perf_counter()
    [tenant] = await create_tenants(url, ["ingest"])
    rng = random.Random(seed)
    if devices is not None:
        streaming, idle = len(devices), 0
    vehicles = list(vehicle_records(tenant.id, [], streaming, rng))
    tenant.vehicle_ids = [row[1] for row in vehicles]  # type: ignore[misc]
    imeis = [d[0] for d in devices] if devices else [imei_of(n) for n in range(streaming + idle)]
    protocols = [d[1] for d in devices] if devices else ["teltonika"] * len(imeis)
    fitted = [*tenant.vehicle_ids, *([None] * idle)]
    device_ids = [uuid.uuid4() for _ in imeis]
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.copy_records_to_table("vehicles", records=vehicles, columns=VEHICLE_COLUMNS)
        await conn.copy_records_to_table(
            "devices",
            records=[
                (tenant.id, device_id, imei, protocol, vehicle_id)
                for device_id, imei, protocol, vehicle_id in zip(
                    device_ids, imeis, protocols, fitted, strict=True
                )
            ],
            columns=DEVICE_COLUMNS,
        )
        await conn.copy_records_to_table(
            "device_identities",
            records=[(imei, tenant.id, d) for imei, d in zip(imeis, device_ids, strict=True)],
            columns=IDENTITY_COLUMNS,
        )
        await conn.execute("analyze")
    finally:
        await conn.close()
    print(
        f"  1 tenant (services), {streaming:,} vehicles with a device + {idle:,} spare devices "
        f"(COPY): {time.perf_counter() - started:.1f} s"
    )
    return Trackers(tenant, imeis[:streaming], imeis[streaming:])


async def stored_positions(url: str, tenant: BenchTenant) -> tuple[int, int]:
    """(rows, distinct device + fix time) in the tenant's positions, as the owner."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        row = await conn.fetchrow(
            "select count(*) as n, count(distinct (device_id, fix_time)) as d "
            "from positions where tenant_id = $1",
            tenant.id,
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row["n"]), int(row["d"])
