"""Verizon Connect Reveal (the Fleetmatics Integration Manager REST APIs) over httpx.

Auth: ``GET /token`` with HTTP Basic integration credentials answers a token valid 20
minutes; every other call carries ``Authorization: Atmosphere atmosphere_app_id=<app id>,
Bearer <token>``. The token is cached, fetched again 2 minutes before it expires, and once
more on a 401; a second 401 is a credential problem a person must fix.

Vehicles come from the Customer Meta Data API (``/cmd/v1/vehicles``, or per vehicle group
``/cmd/v1/vehicles/group?groupid=…``); positions from the Real-time Aggregated Data API's GPS
history of each vehicle (``/rad/v1/vehicles/{number}/status/history``) between the vehicle's
last emitted fix (kept in the cursor) and now, so a poll never emits a fix twice.
See docs/integrations-verizon.md for why these endpoints and what is uncertain.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, Literal
from urllib.parse import quote

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderClient,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.providers.vendor_http import (
    VendorReply,
    fetch,
    parse_json,
    status_problem,
)
from fleetyard.integrations.providers.verizon_records import (
    PROTOCOL,
    RecordRejected,
    SpeedUnit,
    lowered,
    position_from_record,
    record_time,
    vehicle_from_record,
)
from fleetyard.telematics.position import Position

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://fim.api.us.fleetmatics.com"
TOKEN_LIFETIME_S: Final = 20 * 60  # documented
TOKEN_REFRESH_MARGIN_S: Final = 2 * 60
HISTORY_MAX_DAYS: Final = 29  # the API refuses a history window of 30 days or more
MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
DEFAULT_RETRY_AFTER_S: Final = 60.0
VENDOR: Final = "Verizon Connect"  # as people read it in messages
_LIST_WRAPPERS: Final = ("vehicles", "items", "data", "results")
_VEHICLE_KEY_PREFIX: Final = "v:"
_OFFSET_KEY: Final = "offset"

GroupId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class VerizonConnectSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: AnyHttpUrl = AnyHttpUrl(DEFAULT_BASE_URL)  # fim.api.eu.fleetmatics.com in Europe
    vehicle_groups: list[GroupId] = Field(default_factory=list, max_length=100)  # empty: all
    page_size: int = Field(default=500, ge=1, le=10_000)  # fixes per vehicle per poll
    vehicles_per_poll: int = Field(default=100, ge=1, le=5_000)
    speed_unit: Literal["auto", "mph", "kmh"] = "auto"  # auto: mph on the US host
    initial_lookback_minutes: int = Field(default=60, ge=1, le=HISTORY_MAX_DAYS * 24 * 60)
    max_window_hours: int = Field(default=24, ge=1, le=HISTORY_MAX_DAYS * 24)
    request_timeout_s: float = Field(default=30.0, gt=0, le=300)
    max_concurrent_requests: int = Field(default=4, ge=1, le=16)
    vehicle_list_ttl_s: float = Field(default=600.0, ge=0, le=86_400)


class VerizonConnectCredentials(BaseModel):
    """The Reveal integration user (REST username and password, sent only to ``/token``) and
    the Integration Manager app id that rides on every data call."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=256)
    password: SecretStr = Field(min_length=1, max_length=256)
    app_id: str = Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._\-]+$")


@dataclass(slots=True)
class _VehiclePage:
    positions: list[Position] = field(default_factory=list)
    newest_fix: datetime | None = None
    resume_after: datetime | None = None  # the vehicle's next cursor, when it moves
    full: bool = False
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _token_from_body(text: str) -> str:
    """The token ``/token`` answered: documented as plain text, seen quoted or wrapped in JSON."""
    body = text.strip()
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            fields = lowered(parsed)
            body = next(
                (
                    v
                    for k in ("token", "access_token", "accesstoken")
                    if isinstance(v := fields.get(k), str)
                ),
                "",
            )
    body = body.strip().strip('"')
    if not body or len(body) > 16_384 or not body.isascii() or any(c.isspace() for c in body):
        raise ProviderError(
            ProblemKind.BAD_RESPONSE,
            "Verizon Connect's token service answered something unreadable.",
        )
    return body


