"""The search tables as SQLAlchemy Core (the migration creates them; no ORM objects are
needed: documents are written in batches and read as rows)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

metadata = MetaData()


def _documents(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        Column("entity_type", String(32), primary_key=True),
        Column("entity_id", UUID(as_uuid=True), primary_key=True),
        Column("title", String(300), nullable=False),
        Column("subtitle", String(500), nullable=False),
        Column("sort_title", String(300), nullable=False),
        Column("fields", JSONB, nullable=False),
        Column("document", TSVECTOR, nullable=False),
        Column("identifiers", ARRAY(Text), nullable=False),
        Column("facets", JSONB, nullable=False),
        Column("refs", ARRAY(Text), nullable=False),
        Column("words", ARRAY(Text), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


documents = _documents("search_documents")
# The API reads through this view: one tenant's documents, with the GIN indexes usable
# (see the migration for why the table itself can't offer them under row-level security).
scoped_documents = _documents("search_documents_scoped")

vocabulary = Table(
    "search_vocabulary",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("word", String(64), primary_key=True),
    Column("documents", Integer, nullable=False),
)

tenants = Table(
    "search_tenants",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("vocabulary_version", BigInteger, nullable=False),
    Column("documents_version", BigInteger, nullable=False),
    Column("indexed_at", DateTime(timezone=True)),
)

queue = Table(
    "search_queue",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", UUID(as_uuid=True), nullable=False),
    Column("cascade", Boolean, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
)
