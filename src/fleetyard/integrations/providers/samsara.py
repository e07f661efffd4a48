"""Samsara over its REST API (``https://api.samsara.com``), with a bearer API token.

``poll`` follows the vehicle stats feed (``GET /fleet/vehicles/stats/feed``): the first call
without ``after`` answers each vehicle's latest stats, every later call what changed since the
``endCursor`` it was given; ``hasNextPage`` says more is waiting now. Samsara takes up to three
stat types per request, so the stats we read are split into fixed groups of three, each its own
feed with its own cursor (one entry of our cursor each); engine stats ask for the ``gps``
decoration so each reading comes with where the vehicle was. ``vehicles`` lists
``/fleet/vehicles`` page by page; ``check`` counts them.

Failures are ``ProviderError`` in plain words: 401/403 credentials, 429 rate limited (with
``Retry-After``), 5xx / timeouts / refused connections unavailable, anything unreadable a bad
response. The API token goes in the ``Authorization`` header only: never in a URL, a message or
a log line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

import httpx
import orjson
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_validator

from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderClient,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.providers.samsara_stats import StatsCollector, VehicleMemory
from fleetyard.integrations.providers.vendor_http import fetch, parse_json, status_problem

log = logging.getLogger(__name__)

NAME: Final = "samsara"
VENDOR: Final = "Samsara"  # as people read it in messages
FEED_PATH: Final = "/fleet/vehicles/stats/feed"
VEHICLES_PATH: Final = "/fleet/vehicles"
MAX_BODY_BYTES: Final = 64 * 1024 * 1024  # a 50,000-record page is ~15 MB
MAX_VEHICLE_PAGES: Final = 1000  # 512 a page: half a million vehicles
DEFAULT_RETRY_AFTER_S: Final = 10.0
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_ID: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@dataclass(frozen=True, slots=True)
class FeedGroup:
    types: tuple[str, ...]  # at most three: Samsara's limit per request
    decorations: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return ",".join(self.types)


FEED_GROUPS: Final = (
    FeedGroup(("gps", "engineStates", "obdOdometerMeters")),
    FeedGroup(("engineCoolantTemperatureMilliC", "fuelPercents", "engineRpm"), ("gps",)),
    FeedGroup(("faultCodes", "obdEngineSeconds", "batteryMilliVolts"), ("gps",)),
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float = 10.0
    read_s: float = 30.0
    total_s: float = 60.0  # one request, from sending to the last byte of its answer


class SamsaraSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://api.samsara.com"),
        description="Samsara's API (https://api.eu.samsara.com for EU accounts).",
    )
    tag_ids: list[str] = Field(default_factory=list, max_length=100)
    parent_tag_ids: list[str] = Field(default_factory=list, max_length=100)
    page_size: int = Field(default=512, ge=1, le=512, description="Vehicles per list page.")

    @field_validator("base_url")
    @classmethod
    def _https_unless_loopback(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        # the token travels with every request: never in clear text beyond this machine
        if url.scheme != "https" and url.host not in _LOOPBACK:
            raise ValueError("Samsara's API is reached over https")
        return url

    @field_validator("tag_ids", "parent_tag_ids")
    @classmethod
    def _ids(cls, ids: list[str]) -> list[str]:
        if any(not _ID.fullmatch(tag) for tag in ids):
            raise ValueError("tag ids are Samsara's ids: letters, digits, '-', '_', '.', ':'")
        return ids


class SamsaraCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_token: SecretStr = Field(min_length=1, max_length=1024)


@dataclass(frozen=True, slots=True)
class FeedPage:
    records: list[Any]
    end_cursor: str | None
    has_next_page: bool


def read_page(body: object, what: str) -> FeedPage:
    """The ``data`` list and ``pagination`` of a list or feed answer; BAD_RESPONSE otherwise."""
    if not isinstance(body, dict):
        raise _bad(f"Samsara's {what} answer is not a JSON object")
    data, pagination = body.get("data"), body.get("pagination")
    if not isinstance(data, list):
        raise _bad(f"Samsara's {what} answer has no list of data")
    if pagination is None:
        return FeedPage(data, None, False)
    if not isinstance(pagination, dict):
        raise _bad(f"Samsara's {what} answer has an unreadable pagination")
    cursor, more = pagination.get("endCursor"), pagination.get("hasNextPage", False)
    if not isinstance(more, bool) or (cursor is not None and not isinstance(cursor, str)):
        raise _bad(f"Samsara's {what} answer has an unreadable pagination")
    if isinstance(cursor, str) and len(cursor) > 4096:
        raise _bad(f"Samsara's {what} answer has an unreadable pagination")
    return FeedPage(data, cursor or None, more)


@dataclass(slots=True)
class SamsaraClient:
    settings: SamsaraSettings
    credentials: SamsaraCredentials
    timeouts: Timeouts = field(default_factory=Timeouts)
    # per vehicle: the newest fix (where location-less readings were taken), the engine state
    memory: dict[str, VehicleMemory] = field(default_factory=dict)
    _http: httpx.AsyncClient | None = None

    async def check(self) -> CheckResult:
        count = len(await self.vehicles())
        noun = "vehicle" if count == 1 else "vehicles"
        return CheckResult(count, f"Samsara accepted the API token: {count} {noun} found")

    async def vehicles(self) -> Sequence[VendorVehicle]:
        found: dict[str, VendorVehicle] = {}
        after: str | None = None
        for _ in range(MAX_VEHICLE_PAGES):
            params = {"limit": str(self.settings.page_size), **self._filters()}
            if after:
                params["after"] = after
            page = read_page(await self._get(VEHICLES_PATH, params), "vehicle list")
            for record in page.records:
                vehicle = vendor_vehicle(record)
                if vehicle is not None:
                    found[vehicle.vendor_id] = vehicle
            if not page.has_next_page or not page.end_cursor or page.end_cursor == after:
                break
            after = page.end_cursor
        return list(found.values())

    async def poll(self, cursor: Cursor | None) -> PollResult:
        cursors = {g.key: cursor[g.key] for g in FEED_GROUPS if cursor and cursor.get(g.key)}
        collector = StatsCollector(self.memory)
        more = False
        for group in FEED_GROUPS:
            params = {"types": group.key, **self._filters()}
            if group.decorations:
                params["decorations"] = ",".join(group.decorations)
            if group.key in cursors:
                params["after"] = cursors[group.key]
            page = read_page(await self._get(FEED_PATH, params), "vehicle stats")
            collector.add_records(page.records)
            if page.end_cursor:
                cursors[group.key] = page.end_cursor
            more = more or page.has_next_page
        mapped = collector.finish()
        skipped = sum(mapped.skipped.values())
        if skipped:
            log.info("samsara records skipped", extra={"skipped": mapped.skipped})
        return PollResult(
            positions=mapped.positions,
            cursor=cursors,
            more=more,
            skipped=skipped,
            skipped_reasons=mapped.skipped,
            vendor_time=mapped.newest,
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _filters(self) -> dict[str, str]:
        filters = {}
        if self.settings.tag_ids:
            filters["tagIds"] = ",".join(self.settings.tag_ids)
        if self.settings.parent_tag_ids:
            filters["parentTagIds"] = ",".join(self.settings.parent_tag_ids)
        return filters

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            timeout = httpx.Timeout(
                self.timeouts.read_s, connect=self.timeouts.connect_s, pool=self.timeouts.connect_s
            )
            self._http = httpx.AsyncClient(
                base_url=str(self.settings.base_url).rstrip("/"),
                timeout=timeout,
                headers={
                    "Authorization": f"Bearer {self.credentials.api_token.get_secret_value()}",
                    "Accept": "application/json",
                },
                follow_redirects=False,  # a redirect would carry the token elsewhere
            )
        return self._http

    async def _get(self, path: str, params: Mapping[str, str]) -> object:
        reply = await fetch(
            VENDOR,
            self._client(),
            path,
            params=params,
            deadline_s=self.timeouts.total_s,
            max_body_bytes=MAX_BODY_BYTES,
        )
        if reply.ok:
            return parse_json(VENDOR, reply)
        if reply.status == 401:
            raise ProviderError(ProblemKind.CREDENTIALS_REJECTED, "Samsara refused the API token")
        if reply.status == 403:
            raise ProviderError(
                ProblemKind.CREDENTIALS_REJECTED,
                "Samsara's API token may not read vehicles and their statistics "
                "(give it the Read Vehicles and Read Vehicle Statistics scopes)",
            )
        raise status_problem(
            VENDOR,
            reply,
            said=self._vendor_message(reply.body),
            default_wait_s=DEFAULT_RETRY_AFTER_S,
        )

    def _vendor_message(self, body: bytes) -> str | None:
        """Samsara's own ``message``, printable, short, and never holding the token."""
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        message = document.get("message") if isinstance(document, dict) else None
        if not isinstance(message, str):
            return None
        token = self.credentials.api_token.get_secret_value()
        text = "".join(ch for ch in message if ch.isprintable())[:200]
        return text.replace(token, "***") if token in text else text or None


