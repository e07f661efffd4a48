"""Embedded-database bookkeeping that no HTTP test reaches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fleetyard.db import _forget_dead_handles, with_driver, with_user


def test_dead_handles_are_forgotten(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([dead_pid, os.getpid()]))
    _forget_dead_handles(handles)
    assert json.loads(handles.read_text()) == [os.getpid()]


def test_garbage_handle_file_is_left_alone(tmp_path: Path) -> None:
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("not json")
    _forget_dead_handles(handles)
    assert handles.read_text() == "not json"
    _forget_dead_handles(tmp_path / "missing.json")


def test_url_rewrites() -> None:
    assert with_driver("postgres://u@h:5/db", "asyncpg") == "postgresql+asyncpg://u@h:5/db"
    assert with_driver("postgresql+psycopg://u@h/db", "asyncpg") == "postgresql+asyncpg://u@h/db"
    assert with_user(
        "postgresql://owner:secret@db.example:5433/fleet?sslmode=require", "fleetyard_app"
    ) == ("postgresql://fleetyard_app@db.example:5433/fleet?sslmode=require")
    socket = "postgresql://postgres:@/postgres?host=/tmp/pg"
    assert (
        with_user(socket, "fleetyard_app")
        == "postgresql://fleetyard_app@/postgres?host=%2Ftmp%2Fpg"
    )
