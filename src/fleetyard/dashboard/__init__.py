"""The home screen's figures: vehicles by activity, open alerts, devices, distance today and
upcoming reservations for the caller's tenant (docs/dashboard.md)."""
