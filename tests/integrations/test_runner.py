"""The runner against in-memory fakes of an adapter and of the store, on a fake clock: no
database, no vendor, no real sleeps (apart from the timeout test's few milliseconds)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from fleetyard.integrations.health import ConnectionState, ConnectionStatus, HourlyCount
from fleetyard.integrations.pacing import PollPolicy, policy_for
from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.runner import ConnectionLoop, ConsumeLoop
from fleetyard.telematics.position import Position

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = PollPolicy(idle_min_s=5, idle_max_s=60, error_first_s=2, error_cap_s=30)


class FakeClock:
    def __init__(self) -> None:
        self.current = START
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.current

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += timedelta(seconds=seconds)
        await asyncio.sleep(0)


def position(unique_id: str, second: int) -> Position:
    return Position(unique_id, "fake", START + timedelta(seconds=second), 60.17, 24.94)


Step = PollResult | ProviderError | Callable[[], Awaitable[PollResult]]


class FakeClient:
    """Answers polls from a script; when it runs out, a poll waits until cancelled."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.cursors: list[Cursor | None] = []
        self.vehicle_lists = 0
        self.drained = asyncio.Event()

    async def check(self) -> CheckResult:
        return CheckResult(vehicles=1, message="ok")

    async def vehicles(self) -> Sequence[VendorVehicle]:
        self.vehicle_lists += 1
        return [VendorVehicle(vendor_id="v1", vin="1HGCM82633A004352")]

    async def poll(self, cursor: Cursor | None) -> PollResult:
        self.cursors.append(None if cursor is None else dict(cursor))
        if not self.steps:
            self.drained.set()
            await asyncio.Event().wait()
        step = self.steps.pop(0)
        if isinstance(step, ProviderError):
            raise step
        if isinstance(step, PollResult):
            return step
        return await step()

    async def close(self) -> None:
        pass


@dataclass
class FakeStore:
    events: list[tuple[str, object]]
    cursor: dict[str, str] | None = None
    statuses: list[ConnectionStatus] = field(default_factory=list)
    fail_saves: int = 0

    async def save_progress(self, cursor: Mapping[str, str], status: ConnectionStatus) -> None:
        if self.fail_saves:
            self.fail_saves -= 1
            raise ConnectionError("database away")
        self.events.append(("save", dict(cursor)))
        self.cursor = dict(cursor)
        self.statuses.append(status)

    async def save_status(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)

    @property
    def last(self) -> ConnectionStatus:
        return self.statuses[-1]


class Harness:
    def __init__(self, *steps: Step, cursor: dict[str, str] | None = None, **options: object):
        self.events: list[tuple[str, object]] = []
        self.clock = FakeClock()
        self.client = FakeClient(*steps)
        self.store = FakeStore(self.events, cursor)
        self.delivered: list[Position] = []
        self.deliver_failures = 0
        self.loop = ConnectionLoop(
            "test",
            self.client,
            deliver=self.deliver,
            store=self.store,
            cursor=cursor,
            policy=options.pop("policy", POLICY),  # type: ignore[arg-type]
            clock=self.clock,
            rng=random.Random(1),
            **options,  # type: ignore[arg-type]
        )

    async def deliver(self, positions: list[Position]) -> None:
        if self.deliver_failures:
            self.deliver_failures -= 1
            raise RuntimeError("commit failed")
        self.events.append(("deliver", [p.fix_time for p in positions]))
        self.delivered.extend(positions)

    async def run_script(self) -> None:
        """Run until every scripted poll is answered and the loop asks for another."""
        self.loop.start()
        async with asyncio.timeout(5):
            await self.client.drained.wait()
        await self.loop.stop()


def page(*seconds: int, cursor: str, more: bool = False, **extra: object) -> PollResult:
    return PollResult(
        positions=[position("v1", s) for s in seconds],
        cursor={"c": cursor},
        more=more,
        **extra,  # type: ignore[arg-type]
    )


