"""GT06 / Concox binary protocol (GT06, GT06N and their many clones), TCP."""

from fleetyard.telematics.protocols.gt06.session import Gt06Session

__all__ = ["Gt06Session"]
