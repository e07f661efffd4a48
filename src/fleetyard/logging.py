"""Logs carrying the request id and tenant of whatever logged: JSON lines for machines
(structlog), or one readable line per record for a person at a terminal (the demo)."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any, Final

import structlog
from structlog.typing import EventDict, WrappedLogger

# Chatty at INFO: the embedded PostgreSQL narrates every initdb and pg_ctl run, and Alembic
# every plugin it loads.
QUIET_LOGGERS = ("pgserver", "alembic.runtime.plugins")
# Python's warnings (a library's DeprecationWarning, platformdirs' RuntimeDirWarning) say
# nothing to a person running the demo; they show there only when debugging.
PYTHON_WARNINGS: Final = "py.warnings"
# What a one-line record leaves out: said already (level, event) or noise to a person.
_NOT_FOR_PEOPLE: Final = frozenset(
    {"level", "event", "timestamp", "logger", "positional_args", "exc_info", "stack_info"}
)
_MAX_VALUE_CHARS: Final = 200

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """uvicorn passes an ANSI-coloured copy of its message as an ``extra``; JSON needs none."""
    event_dict.pop("color_message", None)
    return event_dict


def _exc_info(value: Any) -> ExcInfo | None:
    if value is True:
        value = sys.exc_info()
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and value[1] is not None:
        return value
    return None


def _one_line(text: object) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= _MAX_VALUE_CHARS else flat[: _MAX_VALUE_CHARS - 1] + "…"


def render_for_people(_: WrappedLogger, __: str, event_dict: EventDict) -> str:
    """``warning: closing device connection: protocol error (protocol=gt06, reason=…)``:
    one line, whatever the record held; an exception as its type and message, no
    traceback."""
    details = [
        f"{key}={_one_line(value)}"
        for key, value in event_dict.items()
        if key not in _NOT_FOR_PEOPLE and not key.startswith("_") and value is not None
    ]
    exc = _exc_info(event_dict.get("exc_info"))
    if exc is not None:
        details.append(_one_line(f"{exc[0].__name__}: {exc[1]}".rstrip(": ")))
    line = f"{event_dict.get('level', 'info')}: {_one_line(event_dict.get('event', ''))}"
    return f"{line} ({', '.join(details)})" if details else line


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes: a live progress display
    (rich) swaps it for a stream that prints above the display instead of through it."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: str = "INFO", json: bool = True, *, for_people: bool = False) -> None:
    """JSON lines (``json``) or structlog's console format on stderr; ``for_people``: one
    readable line per record (``render_for_people``), Python's warnings only when
    debugging."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
    ]
    final: list[structlog.types.Processor]
    if for_people:
        final = [render_for_people]
    elif json:
        final = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        final = [structlog.processors.format_exc_info, structlog.dev.ConsoleRenderer()]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = CurrentStderrHandler() if for_people else logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # warnings become log lines too, so stderr stays JSON
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    debugging = root.level <= logging.DEBUG
    python_warnings = logging.NOTSET if debugging or not for_people else logging.ERROR
    logging.getLogger(PYTHON_WARNINGS).setLevel(python_warnings)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = name != "uvicorn.access"
