"""Apply Alembic migrations on the owner connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from fleetyard.config import Settings
from fleetyard.db import owner_url, with_driver

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, app_role: str) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", with_driver(url, "psycopg").replace("%", "%%"))
    config.attributes["app_role"] = app_role
    return config


def upgrade(url: str, app_role: str = "fleetyard_app") -> None:
    command.upgrade(alembic_config(url, app_role), "head")


def migrate(settings: Settings) -> str:
    """Migrate the configured (or embedded) database to head; returns the owner URL."""
    url = owner_url(settings)
    upgrade(url, settings.db_app_role)
    return url
