"""The ports the demo listens on, checked before anything starts: a taken one ends the demo
with one line naming the port and the setting that moves it."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from fleetyard.config import Settings
from fleetyard.demo.failures import DemoFailed


class PortTaken(DemoFailed):
    pass


@dataclass(frozen=True, slots=True)
class ListenPort:
    host: str
    port: int
    serves: str  # who connects: "HTTP API", "Teltonika devices"
    setting: str  # what moves it
    udp: bool = False  # also a UDP port (Teltonika)


def demo_ports(settings: Settings, http_port: int) -> list[ListenPort]:
    """The fixed ports the demo will bind (0 picks a free one and needs no check)."""
    gateway = settings.gateway_host
    wanted = [
        ListenPort(settings.http_host, http_port, "HTTP API", "--port or FLEETYARD_HTTP_PORT"),
        *(
            ListenPort(
                gateway, port, f"{name} devices", f"FLEETYARD_{key}_PORT", udp=key == "TELTONIKA"
            )
            for name, key, port in (
                ("Teltonika", "TELTONIKA", settings.teltonika_port),
                ("GT06", "GT06", settings.gt06_port),
                ("H02", "H02", settings.h02_port),
                ("OsmAnd", "OSMAND", settings.osmand_port),
            )
            if port
        ),
    ]
    return [p for p in wanted if p.port]


def check_ports(ports: list[ListenPort]) -> None:
    """Raise ``PortTaken`` for the first port we could not listen on."""
    for wanted in ports:
        kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM) if wanted.udp else (socket.SOCK_STREAM,)
        for kind in kinds:
            problem = bind_problem(wanted.host, wanted.port, kind)
            if problem is not None:
                protocol = "UDP" if kind == socket.SOCK_DGRAM else "TCP"
                raise PortTaken(
                    f"{protocol} port {wanted.port} ({wanted.serves}) {problem}: "
                    f"stop what uses it or choose another with {wanted.setting}"
                )


def bind_problem(host: str, port: int, kind: socket.SocketKind) -> str | None:
    """Why binding ``host:port`` would fail (as asyncio binds: SO_REUSEADDR for TCP)."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=kind)[0]
    except OSError as exc:
        return f"has an address we cannot resolve ({exc.strerror})"
    with socket.socket(family, kind) as sock:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return "is in use" if exc.errno == errno.EADDRINUSE else f"is refused ({exc.strerror})"
    return None
