"""Refusals particular to maintenance (the shared ones live in ``fleetyard.errors``)."""

from __future__ import annotations

from fleetyard.errors import Conflict


class InsufficientStock(Conflict):
    """Completing the work order would take a part's stock below zero."""

    code = "insufficient_stock"
    message = "Not enough of a part in stock for this work order."
