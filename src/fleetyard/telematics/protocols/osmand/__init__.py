"""OsmAnd: the HTTP protocol of the Traccar Client phone apps and the OsmAnd app (port 5055).

``decode_request`` is the pure request → (device id, positions) function; ``OsmAndSession``
wraps it with HTTP/1.1 framing into the common session events.
"""

from fleetyard.telematics.protocols.osmand.http import HttpFramer, HttpRequest
from fleetyard.telematics.protocols.osmand.report import OsmAndReport
from fleetyard.telematics.protocols.osmand.request import decode_request
from fleetyard.telematics.protocols.osmand.session import OsmAndSession
from fleetyard.telematics.protocols.osmand.values import SpeedUnit

__all__ = [
    "HttpFramer",
    "HttpRequest",
    "OsmAndReport",
    "OsmAndSession",
    "SpeedUnit",
    "decode_request",
]
