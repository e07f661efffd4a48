"""A fake MyGeotab for the providers benchmark: a fleet of GO devices driving along, served as
full GetFeed pages over Geotab's JSON-RPC on 127.0.0.1. Run as its own process, so building
and encoding its pages never takes CPU from the event loop being measured:

    .venv/bin/python bench/fake_geotab_feed.py --fleet FLEET.json --pages 40 [--page-size 5000]

``FLEET.json`` lists the devices (``id``, ``name``, ``vin``, ``plate``, ``serial``). Once
listening it prints ``READY <port>``; ``GET /stats`` answers what it served.

Speaks what the adapter calls: ``Authenticate`` (the user, password and database given),
``Get`` of Device, Diagnostic, FailureMode and DeviceStatusInfo, ``GetCountOf`` Device, and
``ExecuteMultiCall`` of ``GetFeed`` for LogRecord, StatusData and FaultData. Feed version
``v`` (hex, like Geotab's) is page ``v``: built the first time it is asked for, stamped with
that moment (every record's ``dateTime`` is when the answer was made, so a subscriber can time
vendor answer → map), and kept, so a page read again (a poll whose cursor was not saved) is the
same page. Page ``v`` holds one LogRecord per device (each moved on from its last fix at its own
speed and heading), ``--page-size`` StatusData (odometer, coolant from the J1939 bus, fuel
level and engine speed, four readings for a quarter of the fleet in turn) and a few FaultData
(OBD-II P0420, J1939 SPN 110 FMI 0), all at the fix's instant. After ``--pages`` pages every
feed is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from fleetyard.kit.geo import MPS_TO_KMH, step

DATABASE = "bench_fleet"
USERNAME = "bench@example.com"
PASSWORD = "Geotab-bench-pass-51c7"  # noqa: S105 - a fake's own password
FEEDS = ("LogRecord", "StatusData", "FaultData")
SESSION = "BENCH-SESSION-0001"
KEEP_PAGES = 4  # pages kept for a re-read behind the newest
HELSINKI = (60.1699, 24.9384)

# Diagnostics as Get Diagnostic answers them: the J1939 coolant reading and the two faults.
COOLANT_J1939 = "aBENCHspn110coolant000"
FAULT_OBD = "aBENCHobdP0420catalyst"
FAULT_J1939 = "aBENCHspn110fault00000"
FAILURE_MODE = "aBENCHfmi0high00000000"
DIAGNOSTICS = [
    {
        "id": COOLANT_J1939,
        "code": 110,
        "source": "SourceJ1939Id",
        "unitOfMeasure": "UnitOfMeasureDegreesCelsiusId",
        "controller": "ControllerNoneId",
        "diagnosticType": "SuspectParameter",
        "name": "Engine coolant temperature",
    },
    {
        "id": FAULT_OBD,
        "code": 1056,
        "source": "SourceObdId",
        "unitOfMeasure": "UnitOfMeasureNoneId",
        "controller": {"id": "ControllerObdPowertrainId"},
        "diagnosticType": "ObdFault",
        "name": "Catalyst System Efficiency Below Threshold (Bank 1)",
    },
    {
        "id": FAULT_J1939,
        "code": 110,
        "source": "SourceJ1939Id",
        "unitOfMeasure": "UnitOfMeasureDegreesCelsiusId",
        "controller": "ControllerNoneId",
        "diagnosticType": "SuspectParameter",
        "name": "Engine coolant temperature",
    },
]
FAILURE_MODES = [{"id": FAILURE_MODE, "code": 0, "name": "High"}]


def version(number: int) -> str:
    return f"{number:016x}"


def geotab_time(moment: float) -> str:
    """Geotab's UTC ``dateTime``, to the millisecond."""
    stamp = datetime.fromtimestamp(moment, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def rpc_error(name: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "code": -32000,
            "name": "JSONRPCError",
            "errors": [{"message": message, "name": name}],
        },
        "jsonrpc": "2.0",
    }


@dataclass(slots=True)
class Vehicle:
    """One GO device's vehicle: where it is, where it heads, what its engine reads."""

    device: str
    latitude: float
    longitude: float
    heading: float  # radians from north
    speed_kmh: float
    odometer_m: float
    fuel_pct: float
    coolant_c: float
    at: float | None = None  # when its last fix was taken

    def drive(self, moment: float, rng: random.Random) -> None:
        seconds = 0.0 if self.at is None else max(moment - self.at, 0.0)
        self.at = moment
        if rng.random() < 0.05:  # a turn, a new pace
            self.heading += rng.uniform(-0.6, 0.6)
            self.speed_kmh = min(max(self.speed_kmh + rng.uniform(-15, 15), 0.0), 110.0)
        metres = self.speed_kmh / MPS_TO_KMH * seconds
        self.latitude, self.longitude = step(
            self.latitude, self.longitude, math.degrees(self.heading), metres
        )
        self.odometer_m += metres
        self.fuel_pct = max(self.fuel_pct - metres * 0.00002, 5.0)
        self.coolant_c = min(max(self.coolant_c + rng.uniform(-0.3, 0.3), 70.0), 104.0)

    def rpm(self) -> float:
        return 650.0 if self.speed_kmh < 1 else 900.0 + self.speed_kmh * 14.0


