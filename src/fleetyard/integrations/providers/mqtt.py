"""MQTT: positions pushed by a broker on a topic filter, acknowledged after they commit.

MQTT has no cursor to poll from: the broker holds what we have not acknowledged. So the
runner drives this adapter through ``consume(deliver)``: messages are parsed and batched,
``deliver(batch)`` returns once the pipeline committed the batch, and only then are the
batch's QoS 1 messages acknowledged (PUBACK, in the order received, as MQTT requires). The
session is persistent (clean session off, a stable client id), so whatever was not
acknowledged when a process died, or a commit failed, the broker sends again on reconnect.

A message that yields no position is skipped, counted by reason, logged once per reason,
and acknowledged with its batch (sending it again would not make it readable).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import ssl
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Final, Literal

import aiomqtt
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.providers.mqtt_payloads import (
    PayloadFormat,
    PayloadRejected,
    parse_message,
)
from fleetyard.telematics.position import Position

log = logging.getLogger(__name__)
_paho_log = logging.getLogger(f"{__name__}.paho")  # paho's own debug lines, apart from ours

Deliver = Callable[[list[Position]], Awaitable[None]]  # returns once the batch is committed
OnState = Callable[[ProviderError | None], None]  # None: connected and subscribed

CONNECT_TIMEOUT_S: Final = 15.0
MAX_SEEN_DEVICES: Final = 10_000  # vehicles() lists at most this many device ids
_REFUSED_CREDENTIALS: Final = frozenset({4, 5, 134, 135})  # v3.1.1 CONNACK 4/5, v5 0x86/0x87


class MqttSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\[\]_-]+$")
    port: int = Field(1883, ge=1, le=65535)
    topic_filter: str = Field(min_length=1, max_length=1024)
    payload_format: PayloadFormat = PayloadFormat.AUTO
    tls: bool = False
    # Stable per connection, so the broker keeps our session; derived from the settings if
    # left out. Two consumers with one client id take the session from each other.
    client_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    qos: Literal[0, 1] = 1

    @field_validator("topic_filter")
    @classmethod
    def _valid_filter(cls, value: str) -> str:
        try:
            aiomqtt.Wildcard(value)
        except ValueError as exc:
            raise ValueError("not a valid MQTT topic filter") from exc
        if "\x00" in value:
            raise ValueError("not a valid MQTT topic filter")
        return value


class MqttCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(None, min_length=1, max_length=256)
    password: SecretStr | None = Field(None, max_length=1024)

    @model_validator(mode="after")
    def _password_needs_username(self) -> MqttCredentials:
        if self.password is not None and self.username is None:
            raise ValueError("a password needs a username (MQTT sends none without one)")
        return self


@dataclass(slots=True)
class _Backoff:
    first_s: float = 0.5
    cap_s: float = 30.0
    _next_s: float = field(default=0.0, init=False)

    def reset(self) -> None:
        self._next_s = 0.0

    def next_delay(self) -> float:
        self._next_s = min(self.cap_s, max(self.first_s, self._next_s * 2))
        return self._next_s


class _BrokerTrouble(Exception):
    """A broker problem met by this module's own I/O (not by ``deliver``): carries the
    plain-words ``ProviderError`` to report and back off on."""

    def __init__(self, problem: ProviderError) -> None:
        super().__init__(problem.message)
        self.problem = problem


class MqttClient:
    """One connection's consumer. ``skipped`` counts unreadable messages by reason."""

    def __init__(self, settings: MqttSettings, credentials: MqttCredentials) -> None:
        self.settings = settings
        self._credentials = credentials
        self.client_id = settings.client_id or _derived_client_id(settings, credentials)
        self.skipped: Counter[str] = Counter()
        self._seen: dict[str, None] = {}  # insertion-ordered set of device ids

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    async def check(self) -> CheckResult:
        """Connect and subscribe once, with a throwaway clean session (a check must not take
        the running consumer's persistent session from it)."""
        try:
            async with self._session(f"{self.client_id}-check", persistent=False):
                pass
        except _BrokerTrouble as trouble:
            raise trouble.problem from None
        return CheckResult(
            vehicles=len(self._seen),
            message=f"connected, subscribed to {self.settings.topic_filter}",
        )

    async def vehicles(self) -> Sequence[VendorVehicle]:
        return [VendorVehicle(vendor_id=device_id) for device_id in self._seen]

    async def poll(self, cursor: Cursor | None) -> PollResult:
        """MQTT is pushed, not polled: the runner calls ``consume``. A poll has nothing to
        return, and its cursor stays empty (the broker keeps our place)."""
        return PollResult(positions=[], cursor={})

    async def close(self) -> None:
        """Each ``check`` and ``consume`` closes its own connection."""

    async def consume(
        self,
        deliver: Deliver,
        *,
        batch_max: int = 500,
        batch_delay_s: float = 0.05,
        on_state: OnState | None = None,
    ) -> None:
        """Run until cancelled: receive, parse, batch, ``await deliver(batch)``, then ack.

        A lost or refused connection is retried with backoff (0.5 s doubling to 30 s), each
        problem reported through ``on_state`` and a reconnect through ``on_state(None)``; an
        outage is logged as a warning once, its retries at info.
        Rejected credentials end it with ``ProviderError(CREDENTIALS_REJECTED)``: a person
        must act. An exception from ``deliver`` ends it too, with nothing of that batch
        acknowledged, so the broker sends it again to the next consumer of this session.
        """
        backoff = _Backoff()
        outage = False  # its first problem is a warning; the retries say nothing new
        while True:
            try:
                async with self._session(self.client_id, persistent=True) as client:
                    backoff.reset()
                    if outage:
                        log.info("mqtt broker reachable again", extra={"broker": self._where})
                    outage = False
                    if on_state is not None:
                        on_state(None)
                    await self._pump(client, deliver, batch_max, batch_delay_s)
            except _BrokerTrouble as trouble:
                problem = trouble.problem
                if problem.kind is ProblemKind.CREDENTIALS_REJECTED:
                    raise problem from None
                problem.retry_after_s = backoff.next_delay()
                (log.info if outage else log.warning)(
                    "mqtt broker problem, retrying",
                    extra={"broker": self._where, "problem": problem.message},
                )
                outage = True
                if on_state is not None:
                    on_state(problem)
                await asyncio.sleep(problem.retry_after_s)

    async def _pump(
        self, client: aiomqtt.Client, deliver: Deliver, batch_max: int, batch_delay_s: float
    ) -> None:
        while True:
            messages = await self._next_batch(client, batch_max, batch_delay_s)
            positions = self._positions(messages)
            if positions:
                await deliver(positions)
            # Only now: the batch is durable. paho's manual ack sends the PUBACK (QoS 1).
            for message in messages:
                client._client.ack(message.mid, message.qos)

    async def _next_batch(
        self, client: aiomqtt.Client, batch_max: int, batch_delay_s: float
    ) -> list[aiomqtt.Message]:
        """The first message waits as long as it takes; then up to ``batch_max`` within
        ``batch_delay_s``. Messages are only taken when queued, never by a read that a
        timeout could cancel after it dequeued one (that message would be lost unacked)."""
        messages = client.messages
        batch = [await self._receive(messages)]
        deadline = time.monotonic() + batch_delay_s
        while len(batch) < batch_max:
            if len(messages) > 0:
                batch.append(await self._receive(messages))
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(min(remaining, 0.005))
        return batch

    async def _receive(self, messages: aiomqtt.client.MessagesIterator) -> aiomqtt.Message:
        try:
            return await anext(messages)
        except aiomqtt.MqttError as exc:
            raise _BrokerTrouble(
                ProviderError(
                    ProblemKind.UNAVAILABLE, f"lost the connection to the broker at {self._where}"
                )
            ) from exc

    def _positions(self, messages: list[aiomqtt.Message]) -> list[Position]:
        received_at = datetime.now(UTC)
        positions: list[Position] = []
        for message in messages:
            payload = message.payload
            if not isinstance(payload, bytes | bytearray):
                payload = b""
            try:
                parsed = parse_message(
                    message.topic.value,
                    bytes(payload),
                    self.settings.payload_format,
                    received_at=received_at,
                )
            except PayloadRejected as rejected:
                self._count_skipped(rejected, message.topic.value)
                continue
            for position in parsed:
                self._remember(position.unique_id)
            positions.extend(parsed)
        return positions

    def _count_skipped(self, rejected: PayloadRejected, topic: str) -> None:
        self.skipped[rejected.reason] += 1
        if self.skipped[rejected.reason] == 1:  # once per kind: a chatty device floods no log
            log.warning(
                "mqtt message skipped",
                extra={"reason": rejected.reason, "detail": rejected.detail, "topic": topic[:200]},
            )

    def _remember(self, device_id: str) -> None:
        if device_id not in self._seen and len(self._seen) < MAX_SEEN_DEVICES:
            self._seen[device_id] = None

    @contextlib.asynccontextmanager
    async def _session(self, client_id: str, *, persistent: bool) -> AsyncIterator[aiomqtt.Client]:
        """Connected and subscribed, or ``_BrokerTrouble`` in plain words."""
        client = aiomqtt.Client(
            self.settings.host,
            self.settings.port,
            username=self._credentials.username,
            password=_secret(self._credentials.password),
            identifier=client_id,
            clean_session=not persistent,
            timeout=CONNECT_TIMEOUT_S,
            tls_context=ssl.create_default_context() if self.settings.tls else None,
            logger=_paho_log,
        )
        client._client.manual_ack_set(True)  # aiomqtt 2.x has no switch for it: paho's own
        try:
            await client.__aenter__()  # times out by itself (``timeout``): MqttError
        except aiomqtt.MqttError as exc:
            raise _BrokerTrouble(self._connect_problem(exc)) from exc
        try:
            await self._subscribe(client)
            yield client
        finally:
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    await client.__aexit__(None, None, None)

    async def _subscribe(self, client: aiomqtt.Client) -> None:
        topic = self.settings.topic_filter
        try:
            granted = await client.subscribe(topic, qos=self.settings.qos)
        except (aiomqtt.MqttError, TimeoutError) as exc:
            raise _BrokerTrouble(
                ProviderError(
                    ProblemKind.UNAVAILABLE, f"the broker at {self._where} did not confirm {topic}"
                )
            ) from exc
        if any(int(_code(code)) >= 0x80 for code in granted):
            raise _BrokerTrouble(
                ProviderError(
                    ProblemKind.CREDENTIALS_REJECTED,
                    f"the broker at {self._where} refused the subscription to {topic} "
                    "(is this user allowed to read it?)",
                )
            )

    def _connect_problem(self, exc: aiomqtt.MqttError) -> ProviderError:
        if isinstance(exc, aiomqtt.MqttCodeError) and _code(exc.rc) in _REFUSED_CREDENTIALS:
            return ProviderError(
                ProblemKind.CREDENTIALS_REJECTED,
                f"the broker at {self._where} refused the username or password",
            )
        reason = str(exc) or type(exc).__name__
        return ProviderError(
            ProblemKind.UNAVAILABLE,
            f"could not connect to the MQTT broker at {self._where} ({reason[:200]})",
        )


def _code(value: object) -> int:
    """A CONNACK/SUBACK code as a number, whether paho gave an int or a ReasonCode."""
    number = getattr(value, "value", value)
    return number if isinstance(number, int) else -1


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


def _derived_client_id(settings: MqttSettings, credentials: MqttCredentials) -> str:
    identity = f"{settings.host}:{settings.port}|{settings.topic_filter}|{credentials.username}"
    return "fleetyard-" + hashlib.sha256(identity.encode()).hexdigest()[:16]


class MqttProvider:
    name: ClassVar[str] = "mqtt"
    settings_model: ClassVar[type[BaseModel]] = MqttSettings
    credentials_model: ClassVar[type[BaseModel]] = MqttCredentials

    def connect(self, settings: BaseModel, credentials: BaseModel) -> MqttClient:
        if not isinstance(settings, MqttSettings):
            settings = MqttSettings.model_validate(settings.model_dump())
        if not isinstance(credentials, MqttCredentials):
            credentials = MqttCredentials.model_validate(credentials.model_dump())
        return MqttClient(settings, credentials)


PROVIDER: Final = MqttProvider()
