"""Real local servers the notifications reach: an SMTP server (``aiosmtpd``) keeping what it
receives, and a Web Push service (the webhooks' tiny HTTP receiver) keeping what is pushed."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """The aiosmtpd handler: every message accepted, parsed, kept in arrival order."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    # aiosmtpd serves from its own thread and event loop
    _changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._changed:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    @staticmethod
    def text(message: Message) -> str:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def _wait(self, count: int, within_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.messages) >= count, within_s)

    async def wait_for(self, count: int, within_s: float = 15.0) -> list[Message]:
        if not await asyncio.to_thread(self._wait, count, within_s):
            raise TimeoutError(f"{len(self.messages)} of {count} e-mails within {within_s} s")
        return self.messages


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
