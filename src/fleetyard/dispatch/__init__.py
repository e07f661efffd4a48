"""Dispatch: solved route plans on the road — drivers' days, stop progress, live ETAs,
late and off-route alerts, re-planning mid-route (docs/dispatch.md)."""
