"""H02 (Sinotrack ST-901 and many cheap trackers): ``*HQ`` text sentences and ``$`` binary
records, TCP."""

from fleetyard.telematics.protocols.h02.session import H02Session

__all__ = ["H02Session"]
