"""Geotab (MyGeotab) through its official Python client, ``mygeotab``, on its asyncio API.

Sign-in: ``Authenticate`` once with user name, password and database, then every call carries
the session (user name, database, session id), cached for the life of the client; Geotab may
answer that the database lives on another server (``path``), which every later call then goes
to. When Geotab stops accepting the session (``InvalidUserException``: it expired or was
revoked) the client signs in again at most once per call, and never more than
``MAX_SIGN_INS`` times a minute (Geotab limits sign-ins per user and locks out on repeated
failures), so refused credentials become ``CREDENTIALS_REJECTED`` instead of a storm.

``poll`` reads three data feeds (``GetFeed`` of LogRecord, StatusData and FaultData) in one
``ExecuteMultiCall``, each from its own ``toVersion`` (one entry of our cursor each; a feed
without one starts ``backfill_hours`` ago). A full page (``resultsLimit`` records) means more
is waiting: ``PollResult.more``. Diagnostics and failure modes named by the records are
resolved with ``Get`` and cached; devices with readings and no fix get one from
``DeviceStatusInfo`` (see ``geotab_records``). ``vehicles`` is ``Get Device``; ``check``
counts devices (``GetCountOf``).

Failures are ``ProviderError`` in plain words: refused sign-in, ``OverLimitException`` (rate
limited, waiting the quota's period), timeouts and unreachable servers, answers that are not
Geotab's JSON-RPC. The password is sent in ``Authenticate`` only, and is never in a message,
a log line or the client's repr.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, TypeVar
from urllib.parse import urlsplit

import aiohttp
from mygeotab.api_async import API, server_call_async  # type: ignore[import-untyped]
from mygeotab.exceptions import (  # type: ignore[import-untyped]
    AuthenticationException,
    MyGeotabException,
    TimeoutException,
)
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderClient,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.providers.geotab_records import (
    DeviceMemory,
    DiagnosticInfo,
    Fix,
    RecordCollector,
    Unreadable,
    diagnostic_ids,
    diagnostic_info,
    failure_mode_ids,
    number,
    parse_time,
    reference_id,
)

log = logging.getLogger(__name__)

NAME: Final = "geotab"
FEED_TYPES: Final = ("LogRecord", "StatusData", "FaultData")
MAX_RESULTS: Final = 50_000  # Geotab's own maximum per call
MAX_SIGN_INS: Final = 3  # per SIGN_IN_WINDOW_S and client; Geotab admits 10 a minute per user
SIGN_IN_WINDOW_S: Final = 60.0
LOOKUPS_PER_CALL: Final = 100  # Get calls in one ExecuteMultiCall
MAX_LOOKUPS_PER_POLL: Final = 1000
MAX_CACHED: Final = 20_000
DEFAULT_RETRY_AFTER_S: Final = 60.0
MAX_RETRY_AFTER_S: Final = 3600.0
_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_HOST: Final = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_VERSION: Final = re.compile(r"^[0-9A-Za-z]{1,64}$")
_QUOTA_PERIOD: Final = re.compile(r"per\s+(\d{1,5})\s*([smhd])\b", re.IGNORECASE)
_PERIOD_S: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}

T = TypeVar("T")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_url(server: str, *, scheme: str = "https") -> str:
    """``my.geotab.com``, ``https://my3.geotab.com`` or ``…/apiv1`` → the JSON-RPC endpoint.
    Plain http only to this machine (the tests' fake): the session travels with every call."""
    text = server.strip()
    url = urlsplit(text if "://" in text else f"{scheme}://{text}")
    try:
        host, port = url.hostname, url.port
    except ValueError:
        raise ValueError("the Geotab server's port is not a number") from None
    if url.scheme not in {"https", "http"} or not host:
        raise ValueError("the Geotab server is a host name such as my.geotab.com")
    if url.username or url.password or url.query or url.fragment:
        raise ValueError("the Geotab server is a host name such as my.geotab.com")
    if url.path.rstrip("/") not in {"", "/apiv1"}:
        raise ValueError("the Geotab server is a host name such as my.geotab.com")
    loopback = _is_loopback(host)
    if not loopback and not _HOST.fullmatch(host):
        raise ValueError("the Geotab server is a host name such as my.geotab.com")
    if url.scheme == "http" and not loopback:
        raise ValueError("Geotab is reached over https")
    shown = f"[{host}]" if ":" in host else host
    return f"{url.scheme}://{shown}{f':{port}' if port else ''}/apiv1"


def followed_endpoint(current: str, path: str) -> str:
    """Where ``Authenticate``'s ``path`` sends later calls: another server of the same Geotab
    domain (``my.geotab.com`` → ``my37.geotab.com``), never anywhere else."""
    if path == "ThisServer":
        return current
    here = urlsplit(current)
    there = urlsplit(endpoint_url(path, scheme=here.scheme))
    host, new_host = here.hostname or "", there.hostname or ""
    if _is_loopback(host):
        allowed = _is_loopback(new_host)
    else:
        labels = host.split(".")
        parent = ".".join(labels[1:]) if len(labels) > 2 else host
        allowed = new_host == host or new_host.endswith(f".{parent}")
    if not allowed:
        raise _bad("Geotab sent the session to a server outside its own domain")
    return there.geturl()


class GeotabSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    server: str = Field(
        default="my.geotab.com",
        max_length=300,
        description="MyGeotab's server; my.geotab.com finds the database's own server.",
    )
    database: str = Field(min_length=1, max_length=100, description="The MyGeotab database.")
    results_limit: int = Field(
        default=5000, ge=1, le=MAX_RESULTS, description="Records per feed and call."
    )
    backfill_hours: float = Field(
        default=1.0, ge=0, le=168, description="How far back a new connection starts."
    )

    @field_validator("server")
    @classmethod
    def _server(cls, server: str) -> str:
        endpoint_url(server)
        return server.strip()

    @field_validator("database")
    @classmethod
    def _database(cls, database: str) -> str:
        database = database.strip()
        if not database or not database.isprintable():
            raise ValueError("the database is the name MyGeotab shows, e.g. demo_fleet")
        return database


class GeotabCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=200)
    password: SecretStr = Field(min_length=1, max_length=1024)


