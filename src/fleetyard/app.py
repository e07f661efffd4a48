"""The application factory: wiring only, no rules."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware.gzip import GZipMiddleware

from fleetyard import __version__
from fleetyard.alerts.router import router as alerts_router
from fleetyard.alerts.rules.router import router as alert_rules_router
from fleetyard.api_keys.router import router as api_keys_router
from fleetyard.apidocs.router import router as apidocs_router
from fleetyard.auth.router import router as auth_router
from fleetyard.basemap.router import files_router as basemap_files_router
from fleetyard.basemap.router import router as map_router
from fleetyard.behaviour.router import router as behaviour_router
from fleetyard.cache.http import HttpCacheMiddleware
from fleetyard.cache.store import Cache
from fleetyard.config import Settings, get_settings
from fleetyard.dashboard.router import fleet_router as fleet_summary_router
from fleetyard.dashboard.router import router as dashboard_router
from fleetyard.db import Database, app_url, libpq_dsn, owner_url
from fleetyard.devices.router import router as devices_router
from fleetyard.dispatch.loop import DispatchMonitor
from fleetyard.dispatch.router import router as dispatch_router
from fleetyard.drivers.router import router as drivers_router
from fleetyard.errors import install_error_handlers
from fleetyard.events.router import router as events_router
from fleetyard.geofences.lookup import geofence_places
from fleetyard.geofences.router import router as geofences_router
from fleetyard.groups.router import router as groups_router
from fleetyard.health.router import router as health_router
from fleetyard.inspections.router import router as inspections_router
from fleetyard.integrations.router import router as integrations_router
from fleetyard.integrations.supervisor import IntegrationRunner
from fleetyard.integrations.vehicles_router import router as integration_vehicles_router
from fleetyard.kit.idempotency import IdempotentReplay
from fleetyard.kit.observability import Metrics, ObservabilityMiddleware
from fleetyard.kit.ratelimit import RateLimiter
from fleetyard.kit.transaction import TransactionMiddleware
from fleetyard.maintenance.router import router as maintenance_router
from fleetyard.maintenance.scheduler import MaintenanceScheduler
from fleetyard.members.router import router as members_router
from fleetyard.notifications.dispatcher import NotificationDispatcher
from fleetyard.notifications.router import router as notifications_router
from fleetyard.predictions.router import router as predictions_router
from fleetyard.realtime.router import STREAM_PATH
from fleetyard.realtime.router import router as live_router
from fleetyard.realtime.runtime import LiveRuntime
from fleetyard.reports.router import router as reports_router
from fleetyard.reports.scheduler import ReportScheduler
from fleetyard.reservations.router import router as reservations_router
from fleetyard.routing.limits import routing_settings
from fleetyard.routing.router import router as route_plans_router
from fleetyard.routing.worker import RoutePlanWorker
from fleetyard.search.indexer import SearchIndexer
from fleetyard.search.router import router as search_router
from fleetyard.telematics.runtime import Telematics
from fleetyard.tenants.router import router as tenant_router
from fleetyard.tracking.router import router as tracking_router
from fleetyard.trips.router import router as trips_router
from fleetyard.vehicles.router import router as vehicles_router
from fleetyard.web import mount_web
from fleetyard.webhooks.dispatcher import WebhookDispatcher
from fleetyard.webhooks.router import router as webhooks_router

API_ROUTERS: list[APIRouter] = [
    auth_router,
    tenant_router,
    members_router,
    api_keys_router,
    groups_router,
    vehicles_router,
    behaviour_router,  # before drivers: /drivers/leaderboard is not a driver's id
    drivers_router,
    devices_router,
    reservations_router,
    events_router,
    alerts_router,
    alert_rules_router,
    notifications_router,
    health_router,
    dashboard_router,
    fleet_summary_router,
    tracking_router,
    trips_router,
    live_router,
    map_router,
    webhooks_router,
    integrations_router,
    integration_vehicles_router,
    search_router,
    geofences_router,
    reports_router,
    maintenance_router,
    inspections_router,
    predictions_router,
    dispatch_router,
    route_plans_router,
]


class Role(StrEnum):
    """What a process serves: the HTTP API, the device gateway, the telematics clouds'
    pollers (which the gateway role runs too), or all (the default)."""

    ALL = "all"
    API = "api"
    GATEWAY = "gateway"
    PROVIDERS = "providers"


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    role: Role = Role.ALL,
) -> FastAPI:
    settings = settings or get_settings()
    serves_api = role in (Role.ALL, Role.API)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        dsn = app_url(settings, owner_url(settings))
        db = database or Database.connect(dsn, pool_size=settings.db_pool_size)
        app.state.db = db
        app.state.sessionmaker = db.sessionmaker
        # The device gateway and its ingest pipeline run in the gateway role; an API-only
        # node (or a test handing in its own database) starts none.
        await live.start(serve_clients=serves_api)
        await cache.start()
        telematics = None
        if owned and role is not Role.API:
            telematics = await Telematics.start(
                settings,
                libpq_dsn(dsn),
                serve_devices=role is not Role.PROVIDERS,
                bus=live.bus,
                metrics=metrics,
            )
            telematics.keep_partitions(libpq_dsn(owner_url(settings)))
        app.state.telematics = telematics
        # Vendor clouds and brokers are polled wherever positions are ingested.
        integrations = None
        if telematics is not None:
            integrations = await IntegrationRunner.start_in_process(
                settings,
                libpq_dsn(owner_url(settings)),
                db.sessionmaker,
                telematics.directory,
                telematics.pipeline,
                metrics.registry,
            )
        app.state.integrations = integrations
        # Webhook deliveries go out from API processes (claims across tenants: owner role).
        webhooks = None
        if owned and serves_api and settings.webhooks_enabled:
            webhooks = await WebhookDispatcher.start(settings, libpq_dsn(owner_url(settings)))
        app.state.webhooks = webhooks
        # Notifications go out from API processes too (claims across tenants: owner role).
        notifications = None
        if owned and serves_api and settings.notifications_enabled:
            notifications = await NotificationDispatcher.start(
                settings, libpq_dsn(owner_url(settings)), bus=live.bus
            )
        app.state.notifications = notifications
        # Scheduled reports are made and e-mailed from API processes too (claims: owner role).
        reports = None
        if owned and serves_api and settings.reports_enabled:
            reports = await ReportScheduler.start(
                settings, libpq_dsn(owner_url(settings)), db.sessionmaker
            )
        # Service schedules are evaluated against the live meters from API processes too
        # (each tenant under its advisory lock: one process at a time).
        maintenance = None
        if owned and serves_api:
            maintenance = await MaintenanceScheduler.start(
                libpq_dsn(owner_url(settings)), db.sessionmaker
            )
        # Route plans are solved from API processes (claims across tenants: owner role), each
        # solve in a child process of its own.
        route_plans = None
        if owned and serves_api and routing_settings().enabled:
            route_plans = await RoutePlanWorker.start(libpq_dsn(owner_url(settings)), bus=live.bus)
        # Dispatched routes are followed (ETAs, late stops, corridors) from API processes too
        # (each tenant under its advisory lock: one process at a time).
        dispatch = None
        if owned and serves_api:
            dispatch = await DispatchMonitor.start(
                libpq_dsn(owner_url(settings)), db.sessionmaker, live.bus
            )
        # Search documents follow the event log from API processes (owner role, like webhooks).
        indexer = await SearchIndexer.start(owner_url(settings)) if owned and serves_api else None
        # What start-up made (modules, routes, models: ~230,000 objects) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it all
        # (150 ms and more, a pause every request waiting then pays).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if indexer is not None:
                await indexer.stop()
            if webhooks is not None:
                await webhooks.stop()
            if notifications is not None:
                await notifications.stop()
            if reports is not None:
                await reports.stop()
            if maintenance is not None:
                await maintenance.stop()
            if dispatch is not None:
                await dispatch.stop()
            if route_plans is not None:
                await route_plans.stop()
            if integrations is not None:
                await integrations.stop()
            if telematics is not None:
                await telematics.stop()
            await live.stop()
            await cache.stop()
            await app.state.rate_limiter.aclose()
            if owned:
                await db.dispose()

    app = FastAPI(
        title="Fleetyard",
        version=__version__,
        description="Multi-tenant fleet management API.",
        lifespan=lifespan,
        docs_url=None,  # fleetyard.apidocs serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.geofence_places = geofence_places  # trips name their ends by geofence first
    app.state.rate_limiter = RateLimiter(settings.redis_url)
    metrics = Metrics()
    # Live updates: the bus (in-process, or Redis) and, in API processes, the hub.
    live = app.state.live = LiveRuntime(settings, metrics=metrics)
    app.state.on_committed = live.on_committed
    # Answers cached in memory (and Redis), dropped by committed events (docs/cache.md).
    cache = app.state.cache = Cache(settings.redis_url, registry=metrics.registry)
    if database is not None:  # tests and tools hand in their own
        app.state.db = database
        app.state.sessionmaker = database.sessionmaker

    install_error_handlers(app)

    async def on_replay(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, IdempotentReplay)
        return Response(
            exc.body or None,
            status_code=exc.status_code,
            media_type="application/json" if exc.body else None,
            headers={"Idempotent-Replayed": "true"},
        )

    app.add_exception_handler(IdempotentReplay, on_replay)

    if serves_api:
        for router in API_ROUTERS:
            app.include_router(router, prefix="/api/v1")
        app.include_router(basemap_files_router)
        app.include_router(apidocs_router)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "Not ready"}})
    async def readyz(request: Request) -> JSONResponse:
        """The database answers."""
        ok = await request.app.state.db.ping()
        return JSONResponse({"status": "ok" if ok else "unavailable"}, 200 if ok else 503)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    if serves_api:
        # last: its catch-all answers only unclaimed paths
        mount_web(app, settings.web_dir, settings.map_style_url)

    app.add_middleware(TransactionMiddleware, exclude=frozenset({STREAM_PATH}))
    app.add_middleware(HttpCacheMiddleware)  # ETag/304, and invalidation after commit
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    # Outermost: compresses API answers; precompressed files and event streams pass as they are.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    return app
