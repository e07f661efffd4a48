"""VAPID keys (RFC 8292): one P-256 key pair per tenant. The public key, as browsers want it
(``applicationServerKey``: the uncompressed point, base64url), is public; the private key is
kept sealed as its raw 32-byte scalar (base64url), which ``py_vapid`` reads back."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from py_vapid.utils import b64urlencode


@dataclass(frozen=True, slots=True)
class VapidKeys:
    public_key: str
    private_key: str


def new_keys() -> VapidKeys:
    private = ec.generate_private_key(ec.SECP256R1())
    raw_private = private.private_numbers().private_value.to_bytes(32, "big")
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(public_key=b64urlencode(public), private_key=b64urlencode(raw_private))


def signer(private_key: str) -> Vapid:
    return Vapid.from_raw(private_key.encode())
