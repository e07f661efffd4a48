"""Request id, access log and Prometheus latency histogram per route template."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import structlog
from fastapi.routing import iter_route_contexts
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetyard.kit.context import request_id_var

log = structlog.get_logger("fleetyard.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
UNMATCHED = "unmatched"

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "fleetyard_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "fleetyard_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        # Where a device's fix spends its time before it reaches live clients.
        self.ingest_commit_lag = Histogram(
            "fleetyard_ingest_commit_lag_seconds",
            "From a batch's oldest fix arriving at the gateway to its commit (ack after this)",
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.live_publish_lag = Histogram(
            "fleetyard_live_publish_lag_seconds",
            "From a fix arriving at the gateway to its publication on the live bus",
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.live_flush_wait = Histogram(
            "fleetyard_live_flush_wait_seconds",
            "From a batch reaching the hub to its flush to clients (the batch window)",
            buckets=BUCKETS,
            registry=self.registry,
        )


def request_id_from(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is a sane token, else a fresh one."""
    incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    return incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RouteTemplates:
    """Route object → full path template (``/api/v1/vehicles/{vehicle_id}``).

    FastAPI puts the route as its router declared it in ``scope["route"]``, without the
    ``include_router`` prefixes; ``iter_route_contexts`` knows the full paths.
    """

    def __init__(self) -> None:
        self._by_route: dict[int, str] | None = None

    def of(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        if self._by_route is None:
            self._by_route = self._index(scope["app"])
        found = self._by_route.get(id(route))
        return found or getattr(route, "path_format", None) or UNMATCHED

    @staticmethod
    def _index(app: Any) -> dict[int, str]:
        index: dict[int, str] = {}
        for context in iter_route_contexts(getattr(app, "routes", [])):
            if context.path_format:
                index.setdefault(id(context.original_route), context.path_format)
        return index


def _access_log_enabled(scope: Scope) -> bool:
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return bool(getattr(settings, "access_log", True))


class ObservabilityMiddleware:
    """Outermost middleware: every request gets an id, a histogram sample and a log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log  # None: the app's settings decide (FLEETYARD_ACCESS_LOG)
        self.templates = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("request_id", "tenant_id")
            request_id_var.reset(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        template = self.templates.of(scope)
        labels = (scope["method"], template, str(status))
        self.metrics.latency.labels(*labels).observe(elapsed)
        self.metrics.requests.labels(*labels).inc()
        enabled = self.access_log if self.access_log is not None else _access_log_enabled(scope)
        if not enabled:
            return
        principal = scope.get("state", {}).get("principal")
        log.log(
            logging.INFO if status < 500 else logging.ERROR,
            "request",
            method=scope["method"],
            path=scope["path"],
            route=template,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
            tenant_id=str(principal.tenant_id) if principal else None,
        )
