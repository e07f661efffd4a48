"""The UDP variant: one datagram, no handshake, no CRC, the IMEI in every packet.

``length(2) | packet id(2) | not usable(1) | AVL packet id(1) | IMEI length(2) | IMEI | AVL data``
where ``length`` counts the bytes after itself and the AVL data is ``codec | N1 | records | N2``.
The ack ``0005 | packet id | 01 | AVL packet id | accepted count`` echoes the packet id (Traccar
writes 0000 there instead); the device matches it by AVL packet id and resends unacked packets.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.teltonika.codec8 import decode_avl_data
from fleetyard.telematics.protocols.teltonika.framing import parse_imei
from fleetyard.telematics.protocols.teltonika.positions import to_position
from fleetyard.telematics.protocols.teltonika.reader import Reader

_ACK = struct.Struct(">HHBBB")
_ACK_LENGTH = _ACK.size - 2


class UdpDecoded(NamedTuple):
    imei: str
    positions: list[Position]
    ack: bytes  # send only after the positions are stored


def decode_udp(packet: bytes) -> UdpDecoded:
    """Decode one datagram. Bytes past the announced length are ignored."""
    outer = Reader(packet)
    body = Reader(outer.take(outer.uint(2)))
    packet_id = body.uint(2)
    body.uint(1)  # "not usable": 0x01 in every official example
    avl_packet_id = body.uint(1)
    imei = parse_imei(body.take(body.uint(2)))
    if not body.remaining:
        raise ProtocolError("UDP packet without AVL data")
    records = decode_avl_data(body.rest())
    ack = _ACK.pack(_ACK_LENGTH, packet_id, 0x01, avl_packet_id, len(records))
    return UdpDecoded(imei, [to_position(imei, record) for record in records], ack)