async def test_the_cursor_is_saved_only_after_deliver_returns() -> None:
    h = Harness(page(1, 2, cursor="a"), page(3, cursor="b"))
    await h.run_script()
    assert [kind for kind, _ in h.events] == ["deliver", "save", "deliver", "save"]
    assert h.store.cursor == {"c": "b"}
    assert h.client.cursors == [None, {"c": "a"}, {"c": "b"}]


async def test_a_failed_deliver_keeps_the_cursor_and_reads_the_same_page_again() -> None:
    h = Harness(page(1, cursor="a"), page(1, cursor="a"), cursor={"c": "start"})
    h.deliver_failures = 1
    await h.run_script()
    assert h.client.cursors == [{"c": "start"}, {"c": "start"}, {"c": "a"}]
    assert h.events == [("deliver", [START + timedelta(seconds=1)]), ("save", {"c": "a"})]
    failed = [s for s in h.store.statuses if s.state is ConnectionState.BACKING_OFF]
    assert failed and failed[0].last_error == "storing positions failed; retrying"


async def test_a_failed_cursor_save_reads_the_page_again() -> None:
    h = Harness(page(1, cursor="a"), page(1, cursor="a"))
    h.store.fail_saves = 1
    await h.run_script()
    assert h.client.cursors == [None, None, {"c": "a"}]
    assert h.store.cursor == {"c": "a"}


async def test_a_full_page_is_followed_at_once_and_empty_polls_back_off_to_the_maximum() -> None:
    empty = [page(cursor=f"e{i}") for i in range(6)]
    h = Harness(page(1, cursor="a", more=True), page(2, cursor="b"), *empty)
    await h.run_script()
    # no wait after the full page; the idle minimum after records; then 5, 10, 20, 40, 60, 60
    assert h.clock.sleeps == [5, 5, 10, 20, 40, 60, 60]


async def test_errors_back_off_exponentially_with_bounded_jitter_and_reset_on_success() -> None:
    down = ProviderError(ProblemKind.UNAVAILABLE, "Samsara did not answer")
    h = Harness(down, down, down, down, down, down, page(1, cursor="a"), down)
    await h.run_script()
    ceilings = [2, 4, 8, 16, 30, 30]
    errors = h.clock.sleeps[:6]
    assert all(c / 2 <= s <= c for s, c in zip(errors, ceilings, strict=True))
    assert h.clock.sleeps[6] == 5  # the idle wait after records
    assert 1 <= h.clock.sleeps[7] <= 2  # back to the first error wait
    assert h.store.last.state is ConnectionState.BACKING_OFF
    assert h.store.last.last_error == "Samsara did not answer"


async def test_a_rate_limit_waits_as_long_as_the_vendor_asks() -> None:
    limited = ProviderError(ProblemKind.RATE_LIMITED, "too many requests", retry_after_s=42)
    h = Harness(limited, page(1, cursor="a"))
    await h.run_script()
    assert h.clock.sleeps[0] == 42
    backing_off = h.store.statuses[0]
    assert backing_off.state is ConnectionState.BACKING_OFF
    assert backing_off.retry_at == START + timedelta(seconds=42)
    assert h.store.last.state is ConnectionState.OK


async def test_rejected_credentials_stop_the_loop_until_it_is_started_again() -> None:
    rejected = ProviderError(ProblemKind.CREDENTIALS_REJECTED, "the API token was refused")
    h = Harness(rejected, page(1, cursor="a"))
    h.loop.start()
    await h.loop.wait()
    assert not h.loop.running
    assert h.store.last.state is ConnectionState.CREDENTIALS_REJECTED
    assert h.store.last.last_error == "the API token was refused"
    assert h.client.cursors == [None]
    await h.run_script()  # new credentials: whoever runs it starts it again
    assert h.store.cursor == {"c": "a"}


async def test_pause_and_resume() -> None:
    h = Harness(page(1, cursor="a"))
    await h.run_script()
    await h.loop.pause()
    assert h.store.last.state is ConnectionState.PAUSED
    assert h.loop.status.state is ConnectionState.PAUSED
    h.client.steps.append(page(2, cursor="b"))
    h.client.drained.clear()
    await h.run_script()
    assert h.client.cursors[-2:] == [{"c": "a"}, {"c": "b"}]
    resumed = h.store.statuses[-1]
    assert resumed.state is ConnectionState.OK


