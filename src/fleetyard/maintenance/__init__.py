"""Maintenance: service schedules on live meters, work orders with their costs, parts stock."""
