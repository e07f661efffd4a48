"""A fake MyGeotab: a real HTTP server on 127.0.0.1 speaking Geotab's JSON-RPC
(``POST /apiv1`` with ``{"method", "params"}``), built from the documented payloads.

It signs in (``Authenticate``, answering a ``path`` when told to send callers to another
server), checks every call's session, ends sessions on demand (``InvalidUserException``),
serves each data feed from versions (``GetFeed`` with ``fromVersion``/``toVersion`` and
``resultsLimit``), ``Get`` of diagnostics, failure modes, devices and device status,
``GetCountOf`` and ``ExecuteMultiCall``. Faults are queued: the next call answers a Geotab
error (``OverLimitException`` …), an HTML page, malformed JSON, or hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VENDOR = Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "vendors" / "geotab"
DATABASE = "demo_fleet"
USERNAME = "integration@example.com"
PASSWORD = "Geotab-test-pass-9d2e"


def vendor_json(name: str) -> Any:
    return json.loads((VENDOR / f"{name}.json").read_text())


def version(number: int) -> str:
    return f"{number:016x}"


class RpcError(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["error"]["message"])
        self.body = body


def geotab_error(name: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "code": -32000,
            "data": {"id": "00000000-0000-0000-0000-000000000009", "type": name},
            "name": "JSONRPCError",
            "errors": [{"message": message, "name": name}],
        },
        "jsonrpc": "2.0",
    }


@dataclass
class Fault:
    """The next call's answer instead of the real one."""

    rpc: dict[str, Any] | None = None  # a JSON-RPC error body
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    hang_s: float = 0.0


def _documented_devices() -> list[dict[str, Any]]:
    return [
        {
            "id": "b1",
            "name": "Truck 12",
            "serialNumber": "G9A1B2C3D4E5",
            "vehicleIdentificationNumber": "1FTFW1ET5DFC10312",
            "licensePlate": "ABCD 123",
        },
        {"id": "b2C", "name": "Van 3", "serialNumber": "G9F6E5D4C3B2"},
        {"id": "b3", "name": "Tractor 7", "serialNumber": "G9000000B3"},
    ]


@dataclass
class FakeGeotab:
    feeds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # type → records
    diagnostics: list[dict[str, Any]] = field(
        default_factory=lambda: vendor_json("get_diagnostic_response")["result"]
    )
    failure_modes: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "aSYNTHfmi0xxxxxxxxxxxx", "code": 0, "name": "High"}]
    )
    devices: list[dict[str, Any]] = field(default_factory=_documented_devices)
    device_status: list[dict[str, Any]] = field(default_factory=list)
    path: str = "ThisServer"  # what Authenticate answers
    sessions: set[str] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # port, method
    bodies: list[bytes] = field(default_factory=list)  # every request as sent
    _issued: int = 0

    @classmethod
    def documented(cls) -> FakeGeotab:
        def data(name: str) -> list[dict[str, Any]]:
            return list(vendor_json(name)["result"]["data"])

        return cls(
            feeds={
                "LogRecord": data("getfeed_logrecord_response"),
                "StatusData": data("getfeed_statusdata_response"),
                "FaultData": data("getfeed_faultdata_response"),
            }
        )

    def fail_next(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def expire_sessions(self) -> None:
        self.sessions.clear()

    def methods(self, name: str) -> list[dict[str, Any]]:
        return [params for _, method, params in self.calls if method == name]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/apiv1", self._rpc, methods=["POST"])])

    async def _rpc(self, request: Request) -> Response:
        raw = await request.body()
        self.bodies.append(raw)
        request_body = json.loads(raw)
        method, params = request_body["method"], request_body.get("params") or {}
        self.calls.append((request.url.port or 0, method, params))
        if self.faults:
            fault = self.faults.pop(0)
            if fault.hang_s:
                await asyncio.sleep(fault.hang_s)
            if fault.rpc is not None:
                return JSONResponse(fault.rpc)
            return Response(fault.body, fault.status, media_type=fault.content_type)
        try:
            return JSONResponse({"result": self._answer(method, params), "jsonrpc": "2.0"})
        except RpcError as error:
            return JSONResponse(error.body)

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "Authenticate":
            return self._authenticate(params)
        credentials = params.get("credentials") or {}
        if credentials.get("sessionId") not in self.sessions:
            raise RpcError(vendor_json("error_invalid_user"))
        return self._method(method, params)

    def _method(self, method: str, params: dict[str, Any]) -> Any:
        if method == "ExecuteMultiCall":
            return [self._method(c["method"], c.get("params") or {}) for c in params["calls"]]
        if method == "GetFeed":
            return self._feed(params)
        if method == "Get":
            return self._get(params)
        if method == "GetCountOf" and params.get("typeName") == "Device":
            return len(self.devices)
        raise RpcError(geotab_error("MissingMethodException", f"No method {method}"))

    def _authenticate(self, params: dict[str, Any]) -> dict[str, Any]:
        if (params.get("database"), params.get("userName"), params.get("password")) != (
            DATABASE,
            USERNAME,
            PASSWORD,
        ):
            raise RpcError(vendor_json("error_invalid_user"))
        self._issued += 1
        session = f"SYNTHETIC-SESSION-{self._issued:04d}"
        self.sessions.add(session)
        answer = vendor_json("authenticate_response")["result"]
        answer["credentials"]["sessionId"] = session
        answer["path"] = self.path
        return answer

    def _feed(self, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("resultsLimit", 50_000)
        if limit > 50_000:
            raise RpcError(vendor_json("error_results_limit"))
        records = self.feeds.get(params["typeName"], [])
        start = int(params["fromVersion"], 16) if params.get("fromVersion") else 0
        page = copy.deepcopy(records[start : start + limit])
        return {"data": page, "toVersion": version(start + len(page))}

    def _get(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        type_name, search = params["typeName"], params.get("search") or {}
        table = {
            "Diagnostic": self.diagnostics,
            "FailureMode": self.failure_modes,
            "Device": self.devices,
            "DeviceStatusInfo": self.device_status,
        }.get(type_name)
        if table is None:
            raise RpcError(geotab_error("ArgumentException", f"Unknown type {type_name}"))
        if "deviceSearch" in search:
            wanted = search["deviceSearch"]["id"]
            return [copy.deepcopy(e) for e in table if e["device"]["id"] == wanted]
        if "id" in search:
            return [copy.deepcopy(e) for e in table if e["id"] == search["id"]]
        return copy.deepcopy(table)


@contextlib.asynccontextmanager
async def serving(fake: FakeGeotab) -> AsyncIterator[str]:
    """The fake on a free port of 127.0.0.1, in this event loop; yields ``host:port``."""
    config = uvicorn.Config(
        fake.app(), host="127.0.0.1", port=0, log_config=None, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "the fake Geotab did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
