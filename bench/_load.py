"""An open-loop load generator: send times are fixed in advance, latency counts from them.

A closed loop (send the next request when the last one answers) slows down with the server and
so hides queueing ("coordinated omission"). Here request *i* is due at ``start + i / rate``
whatever happened before; its latency is measured from that due time, so a stall shows up in
every request that should have been sent during it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from _http import HttpClient, HttpError

TIMEOUT_S = 10.0
TIMED_OUT = 0  # status recorded for a request that got no answer in time
TRANSPORT_ERROR = -1  # refused, reset, …


@dataclass(frozen=True, slots=True)
class Planned:
    kind: str  # the row it is reported under: list, get, create, other-tenant …
    method: str
    path: str  # with its query string
    headers: dict[str, str]
    body: bytes | None = None


class Workload(Protocol):
    def next(self) -> Planned:
        """The request due now."""

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        """Sees each answer (to follow a cursor, say)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    status: int
    latency_s: float  # from the due time to the last byte of the answer


@dataclass(frozen=True, slots=True)
class Run:
    outcomes: list[Outcome]
    elapsed_s: float  # from the first due time to the last answer
    max_late_s: float  # how far behind its schedule the sender itself ever fell

    def of_kind(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]


@dataclass(frozen=True, slots=True)
class Summary:
    sent: int
    ok: int
    errors: Counter[int]
    achieved_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil without math
    return sorted_values[int(rank) - 1]


def summarise(outcomes: Sequence[Outcome], elapsed_s: float) -> Summary:
    latencies = sorted(o.latency_s * 1000 for o in outcomes)
    ok = sum(1 for o in outcomes if 200 <= o.status < 300)
    return Summary(
        sent=len(outcomes),
        ok=ok,
        errors=Counter(o.status for o in outcomes if not 200 <= o.status < 300),
        achieved_rps=ok / elapsed_s if elapsed_s > 0 else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] if latencies else float("nan"),
    )


async def _send(client: HttpClient, workload: Workload, planned: Planned, due: float) -> Outcome:
    loop = asyncio.get_running_loop()
    body = b""
    try:
        async with asyncio.timeout_at(due + TIMEOUT_S):
            response = await client.request(
                planned.method, planned.path, planned.headers, planned.body
            )
        status, body = response.status, response.body
    except TimeoutError:
        status = TIMED_OUT
    except HttpError:
        status = TRANSPORT_ERROR
    outcome = Outcome(planned.kind, status, loop.time() - due)
    workload.on_response(planned, status, body)
    return outcome


async def open_loop(
    client: HttpClient, workload: Workload, *, rate: float, duration_s: float
) -> Run:
    """Send ``rate × duration_s`` requests on schedule, then wait for every answer."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.01
    tasks: list[asyncio.Task[Outcome]] = []
    max_late = 0.0
    for i in range(round(rate * duration_s)):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            max_late = max(max_late, -delay)
        tasks.append(asyncio.create_task(_send(client, workload, workload.next(), due)))
    outcomes = list(await asyncio.gather(*tasks))
    return Run(outcomes, loop.time() - start, max_late)


async def settle(client: HttpClient, *, quick_s: float = 0.05, limit_s: float = 60.0) -> float:
    """Wait until the server has worked off any backlog (``/readyz`` answers quickly three
    times running), so one scenario's leftovers don't count against the next; returns seconds
    waited. An overloaded server keeps processing requests whose callers gave up."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    quick = 0
    while quick < 3 and loop.time() - started < limit_s:
        sent = loop.time()
        try:
            async with asyncio.timeout(limit_s):
                response = await client.request("GET", "/readyz")
            ok = response.status == 200 and loop.time() - sent < quick_s
        except (TimeoutError, HttpError):
            ok = False
        quick = quick + 1 if ok else 0
        await asyncio.sleep(0.2)
    return loop.time() - started
