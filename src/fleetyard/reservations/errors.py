"""Refusals particular to reservations (the shared ones live in ``fleetyard.errors``)."""

from __future__ import annotations

from fleetyard.errors import Conflict


class DriverInactive(Conflict):
    """Only an active driver can be put on a booking; an inactive or suspended one is kept
    on the bookings they already had (see docs/reservations.md)."""

    code = "driver_inactive"
    message = "Only an active driver can be booked."
