"""Reservations: booking fleet vehicles for a period, never twice for the same moment."""
