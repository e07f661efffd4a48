"""The one event log: every change to a record, written in the same transaction."""