def vendor_vehicle(record: object) -> VendorVehicle | None:
    if not isinstance(record, dict):
        return None
    vendor_id = record.get("id")
    if isinstance(vendor_id, int) and not isinstance(vendor_id, bool):
        vendor_id = str(vendor_id)
    if not isinstance(vendor_id, str) or not vendor_id.strip() or len(vendor_id) > 64:
        return None
    external = record.get("externalIds")
    external = external if isinstance(external, dict) else {}
    return VendorVehicle(
        vendor_id=vendor_id.strip(),
        name=_text(record.get("name")),
        vin=_text(record.get("vin")) or _text(external.get("samsara.vin")),
        serial=_text(record.get("serial")) or _text(external.get("samsara.serial")),
        plate=_text(record.get("licensePlate")),
    )


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:200] if value else None


def _bad(message: str) -> ProviderError:
    return ProviderError(ProblemKind.BAD_RESPONSE, message)


class SamsaraProvider:
    name: ClassVar[str] = NAME
    settings_model: ClassVar[type[BaseModel]] = SamsaraSettings
    credentials_model: ClassVar[type[BaseModel]] = SamsaraCredentials

    def connect(self, settings: BaseModel, credentials: BaseModel) -> ProviderClient:
        if not isinstance(settings, SamsaraSettings):
            settings = SamsaraSettings.model_validate(settings.model_dump())
        if not isinstance(credentials, SamsaraCredentials):
            credentials = SamsaraCredentials(api_token=SecretStr(_secret(credentials)))
        return SamsaraClient(settings, credentials)


def _secret(credentials: BaseModel) -> str:
    token = getattr(credentials, "api_token", None)
    if isinstance(token, SecretStr):
        return token.get_secret_value()
    if isinstance(token, str):
        return token
    raise ProviderError(ProblemKind.CREDENTIALS_REJECTED, "No Samsara API token was given")


PROVIDER: Final = SamsaraProvider()