def _list_in(payload: Any, what: str) -> list[Any]:
    if isinstance(payload, dict):
        fields = lowered(payload)
        payload = next(
            (fields[k] for k in _LIST_WRAPPERS if isinstance(fields.get(k), list)), payload
        )
    if not isinstance(payload, list):
        raise ProviderError(
            ProblemKind.BAD_RESPONSE, f"Verizon Connect answered {what} that is not a list."
        )
    return payload


class VerizonConnectClient:
    def __init__(
        self,
        settings: VerizonConnectSettings,
        credentials: VerizonConnectCredentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], datetime] = _utcnow,
        token_lifetime_s: float = TOKEN_LIFETIME_S,
        token_refresh_margin_s: float = TOKEN_REFRESH_MARGIN_S,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        base_url = str(settings.base_url).rstrip("/")
        timeout = settings.request_timeout_s
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            transport=transport,
        )
        self._speed_unit: SpeedUnit = (
            settings.speed_unit
            if settings.speed_unit != "auto"
            else ("kmh" if ".eu." in base_url else "mph")
        )
        self._clock = clock
        self._utcnow = utcnow
        self._token_lifetime_s = token_lifetime_s
        self._token_refresh_margin_s = token_refresh_margin_s
        self._max_response_bytes = max_response_bytes
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()
        self._requests = asyncio.Semaphore(settings.max_concurrent_requests)
        self._vehicle_numbers: list[str] | None = None
        self._vehicle_numbers_at = 0.0

    # ---- the ProviderClient protocol ----

    async def check(self) -> CheckResult:
        vehicles = await self.vehicles()
        scope = (
            f"vehicle groups {', '.join(self._settings.vehicle_groups)}"
            if self._settings.vehicle_groups
            else "the account"
        )
        return CheckResult(
            vehicles=len(vehicles),
            message=f"Signed in to Verizon Connect: {len(vehicles)} vehicles in {scope}.",
        )

    async def vehicles(self) -> Sequence[VendorVehicle]:
        if self._settings.vehicle_groups:
            paths = [
                ("/cmd/v1/vehicles/group", {"groupid": group})
                for group in self._settings.vehicle_groups
            ]
        else:
            paths = [("/cmd/v1/vehicles", {})]
        found: dict[str, VendorVehicle] = {}
        skipped = 0
        for path, params in paths:
            payload = await self._get_json(path, params)
            for record in _list_in(payload, "a vehicle list"):
                try:
                    vehicle = vehicle_from_record(record)
                except RecordRejected as rejected:
                    skipped += 1
                    logger.warning("verizon_connect: vehicle record skipped (%s)", rejected.reason)
                    continue
                found.setdefault(vehicle.vendor_id, vehicle)
        self._vehicle_numbers = sorted(found)
        self._vehicle_numbers_at = self._clock()
        return [found[number] for number in sorted(found)]

    async def poll(self, cursor: Cursor | None) -> PollResult:
        now = self._utcnow().replace(microsecond=0)
        numbers = await self._numbers_to_poll()
        last_seen, offset = self._read_cursor(cursor or {}, numbers)
        if offset >= len(numbers):
            offset = 0
        batch = numbers[offset : offset + self._settings.vehicles_per_poll]
        # every vehicle's request ends (each has its deadline) before a failure is raised, so
        # no request of this poll outlives it
        outcomes = await asyncio.gather(
            *(self._poll_vehicle(number, last_seen.get(number), now) for number in batch),
            return_exceptions=True,
        )
        pages: list[_VehiclePage] = []
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
            pages.append(outcome)
        result = PollResult(positions=[], cursor={})
        newest: datetime | None = None
        for number, page in zip(batch, pages, strict=True):
            result.positions.extend(page.positions)
            result.more = result.more or page.full
            for reason, count in page.skipped.items():
                result.skipped += count
                result.skipped_reasons[reason] = result.skipped_reasons.get(reason, 0) + count
            if page.resume_after is not None:
                last_seen[number] = page.resume_after
            if page.newest_fix is not None:
                newest = page.newest_fix if newest is None else max(newest, page.newest_fix)
        next_offset = offset + len(batch)
        if next_offset < len(numbers):
            result.more = True  # the rest of the fleet is still to be read this round
        else:
            next_offset = 0
        result.cursor = {f"{_VEHICLE_KEY_PREFIX}{n}": _iso_full(t) for n, t in last_seen.items()}
        result.cursor[_OFFSET_KEY] = str(next_offset)
        result.vendor_time = newest
        return result

    async def close(self) -> None:
        await self._http.aclose()

    # ---- polling ----

    async def _numbers_to_poll(self) -> list[str]:
        stale = self._clock() - self._vehicle_numbers_at >= self._settings.vehicle_list_ttl_s
        if self._vehicle_numbers is None or stale:
            await self.vehicles()
        return list(self._vehicle_numbers or [])

    @staticmethod
    def _read_cursor(cursor: Cursor, numbers: list[str]) -> tuple[dict[str, datetime], int]:
        """Per-vehicle last fix times (vehicles no longer polled are dropped) and where the
        round through the fleet stands; an unreadable entry reads as absent, which at worst
        re-reads fixes that storage already holds."""
        wanted = set(numbers)
        last_seen: dict[str, datetime] = {}
        for key, value in cursor.items():
            number = key.removeprefix(_VEHICLE_KEY_PREFIX)
            if key.startswith(_VEHICLE_KEY_PREFIX) and number in wanted:
                try:
                    moment = datetime.fromisoformat(value)
                except (TypeError, ValueError):
                    continue
                if moment.tzinfo is not None:
                    last_seen[number] = moment.astimezone(UTC)
        raw_offset = str(cursor.get(_OFFSET_KEY, "0"))
        offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < 10 else 0
        return last_seen, offset

    async def _poll_vehicle(
        self, number: str, since: datetime | None, now: datetime
    ) -> _VehiclePage:
        settings = self._settings
        oldest_allowed = now - timedelta(days=HISTORY_MAX_DAYS)
        start = since or now - timedelta(minutes=settings.initial_lookback_minutes)
        start = max(start.replace(microsecond=0), oldest_allowed)
        end = min(now, start + timedelta(hours=settings.max_window_hours))
        page = _VehiclePage(full=end < now)
        if end <= start:
            return page
        payload = await self._get_json(
            f"/rad/v1/vehicles/{quote(number, safe='')}/status/history",
            {"startdatetimeutc": _iso(start), "enddatetimeutc": _iso(end)},
            tolerate=(400, 404),  # a vehicle outside the data plan or gone: not the whole poll
        )
        if payload is None:
            page.skip("vehicle_refused")
            return page
        # Each record under its time; a rejected one too, so it is counted once and the
        # cursor passes it (one without a readable time is counted whenever it is seen).
        entries: list[tuple[datetime, Position | str]] = []
        for record in _list_in(payload, "a GPS history"):
            try:
                position = position_from_record(record, number, self._speed_unit)
            except RecordRejected as rejected:
                moment = _time_of(record)
                if moment is None:
                    page.skip(rejected.reason)
                else:
                    entries.append((moment, rejected.reason))
                continue
            entries.append((position.fix_time, position))
        entries = sorted(
            (entry for entry in entries if since is None or entry[0] > since), key=lambda e: e[0]
        )
        if len(entries) > settings.page_size:
            entries, page.full = entries[: settings.page_size], True
        for _, item in entries:
            if isinstance(item, str):
                page.skip(item)
            else:
                page.positions.append(item)
        if entries:
            page.resume_after = entries[-1][0]
        elif end < now:
            # nothing in a capped window: move on so a long gap is crossed window by window
            page.resume_after = end
        if page.positions:
            page.newest_fix = page.positions[-1].fix_time
        return page

    # ---- HTTP ----

    async def _token_value(self, *, stale: str | None = None) -> str:
        async with self._token_lock:
            fresh = self._clock() < self._token_expires_at - self._token_refresh_margin_s
            if self._token is not None and fresh and self._token != stale:
                return self._token
            user = self._credentials.username
            secret = self._credentials.password.get_secret_value()
            basic = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
            reply = await self._send(
                "/token", {}, {"Authorization": f"Basic {basic}", "Accept": "text/plain"}
            )
            if reply.status in (401, 403):
                raise ProviderError(
                    ProblemKind.CREDENTIALS_REJECTED,
                    "Verizon Connect refused the integration username or password.",
                )
            self._raise_for_status(reply, "/token")
            if reply.looks_like_html:
                raise ProviderError(
                    ProblemKind.BAD_RESPONSE, "Verizon Connect's token service answered a web page."
                )
            self._token = _token_from_body(reply.body.decode("utf-8", errors="replace"))
            self._token_expires_at = self._clock() + self._token_lifetime_s
            logger.info("verizon_connect: new API token")
            return self._token

    async def _get_json(
        self, path: str, params: dict[str, str], *, tolerate: tuple[int, ...] = ()
    ) -> Any:
        token = await self._token_value()
        for attempt in range(2):
            authorization = (
                f"Atmosphere atmosphere_app_id={self._credentials.app_id}, Bearer {token}"
            )
            reply = await self._send(
                path, params, {"Authorization": authorization, "Accept": "application/json"}
            )
            status = reply.status
            if status == 401 and attempt == 0:
                token = await self._token_value(stale=token)  # expired early: one fresh token
                continue
            if status in (401, 403):
                raise ProviderError(
                    ProblemKind.CREDENTIALS_REJECTED,
                    f"Verizon Connect refused the credentials or app id for {_api_name(path)} "
                    f"(HTTP {status}); check that the app has access to this API.",
                )
            if status in tolerate:
                return None
            self._raise_for_status(reply, path)
            return parse_json(VENDOR, reply, where=_api_name(path))
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_for_status(self, reply: VendorReply, path: str) -> None:
        if not reply.ok:
            raise status_problem(
                VENDOR, reply, where=_api_name(path), default_wait_s=DEFAULT_RETRY_AFTER_S
            )

    async def _send(
        self, path: str, params: dict[str, str], headers: dict[str, str]
    ) -> VendorReply:
        async with self._requests:
            return await fetch(
                VENDOR,
                self._http,
                path,
                params=params,
                headers=headers,
                deadline_s=self._settings.request_timeout_s * 2,  # a trickling answer ends too
                max_body_bytes=self._max_response_bytes,
                where=_api_name(path),
            )


def _time_of(record: Any) -> datetime | None:
    if not isinstance(record, dict) or not all(isinstance(k, str) for k in record):
        return None
    try:
        return record_time(lowered(record))
    except RecordRejected:
        return None


def _iso_full(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _api_name(path: str) -> str:
    """The endpoint as said in an error: its path without vehicle numbers or query."""
    parts = path.split("?")[0].strip("/").split("/")
    if len(parts) >= 4 and parts[:3] == ["rad", "v1", "vehicles"]:
        parts[3] = "{vehicle}"
    return "/" + "/".join(parts)


class VerizonConnectProvider:
    name: ClassVar[str] = PROTOCOL
    settings_model: ClassVar[type[BaseModel]] = VerizonConnectSettings
    credentials_model: ClassVar[type[BaseModel]] = VerizonConnectCredentials

    def connect(self, settings: BaseModel, credentials: BaseModel) -> ProviderClient:
        if not isinstance(settings, VerizonConnectSettings) or not isinstance(
            credentials, VerizonConnectCredentials
        ):
            raise TypeError("Verizon Connect needs its own settings and credentials models")
        return VerizonConnectClient(settings, credentials)


PROVIDER = VerizonConnectProvider()
