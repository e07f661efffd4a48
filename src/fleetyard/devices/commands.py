"""Commands to a connected device (Teltonika Codec 12), answered with the device's reply.

The device must hold a live connection to *this* process's gateway (``--role all``); an API-only
process has none, so every command there answers 409 ``device_not_connected``. The command is
written to the event log (``device_command_sent``, with its text) in the request's transaction:
it is recorded when the device answers; a timeout rolls the request back, the record with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Annotated

from fastapi import Request
from pydantic import StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.devices.schemas import DeviceProtocol
from fleetyard.devices.service import DeviceService
from fleetyard.errors import Conflict, FleetyardError
from fleetyard.events.service import EventLog
from fleetyard.kit.schemas import Schema
from fleetyard.telematics.gateway.connection import DeviceConnection
from fleetyard.telematics.gateway.server import Gateway
from fleetyard.telematics.protocols.teltonika import encode_command

COMMAND_TIMEOUT_S = 20.0

CommandText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[ -~]+$")]
"""Printable ASCII: what a Codec 12 command carries (e.g. ``getinfo``, ``setdigout 1``)."""


class DeviceCommand(Schema):
    command: CommandText


class DeviceCommandResult(Schema):
    command: str
    response: str


class CommandNotSupported(Conflict):
    code = "command_not_supported"
    message = "Commands can be sent to Teltonika devices only."


class DeviceNotConnected(Conflict):
    code = "device_not_connected"
    message = "The device is not connected right now."


class DeviceTimeout(FleetyardError):
    status_code = 504
    code = "device_timeout"
    message = "The device did not answer in time."


def command_timeout() -> float:
    """Dependency: how long to wait for a device's answer (tests override it)."""
    return COMMAND_TIMEOUT_S


def live_gateway(request: Request) -> Gateway | None:
    """Dependency: this process's device gateway, if it runs one."""
    telematics = getattr(request.app.state, "telematics", None)
    gateway: Gateway | None = getattr(telematics, "gateway", None)
    return gateway


class DeviceCommandService:
    def __init__(
        self,
        session: AsyncSession,
        actor: Principal,
        gateway: Gateway | None,
        *,
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self.actor = actor
        self.devices = DeviceService(session, actor)
        self.events = EventLog(session, actor)
        self.gateway = gateway
        self.timeout_s = timeout_s

    async def send(self, device_id: uuid.UUID, command: str) -> DeviceCommandResult:
        device = await self.devices.get(device_id)
        if device.protocol != DeviceProtocol.TELTONIKA.value:
            raise CommandNotSupported(details={"protocol": device.protocol})
        connection = self._connection(device.unique_id)
        self.events.record("device", "command_sent", device.id, None, {"command": command})
        _drop_stale_replies(connection)
        try:
            await connection.send(encode_command(command))
            response = await asyncio.wait_for(connection.command_replies.get(), self.timeout_s)
        except TimeoutError as exc:
            raise DeviceTimeout(details={"timeout_s": self.timeout_s}) from exc
        except ConnectionError as exc:
            raise DeviceNotConnected() from exc
        return DeviceCommandResult(command=command, response=response)

    def _connection(self, unique_id: str) -> DeviceConnection:
        """The live, identified connection of this tenant's device with this hardware id."""
        connection = self.gateway.connections.get(unique_id) if self.gateway else None
        route = connection.route if connection else None
        if connection is None or route is None or route.tenant_id != self.actor.tenant_id:
            raise DeviceNotConnected()
        return connection


def _drop_stale_replies(connection: DeviceConnection) -> None:
    """Answers nobody waited for (an earlier command timed out) must not answer this one."""
    with contextlib.suppress(asyncio.QueueEmpty):
        while True:
            connection.command_replies.get_nowait()