async def test_pause_during_a_store_lets_the_round_finish_first() -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    h = Harness(page(1, cursor="a"))
    plain = h.deliver

    async def slow_deliver(positions: list[Position]) -> None:
        entered.set()
        await release.wait()
        await plain(positions)

    h.loop.deliver = slow_deliver
    h.loop.start()
    await entered.wait()
    pausing = asyncio.create_task(h.loop.pause())
    await asyncio.sleep(0)
    release.set()
    await pausing
    assert h.store.cursor == {"c": "a"}
    assert h.store.last.state is ConnectionState.PAUSED


async def test_a_hanging_poll_times_out_and_backs_off() -> None:
    async def hang() -> PollResult:
        await asyncio.Event().wait()
        raise AssertionError

    policy = PollPolicy(idle_min_s=5, idle_max_s=60, error_first_s=2, call_timeout_s=0.01)
    h = Harness(hang, page(1, cursor="a"), policy=policy)
    await h.run_script()
    assert h.store.cursor == {"c": "a"}
    timed_out = h.store.statuses[0]
    assert timed_out.state is ConnectionState.BACKING_OFF
    assert timed_out.last_error == "the vendor did not answer the poll within 0.01 s"


async def test_one_hanging_connection_does_not_slow_another() -> None:
    async def hang() -> PollResult:
        await asyncio.Event().wait()
        raise AssertionError

    stuck = Harness(hang)
    fine = Harness(page(1, cursor="a"), page(2, cursor="b"))
    stuck.loop.start()
    await fine.run_script()
    assert fine.store.cursor == {"c": "b"}
    await stuck.loop.stop()


async def test_status_fields() -> None:
    vendor_time = START - timedelta(seconds=30)
    h = Harness(
        page(1, 2, 3, cursor="a", skipped=3, skipped_reasons={"no_fix": 2}),
        page(cursor="b", vendor_time=vendor_time),
    )
    await h.run_script()
    status = h.loop.status
    assert status.state is ConnectionState.OK
    assert status.last_success_at == START + timedelta(seconds=5)
    assert status.last_error is None
    assert status.records_last_hour == 3
    assert status.skipped == {"no_fix": 2, "unreadable": 1}
    # the newest fix (START + 3 s) is newer than the later vendor_time: lag from the newest
    assert status.vendor_time == START + timedelta(seconds=3)
    assert h.clock.now() == START + timedelta(seconds=10)  # two idle waits of 5 s
    assert status.lag_s == 7.0
    h.clock.current += timedelta(minutes=61)
    assert h.loop.status.records_last_hour == 0


def test_records_in_the_last_hour_roll() -> None:
    count = HourlyCount()
    count.add(START, 10)
    count.add(START + timedelta(minutes=30), 5)
    assert count.total(START + timedelta(minutes=59)) == 15
    assert count.total(START + timedelta(minutes=61)) == 5
    assert count.total(START + timedelta(minutes=95)) == 0


async def test_vendor_vehicles_are_listed_before_the_first_poll_and_then_every_ten_minutes() -> (
    None
):
    seen: list[int] = []

    async def on_vehicles(vehicles: Sequence[VendorVehicle]) -> None:
        seen.append(len(vehicles))

    empty = [page(cursor=str(i)) for i in range(14)]  # 5+10+20+40+60×10 s > 10 minutes
    h = Harness(*empty, on_vehicles=on_vehicles)
    await h.run_script()
    assert seen == [1, 1]


def test_verizon_is_never_polled_more_often_than_every_three_minutes() -> None:
    assert policy_for("verizon_connect").idle_min_s >= 180
    assert policy_for("unknown").idle_min_s > 0


# MQTT ---------------------------------------------------------------------------------------


