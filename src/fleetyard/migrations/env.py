"""Alembic environment: runs on the owner connection (psycopg, synchronous)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from fleetyard.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "fleetyard.migrate sets sqlalchemy.url"

engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        # One migrator at a time, even when several nodes start together.
        connection.exec_driver_sql("select pg_advisory_xact_lock(7210431)")
        context.run_migrations()
engine.dispose()