@dataclass(frozen=True, slots=True)
class Timeouts:
    total_s: float = 60.0  # one call, from sending to the last byte of its answer


@dataclass(frozen=True, slots=True)
class GeotabSession:
    """The cached sign-in: what every call carries instead of the password."""

    endpoint: str
    username: str
    database: str
    session_id: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class FeedPage:
    records: list[Any]
    to_version: str


def read_feed_page(answer: object, type_name: str) -> FeedPage:
    if not isinstance(answer, dict):
        raise _bad(f"Geotab's {type_name} feed answer is not an object")
    records, version = answer.get("data"), answer.get("toVersion")
    if not isinstance(records, list):
        raise _bad(f"Geotab's {type_name} feed answer has no list of data")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise _bad(f"Geotab's {type_name} feed answer has no readable toVersion")
    return FeedPage(records, version)


@dataclass(slots=True)
class GeotabClient:
    settings: GeotabSettings
    credentials: GeotabCredentials = field(repr=False)
    timeouts: Timeouts = field(default_factory=Timeouts)
    # per device its newest fix; the diagnostics and failure modes looked up (None: unknown)
    memory: dict[str, DeviceMemory] = field(default_factory=dict, repr=False)
    diagnostics: dict[str, DiagnosticInfo | None] = field(default_factory=dict, repr=False)
    failure_modes: dict[str, int | None] = field(default_factory=dict, repr=False)
    sign_ins: int = 0  # Authenticate calls made, for the connection's health
    _session: GeotabSession | None = field(default=None, repr=False)
    _sign_in_times: deque[float] = field(default_factory=deque, repr=False)

    # -- the contract ---------------------------------------------------------------------

    async def check(self) -> CheckResult:
        count = await self._call("GetCountOf", typeName="Device")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _bad("Geotab's device count is not a number")
        noun = "device" if count == 1 else "devices"
        return CheckResult(
            count,
            f"Geotab accepted the sign-in to {self.settings.database}: {count} {noun} found",
        )

    async def vehicles(self) -> Sequence[VendorVehicle]:
        answer = await self._call("Get", typeName="Device", resultsLimit=MAX_RESULTS, search={})
        if not isinstance(answer, list):
            raise _bad("Geotab's device list is not a list")
        found: dict[str, VendorVehicle] = {}
        for entity in answer:
            vehicle = vendor_vehicle(entity)
            if vehicle is not None:
                found[vehicle.vendor_id] = vehicle
        return list(found.values())

    async def poll(self, cursor: Cursor | None) -> PollResult:
        versions = {
            name: cursor[name]
            for name in FEED_TYPES
            if cursor and isinstance(cursor.get(name), str) and _VERSION.fullmatch(cursor[name])
        }
        calls = [
            {"method": "GetFeed", "params": self._feed_params(name, versions.get(name))}
            for name in FEED_TYPES
        ]
        answer = await self._call("ExecuteMultiCall", calls=calls)
        if not isinstance(answer, list) or len(answer) != len(FEED_TYPES):
            raise _bad("Geotab's feed answer does not hold the three feeds asked for")
        logs, status, faults = (
            read_feed_page(page, name) for page, name in zip(answer, FEED_TYPES, strict=True)
        )
        await self._resolve(status.records, faults.records)
        collector = RecordCollector(self.memory)
        collector.add_log_records(logs.records)
        collector.add_status_data(status.records, self.diagnostics)
        collector.add_fault_data(faults.records, self.diagnostics, self.failure_modes)
        missing = collector.devices_without_fix()
        if missing:
            await self._seed_fixes(missing)
        mapped = collector.finish()
        skipped = sum(mapped.skipped.values())
        if skipped:
            log.info("geotab records skipped", extra={"skipped": mapped.skipped})
        limit = self.settings.results_limit
        return PollResult(
            positions=mapped.positions,
            cursor={
                name: page.to_version
                for name, page in zip(FEED_TYPES, (logs, status, faults), strict=True)
            },
            more=any(len(page.records) >= limit for page in (logs, status, faults)),
            skipped=skipped,
            skipped_reasons=mapped.skipped,
            vendor_time=mapped.newest,
        )

    async def close(self) -> None:
        self._session = None  # each call of the client opens and closes its own connection

    # -- feeds and lookups ----------------------------------------------------------------

    def _feed_params(self, type_name: str, version: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "typeName": type_name,
            "resultsLimit": self.settings.results_limit,
        }
        if version is not None:
            params["fromVersion"] = version
        else:
            start = datetime.now(UTC) - timedelta(hours=self.settings.backfill_hours)
            params["search"] = {"fromDate": start.isoformat().replace("+00:00", "Z")}
        return params

    async def _resolve(self, status: list[Any], faults: list[Any]) -> None:
        wanted = diagnostic_ids(status, all_of_them=False) | diagnostic_ids(
            faults, all_of_them=True
        )
        new = sorted(wanted - self.diagnostics.keys())[:MAX_LOOKUPS_PER_POLL]
        if new:
            found = await self._lookup("Diagnostic", new)
            _bounded(self.diagnostics)
            for ident in new:
                self.diagnostics[ident] = diagnostic_info(found.get(ident))
        modes = sorted(failure_mode_ids(faults) - self.failure_modes.keys())[:MAX_LOOKUPS_PER_POLL]
        if modes:
            found = await self._lookup("FailureMode", modes)
            _bounded(self.failure_modes)
            for ident in modes:
                self.failure_modes[ident] = _failure_mode_code(found.get(ident))

    async def _seed_fixes(self, devices: list[str]) -> None:
        """The last place Geotab knows of devices that sent readings and no fix yet."""
        found = await self._lookup(
            "DeviceStatusInfo", devices[:MAX_LOOKUPS_PER_POLL], by="deviceSearch"
        )
        for device, status in found.items():
            if not isinstance(status, dict):
                continue
            try:
                latitude, longitude = (
                    number(status.get("latitude")),
                    number(status.get("longitude")),
                )
                moment = parse_time(status.get("dateTime"))
            except Unreadable:
                continue
            if (
                -90 <= latitude <= 90
                and -180 <= longitude <= 180
                and (latitude, longitude) != (0, 0)
            ):
                self.memory.setdefault(device, DeviceMemory()).remember(
                    moment, Fix(latitude, longitude)
                )

    async def _lookup(
        self, type_name: str, ids: list[str], *, by: str | None = None
    ) -> dict[str, object]:
        """``Get`` of each id (or of each device's entity, ``by`` its search), batched in
        multi-calls; an id Geotab doesn't know, or won't look up, maps to None."""
        found: dict[str, object] = {}
        for start in range(0, len(ids), LOOKUPS_PER_CALL):
            chunk = ids[start : start + LOOKUPS_PER_CALL]
            calls = [
                {
                    "method": "Get",
                    "params": {
                        "typeName": type_name,
                        "search": {by: {"id": ident}} if by else {"id": ident},
                        "resultsLimit": 1,
                    },
                }
                for ident in chunk
            ]
            try:
                answer = await self._call("ExecuteMultiCall", calls=calls)
            except ProviderError as problem:
                if problem.kind is not ProblemKind.BAD_RESPONSE:
                    raise
                log.info("geotab lookup refused", extra={"type_name": type_name})
                continue
            if not isinstance(answer, list) or len(answer) != len(chunk):
                continue
            for ident, entities in zip(chunk, answer, strict=True):
                if isinstance(entities, list) and entities:
                    found[ident] = entities[0]
        return found

    # -- calls, sign-in and errors --------------------------------------------------------

    async def _call(self, method: str, **params: Any) -> object:
        """One call on the cached session; signs in first if there is none, and again (once)
        when Geotab no longer accepts it."""
        signed_in_again = False
        while True:
            session = self._session or await self._sign_in()
            api = API(
                session.username,
                session_id=session.session_id,
                database=session.database,
                server=session.endpoint,
            )
            try:
                return await self._bounded(api.call_async(method, **params))
            except (AuthenticationException, MyGeotabException) as problem:
                expired = isinstance(problem, AuthenticationException) or (
                    problem.name == "InvalidUserException"
                )
                if not expired:
                    raise self._translate(problem) from None
                self._session = None
                if signed_in_again:
                    raise self._refused() from None
                signed_in_again = True
            except ProviderError:
                raise
            except Exception as problem:  # every client failure is translated
                raise self._translate(problem) from None

    async def _sign_in(self) -> GeotabSession:
        self._hold_back_sign_ins()
        endpoint = endpoint_url(self.settings.server)
        self.sign_ins += 1
        try:
            answer = await self._bounded(
                server_call_async(
                    "Authenticate",
                    endpoint,
                    timeout=self.timeouts.total_s,
                    database=self.settings.database,
                    userName=self.credentials.username,
                    password=self.credentials.password.get_secret_value(),
                )
            )
        except MyGeotabException as problem:
            if problem.name in {"InvalidUserException", "DbUnavailableException"}:
                raise self._refused() from None
            raise self._translate(problem) from None
        except ProviderError:
            raise
        except Exception as problem:  # every client failure is translated
            raise self._translate(problem) from None
        self._session = self._read_sign_in(answer, endpoint)
        log.info(
            "geotab signed in",
            extra={"database": self.settings.database, "server": self._session.endpoint},
        )
        return self._session

    def _read_sign_in(self, answer: object, endpoint: str) -> GeotabSession:
        granted = answer.get("credentials") if isinstance(answer, dict) else None
        path = answer.get("path") if isinstance(answer, dict) else None
        session_id = granted.get("sessionId") if isinstance(granted, dict) else None
        if not isinstance(session_id, str) or not session_id or not isinstance(path, str):
            raise _bad("Geotab's sign-in answer holds no session")
        assert isinstance(granted, dict)
        database, username = granted.get("database"), granted.get("userName")
        return GeotabSession(
            endpoint=followed_endpoint(endpoint, path),
            username=username if isinstance(username, str) else self.credentials.username,
            database=database if isinstance(database, str) else self.settings.database,
            session_id=session_id,
        )

    def _hold_back_sign_ins(self) -> None:
        now = time.monotonic()
        while self._sign_in_times and now - self._sign_in_times[0] > SIGN_IN_WINDOW_S:
            self._sign_in_times.popleft()
        if len(self._sign_in_times) >= MAX_SIGN_INS:
            wait = SIGN_IN_WINDOW_S - (now - self._sign_in_times[0])
            raise ProviderError(
                ProblemKind.RATE_LIMITED,
                f"Geotab keeps ending the session: signing in again in {wait:.0f} s "
                "(Geotab limits sign-ins)",
                retry_after_s=max(wait, 1.0),
            )
        self._sign_in_times.append(now)

    async def _bounded(self, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.timeouts.total_s):
                return await call
        except TimeoutError:
            raise ProviderError(ProblemKind.UNAVAILABLE, "Geotab did not answer in time") from None

    def _refused(self) -> ProviderError:
        return ProviderError(
            ProblemKind.CREDENTIALS_REJECTED,
            f"Geotab refused the user name or password for the database {self.settings.database}",
        )

    def _translate(self, problem: BaseException) -> ProviderError:
        if isinstance(problem, ProviderError):
            return problem
        if isinstance(problem, AuthenticationException):
            return self._refused()
        if isinstance(problem, MyGeotabException):
            return self._vendor_error(str(problem.name), str(problem.message))
        if isinstance(problem, TimeoutException | TimeoutError):
            return ProviderError(ProblemKind.UNAVAILABLE, "Geotab did not answer in time")
        if isinstance(problem, aiohttp.ClientResponseError):
            return _status_error(problem)
        if isinstance(problem, aiohttp.ClientError | OSError):
            kind = type(problem).__name__
            return ProviderError(ProblemKind.UNAVAILABLE, f"Could not reach Geotab ({kind})")
        # rapidjson's decode error, or a malformed error object the client could not read
        return _bad("Geotab answered something that is not its JSON-RPC")

    def _vendor_error(self, name: str, message: str) -> ProviderError:
        said = self._printable(message)
        if name == "OverLimitException" and "results limit" in message.lower():
            return _bad(f"Geotab refused the page size: {said}")
        if name == "OverLimitException":
            wait = quota_period_s(message)
            return ProviderError(
                ProblemKind.RATE_LIMITED,
                f"Geotab's call quota was reached ({said}): retrying in {wait:g} s",
                retry_after_s=wait,
            )
        if name == "DbUnavailableException":
            return ProviderError(
                ProblemKind.UNAVAILABLE, f"Geotab's database is unavailable: {said}"
            )
        return _bad(f"Geotab refused the request ({self._printable(name)}): {said}")

    def _printable(self, text: str) -> str:
        """Geotab's own words: printable, short, and never holding the password."""
        clean = "".join(ch for ch in text if ch.isprintable())[:200]
        password = self.credentials.password.get_secret_value()
        return clean.replace(password, "***") if password in clean else clean


