"""Tenant webhooks: signed HTTP deliveries of the event log, retried from a durable outbox."""
