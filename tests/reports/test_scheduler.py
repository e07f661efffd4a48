"""Scheduled reports end to end: a schedule due, the scheduler (two of them, racing) builds
the report once, e-mails it with the attachment to the local SMTP server, records the run and
moves the schedule to its next due time."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import Message
from typing import Any

import httpx
import psycopg
import pytest
from openpyxl import load_workbook

from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.reports.scheduler import ReportScheduler
from tests.notifications.conftest import smtp_server  # noqa: F401 - the fixture, reused
from tests.notifications.servers import SmtpServer
from tests.reports.conftest import Fleet

# 07:00 in Helsinki on 11 June: the daily report covers 10 June, local time
DUE = datetime(2026, 6, 11, 4, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 11, 4, 0, 30, tzinfo=UTC)


@pytest.fixture
async def schedulers(
    settings: Settings, database_url: str, app_database: Database
) -> AsyncIterator[list[ReportScheduler]]:
    fast = settings.model_copy(update={"report_poll_interval_s": 0.05})
    started = [
        await ReportScheduler.start(
            fast, database_url, app_database.sessionmaker, clock=lambda: NOW
        )
        for _ in range(2)
    ]
    yield started
    for scheduler in started:
        await scheduler.stop()


async def due_schedule(
    client: httpx.AsyncClient,
    fleet: Fleet,
    database_url: str,
    port: int,
    email: bool = True,
    **fields: Any,
) -> str:
    owner = fleet.tracked.tenant.owner
    channel = await client.put(
        "/api/v1/notification-channels/email",
        json={
            "enabled": email,
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "from_address": "fleet@example.com",
        },
        headers=owner,
    )
    assert channel.status_code == 200, channel.text
    created = await client.post(
        "/api/v1/report-schedules",
        json={
            "name": "Morning distance",
            "kind": "daily-summary",
            "format": "xlsx",
            "cadence": "daily",
            "hour": 7,
            "recipients": [fleet.tracked.tenant.owner_email],
            **fields,
        },
        headers=owner,
    )
    assert created.status_code == 201, created.text
    schedule_id: str = created.json()["id"]
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "update report_schedules set next_run_at = %s where id = %s", (DUE, schedule_id)
        )
    return schedule_id


async def finished_runs(
    client: httpx.AsyncClient, fleet: Fleet, schedule_id: str, within_s: float = 20.0
) -> list[dict[str, Any]]:
    async with asyncio.timeout(within_s):
        while True:
            response = await client.get(
                f"/api/v1/report-schedules/{schedule_id}/runs", headers=fleet.tracked.tenant.owner
            )
            runs: list[dict[str, Any]] = response.json()
            if runs and all(run["status"] != "running" for run in runs):
                return runs
            await asyncio.sleep(0.05)


def attachment(mail: Message) -> tuple[str, bytes]:
    for part in mail.walk():
        if part.get_filename():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return part.get_filename() or "", payload
    raise AssertionError("no attachment")


async def test_a_due_report_is_mailed_once_with_its_attachment(
    live_client: httpx.AsyncClient,
    fleet: Fleet,
    database_url: str,
    smtp_server: SmtpServer,  # noqa: F811
    schedulers: list[ReportScheduler],
) -> None:
    schedule_id = await due_schedule(live_client, fleet, database_url, smtp_server.port)
    for scheduler in schedulers:
        scheduler.wake()
    (run,) = await finished_runs(live_client, fleet, schedule_id)
    assert run["status"] == "succeeded", run
    assert run["rows"] == 2 and run["bytes"] > 1000 and run["error"] is None
    assert run["period_start"].startswith("2026-06-09T21:00") and run["period_end"].startswith(
        "2026-06-10T21:00"
    )
    (mail,) = await smtp_server.mailbox.wait_for(1)
    assert mail["To"] == fleet.tracked.tenant.owner_email.lower()
    filename, body = attachment(mail)
    assert filename == "daily-summary-2026-06-10.xlsx"
    sheet = load_workbook(io.BytesIO(body))["Daily summary"]
    values = list(sheet.iter_rows(values_only=True))
    assert sum(row[3] for row in values[1:]) == pytest.approx(49.75)
    schedule = await live_client.get(
        f"/api/v1/report-schedules/{schedule_id}", headers=fleet.tracked.tenant.owner
    )
    assert schedule.json()["next_run_at"].startswith("2026-06-12T04:00")
    # more rounds of both schedulers send nothing more
    rounds = [s.rounds + 2 for s in schedulers]
    async with asyncio.timeout(10):
        while any(s.rounds < r for s, r in zip(schedulers, rounds, strict=True)):  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # rounds are counted, not signalled
    assert len(smtp_server.mailbox.messages) == 1
    events = await live_client.get(
        "/api/v1/events", params={"entity_type": "report_run"}, headers=fleet.tracked.tenant.owner
    )
    assert [e["type"] for e in events.json()["items"]] == ["report_run_succeeded"]


async def test_a_run_without_email_set_up_is_recorded_failed(
    live_client: httpx.AsyncClient,
    fleet: Fleet,
    database_url: str,
    schedulers: list[ReportScheduler],
) -> None:
    schedule_id = await due_schedule(live_client, fleet, database_url, 1, email=False, format="pdf")
    for scheduler in schedulers:
        scheduler.wake()
    (run,) = await finished_runs(live_client, fleet, schedule_id)
    assert run["status"] == "failed" and "not set up" in run["error"]
    assert run["rows"] == 2 and run["bytes"] > 1000
