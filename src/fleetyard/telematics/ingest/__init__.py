"""The ingest pipeline: validate → store (COPY, ack after commit) → state → rules → publish."""
