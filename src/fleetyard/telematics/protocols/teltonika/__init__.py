"""Teltonika FMB/FMC/FMM "AVL" protocol: Codec 8, 8 Extended, 16 (data) and 12 (commands).

Pure: no sockets, no clock, no database. ``TeltonikaSession`` drives one TCP connection,
``decode_udp`` one datagram, ``encode_command`` builds a Codec 12 command to send.
"""

from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord, IoValue, decode_avl_data
from fleetyard.telematics.protocols.teltonika.codec12 import (
    Codec12Message,
    decode_codec12,
    encode_command,
)
from fleetyard.telematics.protocols.teltonika.framing import crc16_arc, frame_data_packet
from fleetyard.telematics.protocols.teltonika.positions import PROTOCOL, to_position
from fleetyard.telematics.protocols.teltonika.session import TeltonikaSession
from fleetyard.telematics.protocols.teltonika.udp import UdpDecoded, decode_udp

__all__ = [
    "PROTOCOL",
    "AvlRecord",
    "Codec12Message",
    "IoValue",
    "TeltonikaSession",
    "UdpDecoded",
    "crc16_arc",
    "decode_avl_data",
    "decode_codec12",
    "decode_udp",
    "encode_command",
    "frame_data_packet",
    "to_position",
]