def quota_period_s(message: str) -> float:
    """``Maximum admitted 10 per 1m`` → 60: the quota's period, the longest wait it needs."""
    found = _QUOTA_PERIOD.search(message)
    if found is None:
        return DEFAULT_RETRY_AFTER_S
    seconds = int(found.group(1)) * _PERIOD_S[found.group(2).lower()]
    return float(min(max(seconds, 1), MAX_RETRY_AFTER_S))


def _status_error(problem: aiohttp.ClientResponseError) -> ProviderError:
    status = problem.status
    if status == 429:
        header = problem.headers.get("Retry-After") if problem.headers else None
        try:
            wait = float(header) if header is not None else DEFAULT_RETRY_AFTER_S
        except ValueError:
            wait = DEFAULT_RETRY_AFTER_S
        wait = min(max(wait, 0.0), MAX_RETRY_AFTER_S) if wait == wait else DEFAULT_RETRY_AFTER_S
        return ProviderError(
            ProblemKind.RATE_LIMITED,
            f"Geotab's rate limit was reached: retrying in {wait:g} s",
            retry_after_s=wait,
        )
    if status >= 500:
        return ProviderError(ProblemKind.UNAVAILABLE, f"Geotab is unavailable (HTTP {status})")
    return _bad(f"Geotab refused the request (HTTP {status})")


