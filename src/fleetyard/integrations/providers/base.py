"""The contract between the integrations runner and a vendor adapter.

An adapter is built from a connection's validated settings and decrypted credentials, and
answers three questions: do these credentials work (``check``), which vehicles does the
account hold (``vehicles``), and what happened since a cursor (``poll``). It reads the vendor
only; storing, matching vendor vehicles to ours and saving the cursor are the runner's. The
runner stores a poll's records before it saves the poll's cursor, and storage is idempotent on
(tenant, device, fix time), so a crash between the two re-reads a page without duplicating it.

Every failure an adapter can meet is a ``ProviderError`` with a ``ProblemKind``, in plain
words a fleet manager can act on; a record that cannot be read is skipped and counted in
``PollResult.skipped``, never failing its page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from fleetyard.telematics.position import Position

Cursor = Mapping[str, str]  # opaque to the runner; JSON-serialisable; one per connection


class ProblemKind(StrEnum):
    CREDENTIALS_REJECTED = "credentials_rejected"  # 401/InvalidUser: a person must act
    RATE_LIMITED = "rate_limited"  # 429/OverLimit: wait retry_after_s
    UNAVAILABLE = "unavailable"  # timeouts, 5xx, connection refused: back off and retry
    BAD_RESPONSE = "bad_response"  # the vendor answered something we cannot read


class ProviderError(Exception):
    def __init__(
        self, kind: ProblemKind, message: str, *, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class VendorVehicle:
    """A vehicle (or tracker) as the vendor knows it: matched to ours by VIN, else by serial
    or name; ``vendor_id`` is what its positions carry as ``Position.unique_id``."""

    vendor_id: str
    name: str | None = None
    vin: str | None = None
    serial: str | None = None
    plate: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``check`` found with working credentials, said to the person who entered them."""

    vehicles: int
    message: str


@dataclass(slots=True)
class PollResult:
    """Positions since the cursor given (``unique_id`` = the vendor vehicle's ``vendor_id``,
    ``protocol`` = the provider's name, readings under the keys of
    ``fleetyard.telematics.attributes``), the cursor to resume from, and whether the vendor
    has more right now (the runner polls again at once instead of waiting)."""

    positions: list[Position]
    cursor: dict[str, str]
    more: bool = False
    skipped: int = 0  # records the vendor sent that could not be read
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    vendor_time: Any = None  # the newest record time the vendor reported (lag), if known


class ProviderClient(Protocol):
    async def check(self) -> CheckResult: ...

    async def vehicles(self) -> Sequence[VendorVehicle]: ...

    async def poll(self, cursor: Cursor | None) -> PollResult: ...

    async def close(self) -> None: ...


class ProviderSpec(Protocol):
    """What the integrations API needs of a provider: the shapes of its settings and of its
    credentials (validated on create and patch, 422 on anything else), and how to connect."""

    name: ClassVar[str]
    settings_model: ClassVar[type[BaseModel]]
    credentials_model: ClassVar[type[BaseModel]]

    def connect(self, settings: BaseModel, credentials: BaseModel) -> ProviderClient: ...
