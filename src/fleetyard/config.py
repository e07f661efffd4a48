"""One settings object for the whole process (env prefix ``FLEETYARD_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - refused outside development


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLEETYARD_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("./.fleetyard")
    # Owner connection: runs migrations. Unset means an embedded PostgreSQL in data_dir/pg.
    database_url: str | None = None
    # Connection the API uses. Unset: database_url with the user swapped for db_app_role,
    # a role that owns nothing and so cannot bypass row-level security.
    database_app_url: str | None = None
    db_app_role: str = "fleetyard_app"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    redis_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    secret_key: str = DEFAULT_SECRET_KEY
    # Seals integration credentials and webhook secrets at rest (fleetyard.kit.sealing).
    # Unset outside production: generated once into data_dir/master.key (mode 0600).
    master_key: SecretStr | None = Field(default=None, min_length=32)
    # The key before a rotation (``fleetyard integrations rotate-key``): still opens old rows.
    master_key_previous: SecretStr | None = Field(default=None, min_length=32)
    session_ttl_hours: int = Field(default=12, ge=1)
    cookie_secure: bool = False
    login_attempts_per_minute: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    log_json: bool = True
    # One JSON line per request; turn off for benchmarks (metrics are still recorded).
    access_log: bool = True

    # Device gateway: a protocol's server runs when its port is set (Traccar's well-known
    # ports by default, so devices configured for Traccar work unchanged); 0 picks a free port.
    gateway_host: str = "0.0.0.0"
    teltonika_port: int | None = Field(default=5027, ge=0, le=65535)  # TCP and UDP
    gt06_port: int | None = Field(default=5023, ge=0, le=65535)
    h02_port: int | None = Field(default=5013, ge=0, le=65535)
    osmand_port: int | None = Field(default=5055, ge=0, le=65535)
    gateway_max_connections: int = Field(default=20_000, ge=1)
    gateway_idle_timeout_s: float = Field(default=600.0, gt=0)
    ingest_batch_delay_ms: float = Field(default=5.0, ge=0, le=1000)
    ingest_writers: int = Field(default=2, ge=1, le=32)
    # After-store stages (alerts, trips, geofences, behaviour): a stage worker process that
    # serve starts (stage_worker; false: run ``fleetyard stages`` yourself), or the gateway's
    # own process (stages_in_process: tests, tools). The worker's /metrics on this port.
    stage_worker: bool = True
    stages_in_process: bool = False
    stages_metrics_port: int | None = Field(default=None, ge=0, le=65535)

    # Live updates (WebSocket /api/v1/ws, SSE /api/v1/stream).
    live_batch_ms: float = Field(default=10.0, ge=0, le=5000)
    live_heartbeat_s: float = Field(default=15.0, gt=0, le=3600)
    live_client_timeout_s: float = Field(default=45.0, gt=0, le=3600)
    live_buffer_events: int = Field(default=10_000, ge=100, le=1_000_000)
    live_outbox_max_bytes: int = Field(default=8 * 1024 * 1024, ge=64 * 1024)
    live_max_connections: int = Field(default=20_000, ge=1)
    live_max_connections_per_tenant: int = Field(default=2_000, ge=1)
    # permessage-deflate on live WebSockets: less bandwidth, more CPU and memory per client
    live_compression: bool = False
    # A MapLibre style URL for production maps; unset: the app's own offline basemap.
    map_style_url: str | None = None
    # Other origins whose pages may open a live connection with the session cookie.
    allowed_origins: list[str] = Field(default_factory=list)

    # The built web app (``npm --prefix web run build``), served at ``/``.
    web_dir: Path = Path(__file__).resolve().parents[2] / "web" / "dist"
    # Webhooks: the dispatcher runs in every process that serves the API (and owns its
    # database); several nodes share the queue without sending anything twice.
    webhooks_enabled: bool = True
    webhook_workers: int = Field(default=16, ge=1, le=256)  # deliveries in flight at once
    webhook_workers_per_endpoint: int = Field(default=4, ge=1, le=256)  # per webhook
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    # The first retry waits about this long; later ones up to 2160 times as long (6 h).
    webhook_retry_base_s: float = Field(default=10.0, gt=0)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0, le=60)  # besides NOTIFY
    # False refuses targets resolving to loopback, private or link-local addresses (SaaS).
    webhook_allow_private_targets: bool = True
    webhook_delivery_retention_days: int = Field(default=30, ge=1)
    # Notifications (docs/notifications.md): the dispatcher runs where webhooks' does.
    notifications_enabled: bool = True
    # identical alerts arriving within this long reach each person as one notification
    notification_gather_s: float = Field(default=20.0, ge=0, le=3600)
    notification_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    notification_workers: int = Field(default=8, ge=1, le=256)  # e-mails/pushes in flight
    notification_timeout_s: float = Field(default=10.0, gt=0, le=120)
    notification_max_attempts: int = Field(default=6, ge=1, le=20)
    notification_retry_base_s: float = Field(default=10.0, gt=0)
    notification_retention_days: int = Field(default=90, ge=1)  # read notifications kept
    # Scheduled reports (docs/reports.md): the scheduler runs where notifications' does.
    reports_enabled: bool = True
    report_poll_interval_s: float = Field(default=30.0, gt=0, le=3600)
    # how often device_offline rules are checked against each vehicle's last report
    notification_offline_sweep_s: float = Field(default=60.0, gt=0, le=3600)
    # where links in e-mails and pushes point (the address people open the app at)
    notification_base_url: str = Field(default="http://127.0.0.1:8000", max_length=300)
    # Integrations: a node holds each connection it polls by a lease renewed every
    # ``integration_renew_s``; a dead node's connections are free once it expires.
    integration_lease_s: float = Field(default=30.0, gt=0, le=3600)
    integration_renew_s: float = Field(default=10.0, gt=0, le=600)
    # ``fleetyard demo``: its contractor vans publish OwnTracks positions to this MQTT
    # broker, and the demo tenant's MQTT integration subscribes to them there.
    demo_mqtt_host: str = Field(default="127.0.0.1", min_length=1, max_length=253)
    demo_mqtt_port: int = Field(default=1883, ge=1, le=65535)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env is not Environment.DEVELOPMENT and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("FLEETYARD_SECRET_KEY must be set outside development")
        if self.env is Environment.PRODUCTION and len(self.secret_key) < 32:
            raise ValueError("FLEETYARD_SECRET_KEY must be at least 32 characters")
        if self.env is Environment.PRODUCTION and self.master_key is None:
            raise ValueError("FLEETYARD_MASTER_KEY must be set in production")
        if self.integration_renew_s >= self.integration_lease_s:
            raise ValueError(
                "FLEETYARD_INTEGRATION_RENEW_S must be shorter than FLEETYARD_INTEGRATION_LEASE_S"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