class FakePushClient:
    def __init__(self, batches: list[list[Position]], *, fail_with: ProviderError | None = None):
        self.batches = batches
        self.fail_with = fail_with
        self.acked: list[int] = []
        self.skipped = {"not_json": 2}
        self.runs = 0
        self.waiting = asyncio.Event()

    async def consume(
        self,
        deliver: Callable[[list[Position]], Awaitable[None]],
        *,
        batch_max: int = 500,
        batch_delay_s: float = 0.05,
        on_state: Callable[[ProviderError | None], None] | None = None,
    ) -> None:
        self.runs += 1
        if self.fail_with is not None:
            problem, self.fail_with = self.fail_with, None
            raise problem
        assert on_state is not None
        on_state(None)
        while self.batches:
            batch = self.batches[0]
            await deliver(batch)
            self.batches.pop(0)
            self.acked.append(len(batch))  # acknowledged only after deliver returned
        self.waiting.set()
        await asyncio.Event().wait()


async def test_mqtt_batches_are_delivered_before_they_are_acknowledged() -> None:
    events: list[tuple[str, object]] = []
    store = FakeStore(events)
    delivered: list[int] = []
    failures = [1]

    async def deliver(positions: list[Position]) -> None:
        if failures:
            failures.pop()
            raise RuntimeError("commit failed")
        delivered.append(len(positions))

    client = FakePushClient([[position("a", 1), position("a", 2)], [position("b", 3)]])
    clock = FakeClock()
    loop = ConsumeLoop(
        "mqtt",
        client,
        deliver=deliver,
        store=store,
        policy=POLICY,
        clock=clock,
        rng=random.Random(1),
    )
    loop.start()
    async with asyncio.timeout(5):
        await client.waiting.wait()
    await loop.stop()
    assert client.runs == 2  # the failed commit ended the first consumer, unacknowledged
    assert delivered == [2, 1] and client.acked == [2, 1]
    status = loop.status
    assert status.state is ConnectionState.OK
    assert status.records_last_hour == 3
    assert status.skipped == {"not_json": 2}
    assert any(s.state is ConnectionState.BACKING_OFF for s in store.statuses)


async def test_mqtt_refused_credentials_stop_the_consumer() -> None:
    store = FakeStore([])
    refused = ProviderError(ProblemKind.CREDENTIALS_REJECTED, "the broker refused the password")
    client = FakePushClient([], fail_with=refused)

    async def deliver(positions: list[Position]) -> None:
        raise AssertionError

    loop = ConsumeLoop("mqtt", client, deliver=deliver, store=store, clock=FakeClock())
    loop.start()
    await loop.wait()
    assert store.last.state is ConnectionState.CREDENTIALS_REJECTED


@pytest.mark.parametrize("state", [ConnectionState.OK, ConnectionState.PAUSED])
def test_states_are_the_words_the_api_shows(state: ConnectionState) -> None:
    assert state.value in {"ok", "backing_off", "credentials_rejected", "paused"}


async def test_a_failing_vehicle_list_blocks_only_the_first_poll() -> None:
    listed: list[int] = []

    async def on_vehicles(vehicles: Sequence[VendorVehicle]) -> None:
        listed.append(len(vehicles))

    empty = [page(cursor=str(i)) for i in range(14)]
    h = Harness(page(1, cursor="a"), *empty, on_vehicles=on_vehicles)
    real_vehicles = h.client.vehicles
    calls = 0

    async def flaky_vehicles() -> Sequence[VendorVehicle]:
        nonlocal calls
        calls += 1
        if calls in (1, 3):  # the first list, and the first refresh ten minutes later
            raise ProviderError(ProblemKind.UNAVAILABLE, "vehicles endpoint down")
        return await real_vehicles()

    h.client.vehicles = flaky_vehicles  # type: ignore[method-assign]
    await h.run_script()
    assert h.client.cursors[:2] == [None, {"c": "a"}]  # the first poll waited for a list
    assert listed == [1, 1] and calls == 4
    assert h.store.cursor == {"c": "13"}  # the failed refresh did not stop the polls