class FeedFake:
    def __init__(self, fleet: list[dict[str, Any]], pages: int, page_size: int, seed: int):
        self.fleet = fleet
        self.pages = pages
        self.page_size = page_size
        self.rng = random.Random(seed)
        self.vehicles = [self._place(entry["id"]) for entry in fleet]
        self.built: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self.served: set[tuple[str, int]] = set()
        self.record_ids = 0
        # what was served, for the bench (GET /stats)
        self.first_page_at: float | None = None
        self.last_page_at: float | None = None
        self.pages_built = 0
        self.pages_read_again = 0
        self.records = dict.fromkeys(FEEDS, 0)
        self.fixes = 0  # (device, instant) pairs served: the positions to expect
        self.calls: dict[str, int] = {}

    def _place(self, device: str) -> Vehicle:
        rng = self.rng
        return Vehicle(
            device=device,
            latitude=HELSINKI[0] + rng.uniform(-0.15, 0.15),
            longitude=HELSINKI[1] + rng.uniform(-0.3, 0.3),
            heading=rng.uniform(0, 2 * math.pi),
            speed_kmh=rng.choice((0.0, 30.0, 50.0, 60.0, 80.0)),
            odometer_m=rng.uniform(5e6, 4e8),
            fuel_pct=rng.uniform(20, 100),
            coolant_c=rng.uniform(80, 95),
        )

    # -- pages ------------------------------------------------------------------------

    def page(self, number: int, type_name: str) -> list[dict[str, Any]]:
        if (type_name, number) in self.served:
            self.pages_read_again += 1  # a poll whose cursor was not saved, read again
        self.served.add((type_name, number))
        return self._page(number)[type_name]

    def _page(self, number: int) -> dict[str, list[dict[str, Any]]]:
        page = self.built.get(number)
        if page is not None:
            return page
        page = self._build(number)
        self.built[number] = page
        for old in [n for n in self.built if n < number - KEEP_PAGES]:
            del self.built[old]
        return page

    def _build(self, number: int) -> dict[str, list[dict[str, Any]]]:
        moment = time.time()
        when = geotab_time(moment)
        rng = self.rng
        logs: list[dict[str, Any]] = []
        for vehicle in self.vehicles:
            vehicle.drive(moment, rng)
            logs.append(
                {
                    "dateTime": when,
                    "device": {"id": vehicle.device},
                    "id": self._next_id(),
                    "latitude": round(vehicle.latitude, 7),
                    "longitude": round(vehicle.longitude, 7),
                    "speed": round(vehicle.speed_kmh, 1),
                }
            )
        status: list[dict[str, Any]] = []
        readers = max(self.page_size // 4, 1)
        first = number * readers
        for offset in range(readers):
            vehicle = self.vehicles[(first + offset) % len(self.vehicles)]
            for diagnostic, value in (
                ("DiagnosticOdometerAdjustmentId", round(vehicle.odometer_m, 1)),
                (COOLANT_J1939, round(vehicle.coolant_c, 1)),
                ("DiagnosticFuelLevelId", round(vehicle.fuel_pct, 2)),
                ("DiagnosticEngineSpeedId", round(vehicle.rpm(), 0)),
            ):
                status.append(self._reading(vehicle.device, when, diagnostic, value))
        faults = [
            self._fault(rng.choice(self.vehicles).device, when, n % 2 == 0)
            for n in range(max(self.page_size // 200, 1))
        ]
        self.pages_built += 1
        self.records["LogRecord"] += len(logs)
        self.records["StatusData"] += len(status)
        self.records["FaultData"] += len(faults)
        self.fixes += len(logs)  # every reading and fault is at one of these fixes' instant
        self.first_page_at = self.first_page_at or moment
        self.last_page_at = moment
        return {"LogRecord": logs, "StatusData": status, "FaultData": faults}

    def _next_id(self) -> str:
        self.record_ids += 1
        return f"b{self.record_ids:X}"

    def _reading(self, device: str, when: str, diagnostic: str, value: float) -> dict[str, Any]:
        return {
            "controller": "ControllerNoneId",
            "data": value,
            "dateTime": when,
            "device": {"id": device},
            "diagnostic": {"id": diagnostic},
            "id": self._next_id(),
        }

    def _fault(self, device: str, when: str, obd: bool) -> dict[str, Any]:
        fault: dict[str, Any] = {
            "dateTime": when,
            "device": {"id": device},
            "id": self._next_id(),
            "faultState": "Active",
            "count": 1,
            "amberWarningLamp": not obd,
            "malfunctionLamp": obd,
            "redStopLamp": False,
            "protectWarningLamp": False,
        }
        if obd:
            fault |= {
                "diagnostic": {"id": FAULT_OBD},
                "controller": {"id": "ControllerObdPowertrainId"},
                "failureMode": "NoFailureModeId",
            }
        else:
            fault |= {
                "diagnostic": {"id": FAULT_J1939},
                "controller": "ControllerNoneId",
                "failureMode": {"id": FAILURE_MODE},
            }
        return fault

    # -- JSON-RPC ---------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "Authenticate":
            if (params.get("database"), params.get("userName"), params.get("password")) != (
                DATABASE,
                USERNAME,
                PASSWORD,
            ):
                raise RpcError("InvalidUserException", "Incorrect login credentials")
            return {
                "credentials": {"database": DATABASE, "sessionId": SESSION, "userName": USERNAME},
                "path": "ThisServer",
            }
        if (params.get("credentials") or {}).get("sessionId") != SESSION:
            raise RpcError("InvalidUserException", "Incorrect login credentials")
        return self._method(method, params)

    def _method(self, method: str, params: dict[str, Any]) -> Any:
        if method == "ExecuteMultiCall":
            return [self._method(c["method"], c.get("params") or {}) for c in params["calls"]]
        if method == "GetFeed":
            return self._feed(params)
        if method == "Get":
            return self._get(params)
        if method == "GetCountOf":
            return len(self.fleet)
        raise RpcError("MissingMethodException", f"No method {method}")

    def _feed(self, params: dict[str, Any]) -> dict[str, Any]:
        type_name = params["typeName"]
        if type_name not in FEEDS:
            raise RpcError("ArgumentException", f"No feed of {type_name}")
        number = int(params["fromVersion"], 16) if params.get("fromVersion") else 0
        if number >= self.pages:
            return {"data": [], "toVersion": version(number)}
        return {"data": self.page(number, type_name), "toVersion": version(number + 1)}

    def _get(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        type_name, search = params["typeName"], params.get("search") or {}
        if type_name == "Device":
            devices = [
                {
                    "id": entry["id"],
                    "name": entry["name"],
                    "serialNumber": entry["serial"],
                    "vehicleIdentificationNumber": entry["vin"] or "",
                    "licensePlate": entry["plate"],
                }
                for entry in self.fleet
            ]
            if "id" in search:
                return [d for d in devices if d["id"] == search["id"]]
            return devices[: params.get("resultsLimit") or len(devices)]
        table = {"Diagnostic": DIAGNOSTICS, "FailureMode": FAILURE_MODES}.get(type_name)
        if type_name == "DeviceStatusInfo":
            wanted = (search.get("deviceSearch") or {}).get("id")
            vehicle = next((v for v in self.vehicles if v.device == wanted), None)
            if vehicle is None or vehicle.at is None:
                return []
            return [
                {
                    "device": {"id": vehicle.device},
                    "latitude": vehicle.latitude,
                    "longitude": vehicle.longitude,
                    "dateTime": geotab_time(vehicle.at),
                }
            ]
        if table is None:
            raise RpcError("ArgumentException", f"Unknown type {type_name}")
        if "id" in search:
            return [e for e in table if e["id"] == search["id"]]
        return list(table)

    def stats(self) -> dict[str, Any]:
        return {
            "first_page_at": self.first_page_at,
            "last_page_at": self.last_page_at,
            "pages_built": self.pages_built,
            "pages_read_again": self.pages_read_again,
            "records": self.records,
            "fixes": self.fixes,
            "calls": self.calls,
        }


class RpcError(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.body = rpc_error(name, message)


def application(fake: FeedFake) -> web.Application:
    async def rpc(request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        try:
            result: Any = {
                "result": fake.answer(body["method"], body.get("params") or {}),
                "jsonrpc": "2.0",
            }
        except RpcError as error:
            result = error.body
        return web.Response(body=orjson.dumps(result), content_type="application/json")

    async def stats(_: web.Request) -> web.Response:
        return web.Response(body=orjson.dumps(fake.stats()), content_type="application/json")

    app = web.Application(client_max_size=16 * 2**20)
    app.router.add_post("/apiv1", rpc)
    app.router.add_get("/stats", stats)
    return app


async def serve(fake: FeedFake, port: int) -> None:
    runner = web.AppRunner(application(fake), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {bound}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fleet", type=Path, required=True, help="the devices, as JSON")
    parser.add_argument("--pages", type=int, default=40, help="full pages before the feed ends")
    parser.add_argument("--page-size", type=int, default=5000, help="StatusData per page")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    fleet = orjson.loads(args.fleet.read_bytes())
    asyncio.run(serve(FeedFake(fleet, args.pages, args.page_size, args.seed), args.port))


if __name__ == "__main__":
    main()
