"""Log records for a person (the demo's terminal): one readable line each, Python's warnings
only when debugging; JSON for machines stays as it was."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator

import pytest
import structlog

from fleetyard.logging import PYTHON_WARNINGS, configure_logging, render_for_people


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the next test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    python_warnings = logging.getLogger(PYTHON_WARNINGS).level
    structlog_config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger(PYTHON_WARNINGS).setLevel(python_warnings)
    logging.captureWarnings(False)
    structlog.configure(**structlog_config)


def test_a_record_reads_as_one_line_with_its_details() -> None:
    line = render_for_people(
        None,
        "warning",
        {
            "event": "closing device connection: protocol error",
            "level": "warning",
            "logger": "fleetyard.telematics.gateway.connection",
            "timestamp": "2026-01-01T00:00:00Z",
            "protocol": "gt06",
            "reason": "bad\nchecksum",
            "request_id": None,
        },
    )
    assert line == (
        "warning: closing device connection: protocol error (protocol=gt06, reason=bad checksum)"
    )


def test_an_exception_is_its_type_and_message_not_a_traceback() -> None:
    try:
        raise KeyError("Attempt to overwrite 'created' in LogRecord")
    except KeyError as exc:
        line = render_for_people(
            None, "error", {"event": "positions upkeep failed", "level": "error", "exc_info": exc}
        )
    assert line == (
        "error: positions upkeep failed (KeyError: \"Attempt to overwrite 'created' in LogRecord\")"
    )


def test_a_long_value_is_cut() -> None:
    line = render_for_people(None, "warning", {"event": "x", "level": "warning", "body": "a" * 500})
    assert len(line) < 230 and line.endswith("…)")


@pytest.mark.usefixtures("restore_logging")
def test_for_people_a_log_line_is_readable_and_python_warnings_are_hidden(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("WARNING", for_people=True)
    logging.getLogger("fleetyard.places").warning("places: no street names (%s)", "no extract")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("fleetyard.realtime").exception("live flush failed")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("XDG_RUNTIME_DIR is not set", RuntimeWarning, stacklevel=1)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "warning: places: no street names (no extract)",
        "error: live flush failed (ValueError: boom)",
    ]


@pytest.mark.usefixtures("restore_logging")
def test_for_people_python_warnings_show_when_debugging(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", for_people=True)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("XDG_RUNTIME_DIR is not set", RuntimeWarning, stacklevel=1)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("warning: ") and "RuntimeWarning: XDG_RUNTIME_DIR is not set" in line


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_keep_their_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", json=True)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("fleetyard.realtime").exception("live flush failed")
    record = json.loads(capsys.readouterr().err)
    assert record["event"] == "live flush failed" and record["level"] == "error"
    assert "Traceback" in record["exception"] and "ValueError: boom" in record["exception"]