def _failure_mode_code(entity: object) -> int | None:
    code = entity.get("code") if isinstance(entity, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _bounded(cache: dict[str, T]) -> None:
    if len(cache) >= MAX_CACHED:
        cache.clear()  # a rare, cheap reset: the next polls look up again


def vendor_vehicle(entity: object) -> VendorVehicle | None:
    if not isinstance(entity, dict):
        return None
    vendor_id = reference_id(entity)
    if vendor_id is None or len(vendor_id) > 64:
        return None
    return VendorVehicle(
        vendor_id=vendor_id,
        name=_text(entity.get("name")),
        vin=_text(entity.get("vehicleIdentificationNumber")),
        serial=_text(entity.get("serialNumber")),
        plate=_text(entity.get("licensePlate")),
    )


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:200] if value else None


def _bad(message: str) -> ProviderError:
    return ProviderError(ProblemKind.BAD_RESPONSE, message)


class GeotabProvider:
    name: ClassVar[str] = NAME
    settings_model: ClassVar[type[BaseModel]] = GeotabSettings
    credentials_model: ClassVar[type[BaseModel]] = GeotabCredentials

    def connect(self, settings: BaseModel, credentials: BaseModel) -> ProviderClient:
        if not isinstance(settings, GeotabSettings):
            settings = GeotabSettings.model_validate(settings.model_dump())
        if not isinstance(credentials, GeotabCredentials):
            try:
                credentials = GeotabCredentials.model_validate(
                    {
                        "username": getattr(credentials, "username", None),
                        "password": _secret(getattr(credentials, "password", None)),
                    }
                )
            except ValidationError:  # its text would quote the password
                raise ProviderError(
                    ProblemKind.CREDENTIALS_REJECTED, "No usable Geotab user name and password"
                ) from None
        return GeotabClient(settings, credentials)


def _secret(value: object) -> object:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


PROVIDER: Final = GeotabProvider()
